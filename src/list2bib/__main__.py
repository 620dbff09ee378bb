"""`python -m list2bib` runs the command-line interface."""

from list2bib.cli import main

main()
