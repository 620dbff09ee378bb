"""References as CSL-JSON (the CSL data schema, v1.0): one item per reference, `id` its citation
key, sorted like the .bib; plain Unicode text (no LaTeX), dates as `date-parts`.

The same references give byte-identical text. A work without a year has no `issued` (CSL
processors print their "n.d."); an arXiv preprint is `article` with publisher `arXiv` and
number `arXiv:<id>`, as arXiv's own CSL records are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from list2bib.errors import OutputError
from list2bib.model import Person, Reference, Status, WorkKind
from list2bib.text.clean import clean_text
from list2bib.text.identifiers import arxiv_doi, strip_doi_prefix, url_host
from list2bib.text.names import split_authors, split_name
from list2bib.text.titles import latex_to_text

# BibTeX entry type -> CSL type (the CSL 1.0.2 names: `article` is a preprint or working paper).
TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "incollection": "chapter",
    "inbook": "chapter",
    "book": "book",
    "proceedings": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "manual": "report",
    "unpublished": "manuscript",
}
# BibTeX field of the record's venue -> CSL variable, copied as plain text.
VARIABLES = {
    "journal": "container-title",
    "booktitle": "container-title",
    "howpublished": "container-title",
    "volume": "volume",
    "number": "issue",
    "pages": "page",
    "publisher": "publisher",
    "school": "publisher",
    "institution": "publisher",
    "organization": "publisher",
    "address": "publisher-place",
    "series": "collection-title",
    "note": "note",
}
_YEAR = re.compile(r"^\d{4}$")


def plain(value: str) -> str:
    """A field value as plain text: a source's BibTeX braces, escapes and accents (`{BERT}`,
    `\\&`, `{\\L}{\\'o}d{\\'z}`) turned into the text they stand for."""
    return clean_text(latex_to_text(value.replace("--", "–")))


def csl_type(ref: Reference, bibtex_type: str) -> str:
    """The CSL type for a reference written as BibTeX type `bibtex_type`."""
    if ref.record.kind is WorkKind.PREPRINT:
        return "article"
    if ref.record.kind is WorkKind.WEB:
        return "webpage"
    return TYPES.get(bibtex_type, "webpage" if ref.record.url else "document")


def csl_item(ref: Reference, bibtex_type: str) -> dict[str, Any]:
    """One CSL-JSON item (`bibtex_type`: the type the BibTeX writer gives the reference)."""
    record = ref.record
    kind = csl_type(ref, bibtex_type)
    item: dict[str, Any] = {"id": ref.key, "type": kind}
    authors = [name for name in map(_name, record.authors) if name]
    if authors:
        item["author"] = authors
    editors = [_name(split_name(name)) for name in split_authors(record.venue.get("editor", ""))]
    if editors := [name for name in editors if name]:
        item["editor"] = editors
    if title := plain(record.title):
        item["title"] = title
    year = (record.year or "").strip()
    if _YEAR.match(year):
        parts = [int(year)] + ([record.month] if record.month and 1 <= record.month <= 12 else [])
        item["issued"] = {"date-parts": [parts]}
    for name, variable in VARIABLES.items():
        raw = record.venue.get(name, "")
        if raw and (value := plain(raw)) and variable not in item:
            if variable == "page":
                value = value.replace("–", "-")
            item[variable] = value
    if kind == "article-journal":
        item.pop("publisher", None)
    arxiv_id = clean_text(record.arxiv_id or "")
    confirmed = ref.status is Status.RESOLVED  # a pattern's DOI only for a confirmed arXiv id
    derived = arxiv_doi(arxiv_id) if arxiv_id and kind == "article" and confirmed else ""
    doi = record.doi or derived
    if doi:
        item["DOI"] = strip_doi_prefix(clean_text(doi))
    url = record.url or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else "")
    if url:
        item["URL"] = clean_text(url)
    if kind == "article" and arxiv_id:
        item.setdefault("publisher", "arXiv")
        item.setdefault("number", f"arXiv:{arxiv_id}")
    host = url_host(url).removeprefix("www.") if url else ""
    if kind == "webpage" and host:
        item.setdefault("container-title", host)
    accessed = record.venue.get("urldate", "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", accessed):
        item["accessed"] = {"date-parts": [[int(part) for part in accessed.split("-")]]}
    if ref.topics:
        item["keyword"] = ", ".join(ref.topics)
    if ref.status is not Status.RESOLVED and "note" not in item:
        item["note"] = f"{ref.status.value}: built from the list, not verified"
    return item


def _name(person: Person) -> dict[str, str]:
    family, given = plain(person.family), plain(person.given)
    if person.literal or not given:
        return {"literal": family or given} if family or given else {}
    return {"family": family, "given": given} if family else {"literal": given}


def render_csl(refs: Sequence[Reference], types: dict[str, str]) -> str:
    """The CSL-JSON text: an array of items sorted by key (case-insensitive, then exact).
    `types`: citation key -> the BibTeX type the BibTeX writer gives it."""
    ordered = sorted(refs, key=lambda ref: (ref.key.casefold(), ref.key))
    seen: set[str] = set()
    for ref in ordered:
        if ref.key in seen:
            raise OutputError(f"two references share the citation key '{ref.key}'")
        seen.add(ref.key)
    items = [csl_item(ref, types.get(ref.key, "misc")) for ref in ordered]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
