"""Monotone knowledge: a run in which some request failed for good may know less than the run that
wrote the file, so it never replaces what that run verified (an entry's type, DOI, eprint, venue,
year, number of authors) with less or with something else. Such a work keeps its previous entry,
is named, and makes the run partial (exit 5); the next healthy run decides."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from list2bib.bibtex.parse import BibEntry
from list2bib.model import Record, Status, WorkKind
from list2bib.text.identifiers import arxiv_doi, strip_doi_prefix
from list2bib.works import merge
from list2bib.works.dedupe import Work

# BibTeX and biblatex types of a published work; anything else is a preprint (with an eprint) or
# a web page / other @misc.
_PUBLISHED_TYPES = frozenset(
    {"article", "inproceedings", "conference", "incollection", "inbook", "book", "proceedings",
     "phdthesis", "mastersthesis", "thesis", "techreport", "report"}
)  # fmt: skip
_VENUE_FIELDS = ("journal", "journaltitle", "booktitle")
_RANK = {"other": 0, "preprint": 1, "published": 2}
_VERSION = re.compile(r"v\d+$")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
HELD = (
    "a service failed this run and its answer would change what an earlier run verified ({}); "
    "the previous entry is kept until a run without failures"
)


def hold_verified(
    works: Sequence[Work], existing: Sequence[BibEntry], managed: Collection[str] = ()
) -> list[Work]:
    """`works`, each whose record would replace a verified fact of its entry in `existing` marked
    incomplete (merge then keeps that entry verbatim). For a run with failures only."""
    plan = merge.plan(works, existing, managed)
    survivors = {**plan.matched, **plan.previous}
    held: list[Work] = []
    for work in works:
        entry = survivors.get(work.work_id)
        if entry is None or entry.unverified or work.incomplete:
            held.append(work)
            continue
        if work.status is not Status.RESOLVED:
            changed = ["the work could not be verified"]
        else:
            changed = lost_facts(entry_facts(entry.entry_type, entry.fields), work.record)
        if changed:
            note = HELD.format(", ".join(changed))
            work = replace(work, incomplete=True, problems=(*work.problems, note))
        held.append(work)
    return held


def entry_facts(entry_type: str, fields: Mapping[str, str]) -> dict[str, str]:
    """The verified facts of a written entry, in comparable form ('' when absent)."""
    eprint = _VERSION.sub("", fields.get("eprint", "").strip().lower())
    published = entry_type.lower() in _PUBLISHED_TYPES
    return {
        "type": "published" if published else "preprint" if eprint else "other",
        "doi": strip_doi_prefix(fields.get("doi", "")).strip().lower(),
        "eprint": eprint,
        "venue": _plain(next((fields[f] for f in _VENUE_FIELDS if fields.get(f)), "")),
        "year": fields.get("year", "").strip(),
        "authors": str(len(_AND.split(fields["author"]))) if fields.get("author") else "",
    }


def record_facts(record: Record) -> dict[str, str]:
    """The same facts of a record as it would be written."""
    eprint = _VERSION.sub("", (record.arxiv_id or "").strip().lower())
    published = record.kind is WorkKind.PUBLISHED
    doi = record.doi or (arxiv_doi(eprint) if eprint and not published else "")
    return {
        "type": "published" if published else "preprint" if eprint else "other",
        "doi": strip_doi_prefix(doi).strip().lower(),
        "eprint": eprint,
        "venue": _plain(next((record.venue[f] for f in _VENUE_FIELDS if record.venue.get(f)), "")),
        "year": (record.year or "").strip(),
        "authors": str(len(record.authors)) if record.authors else "",
    }


def lost_facts(before: Mapping[str, str], record: Record) -> list[str]:
    """The verified facts `record` would change or drop (none for an upgrade: a preprint found
    published under the same eprint, whose DOI, venue and year then change as they should)."""
    after = record_facts(record)
    if _RANK[after["type"]] > _RANK[before["type"]] and before["eprint"] in ("", after["eprint"]):
        return []
    return [
        f"{name} {before[name]!r} -> {after[name]!r}" if after[name] else f"{name} lost"
        for name in ("type", "doi", "eprint", "venue", "year", "authors")
        if before[name] and before[name] != after[name]
    ]


def _plain(text: str) -> str:
    """Venue text compared by its letters and digits alone (braces, TeX escapes, case aside)."""
    return _NOT_WORD.sub(" ", re.sub(r"\\[a-zA-Z]+\s*|\\.", "", text).lower()).strip()
