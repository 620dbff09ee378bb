"""Entries read from a user's .bib: what the user wrote is kept unless a service knows better.

A `.bib` given as a list is resolved again, but it must never come out worse than it went in: an
entry no service can verify is written back from its own fields, a published venue the user gave
is not replaced by a bare preprint, and fields the services do not know (`note`, `abstract`, ...)
are kept.
"""

from __future__ import annotations

import re
from dataclasses import replace

from list2bib.bibtex.letters import plain_letters
from list2bib.model import ListEntry, Record, WorkKind
from list2bib.text.clean import clean_text
from list2bib.text.dates import month_number
from list2bib.text.names import split_authors, split_name

# Fields that the Record carries itself; every other field of the input goes to `venue`.
_RECORD_FIELDS = frozenset(
    {"author", "title", "year", "month", "doi", "eprint", "archiveprefix", "eprinttype",
     "primaryclass", "eprintclass", "url", "keywords"}
)  # fmt: skip
# Where a work was published: taken from the services when they answer, never mixed with theirs.
_VENUE_FIELDS = frozenset(
    {"journal", "journaltitle", "booktitle", "volume", "number", "issue", "pages", "publisher",
     "address", "location", "howpublished", "organization", "school", "institution", "series",
     "edition", "editor", "issn", "isbn", "type", "chapter", "date", "eventtitle"}
)  # fmt: skip
_PREPRINT_VENUE = re.compile(r"arxiv|corr\b|preprint|biorxiv|medrxiv|ssrn", re.IGNORECASE)


def input_record(entry: ListEntry) -> Record:
    """The entry as the user's file gives it."""
    fields = {name.lower(): value.strip() for name, value in entry.fields}
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    arxiv_id = fields.get("eprint") if prefix == "arxiv" and fields.get("eprint") else None
    venue = {k: v for k, v in fields.items() if k not in _RECORD_FIELDS and v}
    if "editor" in venue:  # the letters list2bib wrote for 8-bit BibTeX (`{\relax Ж}`) are letters
        venue["editor"] = plain_letters(venue["editor"])
    kind = (
        WorkKind.PUBLISHED
        if _claims_venue(venue)
        else (WorkKind.PREPRINT if arxiv_id else WorkKind.UNRESOLVED)
    )
    return Record(
        source="bib",
        entry_type=(entry.entry_type or "misc").lower(),
        title=fields.get("title", ""),
        authors=tuple(
            split_name(a) for a in split_authors(plain_letters(fields.get("author", "")))
        ),
        year=fields.get("year") or None,
        month=_month(fields.get("month", "")),
        doi=fields.get("doi") or None,
        arxiv_id=arxiv_id,
        primary_class=fields.get("primaryclass") or fields.get("eprintclass") or None,
        url=fields.get("url") or None,
        venue=venue,
        kind=kind,
    )


def combine(resolved: Record | None, entry: ListEntry, problems: list[str]) -> Record:
    """The record to write for a .bib entry, given what the services said (None: nothing)."""
    own = input_record(entry)
    if resolved is None:
        problems.append("kept the entry as the input .bib gives it")
        return own
    if resolved.kind is not WorkKind.PUBLISHED and own.kind is WorkKind.PUBLISHED:
        problems.append("kept the venue of the input .bib: the services know only the preprint")
        return replace(
            own,
            arxiv_id=own.arxiv_id or resolved.arxiv_id,
            primary_class=own.primary_class or resolved.primary_class,
        )
    extra = {
        k: v for k, v in own.venue.items() if k not in resolved.venue and k not in _VENUE_FIELDS
    }
    return replace(resolved, venue={**resolved.venue, **extra}) if extra else resolved


def _claims_venue(venue: dict[str, str]) -> bool:
    name = venue.get("journal") or venue.get("booktitle") or ""
    return bool(name) and not _PREPRINT_VENUE.search(name)


def _month(value: str) -> int | None:
    return month_number(clean_text(value.strip().strip("{}")))
