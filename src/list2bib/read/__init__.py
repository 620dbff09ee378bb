"""Files -> ListEntry[]: Markdown/HTML lists, plain identifier lists and .bib input."""
