"""`python -m list2bib` runs the command-line interface."""

from list2bib.cli import main

if __name__ == "__main__":
    main()
