"""BibTeX in and out: parsing, rendering, LaTeX escaping and field values."""
