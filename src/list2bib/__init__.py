"""list2bib: curated paper lists in, one clean references.bib out."""

__version__ = "0.1.0"
