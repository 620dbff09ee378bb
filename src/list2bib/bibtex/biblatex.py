"""biblatex's own fields for a reference, made from the BibTeX ones: `date`, `journaltitle`,
`location`, `eprinttype`/`eprintclass`, `@online` for web works; nothing biber's datamodel rejects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from list2bib.text.dates import month_number
from list2bib.text.identifiers import url_host

# BibTeX field -> the biblatex field that holds the same thing.
RENAMED = {
    "journal": "journaltitle",
    "address": "location",
    "archiveprefix": "eprinttype",
    "primaryclass": "eprintclass",
    "school": "institution",
}
# BibTeX type -> (biblatex type, its `type` field): biber would map these itself, but warns.
RETYPED = {
    "phdthesis": ("thesis", "phdthesis"),
    "mastersthesis": ("thesis", "mathesis"),
    "techreport": ("report", "techreport"),
    "conference": ("inproceedings", ""),
    "electronic": ("online", ""),
    "www": ("online", ""),
}
# biblatex's datamodel: the fields a type may not hold that the BibTeX writer can give it.
REJECTED = {
    "article": frozenset({"publisher", "howpublished", "location"}),
    "online": frozenset({"howpublished", "publisher", "location"}),
}
# EDTF for "year unspecified": biber takes it as a date (the datamodel wants one on every type)
# and author-year styles print their "n.d." for it.
UNDATED = "XXXX"
_YEAR = re.compile(r"^\d{4}$")
_ARXIV_WORDING = re.compile(r"^arXiv preprint", re.IGNORECASE)


def biblatex_entry(
    entry_type: str, fields: Sequence[tuple[str, str]], web: bool
) -> tuple[str, list[tuple[str, str]]]:
    """(type, fields) as biblatex wants them, from the BibTeX writer's `fields` (names as written,
    `archivePrefix`). `web`: the work is a web page, written `@online`."""
    by_name = {name.lower(): value for name, value in fields}
    kind, subtype = RETYPED.get(entry_type, (entry_type, ""))
    if kind == "misc" and web:
        kind = "online"
    if kind == "incollection" and "editor" not in by_name:
        kind = "inbook"  # biblatex's @incollection needs the editors; @inbook does not
    out: dict[str, str] = {}
    for name, value in fields:
        low = name.lower()
        if low in ("year", "month"):
            continue
        if low == "archiveprefix":
            value = value.lower()  # biblatex's own name for the arXiv eprint type
        if low == "howpublished" and _ARXIV_WORDING.match(value):
            continue  # biblatex prints the eprint itself
        if low == "howpublished" and kind == "online":
            out.setdefault("organization", value)
            continue
        out[RENAMED.get(low, low)] = value
    for rejected in REJECTED.get(kind, ()):
        out.pop(rejected, None)
    if subtype:
        out.setdefault("type", subtype)
    if not out.get("title"):
        # The datamodel wants a title; a bare link's is the site it points to.
        out["title"] = out.get("organization") or url_host(out.get("url", "")) or "Untitled"
    date = biblatex_date(by_name.get("year", ""), by_name.get("month", ""))
    ordered = list(out.items())
    at = next((i for i, (name, _) in enumerate(ordered) if name in _AFTER_DATE), len(ordered))
    ordered.insert(at, ("date", date))
    return kind, ordered


# The date goes before the first of these (where `year` stood in the BibTeX order).
_AFTER_DATE = frozenset(
    {"publisher", "location", "howpublished", "organization", "institution", "note", "doi",
     "eprint", "eprinttype", "eprintclass", "url", "urldate", "keywords", "ids", "key", "type"}
)  # fmt: skip


def biblatex_date(year: str, month: str) -> str:
    """`2022-09` from `2022` and `sep`; `XXXX` (unspecified) for a work without a year."""
    if not _YEAR.match(year.strip()):
        return UNDATED
    number = month_number(month) if month else None
    return f"{year.strip()}-{number:02d}" if number else year.strip()
