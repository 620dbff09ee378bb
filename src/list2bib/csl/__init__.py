"""CSL-JSON output: the references as CSL data (Pandoc, Quarto, Typst, Zotero, Mendeley)."""
