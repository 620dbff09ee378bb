"""OpenReview (API v2 `api2.openreview.net`, API v1 `api.openreview.net` for older forums): notes by
forum id, and the parser that tells an accepted paper from a submission that never was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from list2bib.bibtex.parse import BibEntry, parse_string
from list2bib.config import ServiceConfig
from list2bib.errors import InputError, ServiceError
from list2bib.infra.answers import HttpResponse, expect_json
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, Record, WorkKind
from list2bib.resolve.sources import Lookup, fixed_batches
from list2bib.text.names import split_authors, split_name
from list2bib.text.titles import latex_to_text

SERVICE = "openreview"
batches = fixed_batches  # `batch_size` keys a batch
CONCURRENT_BATCHES = False
FORUM_URL = "https://openreview.net/forum?id="

# Note content (v2 wraps every value as {"value": ...}; v1 does not) -> Record field.
FIELD_MAP: dict[str, str] = {
    "title": "title",
    "authors": "authors (Anonymous dropped)",
    "venue": "published or not ('ICLR 2024 poster' vs 'Submitted to ICLR 2025')",
    "venueid": "published or not (`.../Rejected_Submission`, `.../Withdrawn_Submission`)",
    "_bibtex": "entry type, booktitle / journal, year (OpenReview's own BibTeX)",
    "abstract": "abstract",
    "pdate/odate/cdate": "year and month when the BibTeX has none (ms timestamps)",
}
# Without `_bibtex`, venue abbreviations OpenReview hosts -> (entry type, BibTeX field, value).
KNOWN_VENUES: dict[str, tuple[str, str, str]] = {
    "TMLR": ("article", "journal", "Transactions on Machine Learning Research"),
    "NeurIPS": ("inproceedings", "booktitle", "Advances in Neural Information Processing Systems"),
    "ICLR": ("inproceedings", "booktitle", "International Conference on Learning Representations"),
    "COLM": ("inproceedings", "booktitle", "Conference on Language Modeling"),
}
# venueid suffixes and venue prefixes of submissions that are not (or not yet) publications.
_UNPUBLISHED_IDS = ("/Rejected_Submission", "/Withdrawn_Submission", "/Desk_Rejected_Submission")
_UNPUBLISHED_VENUE = re.compile(
    r"^(?:submitted to|under review|withdrawn|desk rejected|rejected)\b", re.IGNORECASE
)
_VENUE_TAIL = re.compile(
    r"\s+(?:poster|oral|spotlight|notable[- ]top[- ]\d+%?|accept\w*)\b.*$", re.I
)
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_ERROR_STATUSES = (400, 403, 404)


def key_of(identifier: Identifier) -> str | None:
    """The forum id of an OpenReview identifier; None for other kinds."""
    return identifier.value if identifier.kind is IdKind.OPENREVIEW else None


def v1_base_url(base_url: str) -> str | None:
    """API v1's address beside v2's: the first `api2` in the URL becomes `api`
    (`https://api2.openreview.net` -> `https://api.openreview.net`); None if there is no `api2`."""
    return base_url.replace("api2", "api", 1) if "api2" in base_url else None


def fetch(
    http: Http, service: ServiceConfig, ids: Sequence[str], *, v1_base: str | None = None
) -> Lookup:
    """Notes for forum ids: v2 first, `service.batch_size` ids per `POST /notes/search` (the
    official client's `get_notes_by_ids`), then v1 `GET /notes?id=` for ids v2 does not know
    (v2 never serves v1 notes). `v1_base` defaults to `v1_base_url(service.base_url)`."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Record] = {}
    failed: dict[str, str] = {}
    base = service.base_url.rstrip("/")
    for start in range(0, len(wanted), max(1, service.batch_size)):
        batch = wanted[start : start + max(1, service.batch_size)]
        try:
            notes = _search(http, base, batch)
        except ServiceError as exc:
            failed.update(dict.fromkeys(batch, str(exc)))
            continue
        except ValueError as exc:
            failed.update(dict.fromkeys(batch, f"{SERVICE}: unusable answer: {exc}"))
            continue
        for forum_id, note in notes.items():
            if forum_id in batch:
                _keep(found, failed, forum_id, note, wrapped=True)
    old_base = v1_base or v1_base_url(base)
    for forum_id in wanted:
        if forum_id in found or forum_id in failed or old_base is None:
            continue
        try:
            note = _get_one(http, old_base.rstrip("/"), forum_id)
        except ServiceError as exc:
            failed[forum_id] = str(exc)
            continue
        except ValueError as exc:
            failed[forum_id] = f"{SERVICE}: unusable answer for {forum_id}: {exc}"
            continue
        if note is not None:
            _keep(found, failed, forum_id, note, wrapped=False)
    missing = frozenset(i for i in wanted if i not in found and i not in failed)
    return Lookup(found=found, missing=missing, failed=failed)


def _keep(
    found: dict[str, Record], failed: dict[str, str], forum_id: str, note: Any, *, wrapped: bool
) -> None:
    try:
        found[forum_id] = parse_note(note, wrapped=wrapped)
    except ValueError as exc:
        failed[forum_id] = f"{SERVICE}: unusable note {forum_id}: {exc}"


def _search(http: Http, base: str, ids: Sequence[str]) -> dict[str, Any]:
    """v2 notes by id, keyed by note id (and forum id: a forum's id is its submission's)."""
    response = http.post(
        SERVICE,
        f"{base}/notes/search",
        json_body={"ids": list(ids)},
        accept_status=_ERROR_STATUSES,
        expect=expect_json,
    )
    if response.status in _ERROR_STATUSES:
        # One request per id then: an error for the batch says nothing about each id.
        return {i: note for i in ids if (note := _get_one(http, base, i)) is not None}
    return _by_id(_notes(response))


def _get_one(http: Http, base: str, forum_id: str) -> Any:
    response = http.get(
        SERVICE,
        f"{base}/notes",
        params={"id": forum_id},
        accept_status=_ERROR_STATUSES,
        expect=expect_json,
    )
    if response.status in _ERROR_STATUSES:
        return None  # NotFoundError / ForbiddenError (not public): no such public note
    return _by_id(_notes(response)).get(forum_id)


def _notes(response: HttpResponse) -> list[Any]:
    try:
        data = response.json()
    except ValueError:
        raise ValueError(f"not JSON ({response.headers.get('content-type', '?')})") from None
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        raise ValueError("no `notes` list in the answer")
    return list(data["notes"])


def _by_id(notes: Sequence[Any]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for note in notes:
        if isinstance(note, dict) and note.get("id"):
            table.setdefault(str(note["id"]), note)
            if note.get("forum"):
                table.setdefault(str(note["forum"]), note)
    return table


def parse_note(note: Mapping[str, Any], *, wrapped: bool = True) -> Record:
    """One note (v2 `wrapped` content, or v1 plain content) -> Record. Accepted papers are
    PUBLISHED `@inproceedings`/`@article` with OpenReview's booktitle/journal; submissions under
    review, rejected or withdrawn are PREPRINT `@misc` that name no venue. ValueError if untitled.
    """
    content = note.get("content")
    if not isinstance(content, Mapping):
        raise ValueError("note has no content")

    def value(name: str) -> Any:
        raw = content.get(name)
        return raw.get("value") if wrapped and isinstance(raw, Mapping) else raw

    title = " ".join(latex_to_text(str(value("title") or "")).split())
    if not title:
        raise ValueError("note has no title")
    forum = str(note.get("forum") or note.get("id") or "")
    bib = _bibtex(value("_bibtex"))
    venue_text = " ".join(str(value("venue") or "").split())
    venueid = str(value("venueid") or "")
    authors = _authors(value("authors"), bib)
    published = _is_published(venue_text, venueid, bib, authors)
    year, month = _date(note, bib, venue_text, published)
    entry_type, venue = _venue(bib, venue_text) if published else ("misc", {})
    published = published and bool(venue)  # a venue it cannot name is no publication
    abstract = " ".join(str(value("abstract") or "").split()) or None
    return Record(
        source=SERVICE,
        entry_type=entry_type if published else "misc",
        title=title,
        authors=authors,
        year=year,
        month=month,
        url=FORUM_URL + forum if forum else None,
        venue=venue if published else {"howpublished": "OpenReview"},
        kind=WorkKind.PUBLISHED if published else WorkKind.PREPRINT,
        openreview_id=forum or None,
        abstract=abstract,
    )


def _bibtex(text: Any) -> BibEntry | None:
    if not isinstance(text, str) or "@" not in text:
        return None
    try:
        entries = parse_string(text, source=f"{SERVICE} _bibtex")
    except InputError:
        return None  # a broken _bibtex is no evidence either way; venue/venueid still are
    return entries[0] if entries else None


def _authors(names: Any, bib: BibEntry | None) -> tuple[Person, ...]:
    raw = [str(n) for n in names] if isinstance(names, list) else []
    if not raw and bib is not None:
        raw = split_authors(bib.fields.get("author", ""))
    people = (" ".join(latex_to_text(n).split()) for n in raw)
    # Under review, OpenReview shows `Anonymous` (and `author={Anonymous}` in the BibTeX).
    return tuple(split_name(n) for n in people if n and n.lower() != "anonymous")


def _is_published(
    venue: str, venueid: str, bib: BibEntry | None, authors: tuple[Person, ...]
) -> bool:
    if venueid.endswith(_UNPUBLISHED_IDS) or venueid.endswith("/Submission"):
        return False
    if _UNPUBLISHED_VENUE.match(venue):
        return False
    if bib is not None:
        note = bib.fields.get("note", "").lower()
        if "under review" in note or bib.fields.get("author", "").strip().lower() == "anonymous":
            return False
        if bib.entry_type == "misc":  # OpenReview writes withdrawn papers as @misc
            return False
        return bib.entry_type in ("inproceedings", "article") and bool(authors)
    return bool(venue) and bool(authors)


def _venue(bib: BibEntry | None, venue_text: str) -> tuple[str, dict[str, str]]:
    if bib is not None:
        for name in ("booktitle", "journal"):
            text = " ".join(latex_to_text(bib.fields.get(name, "")).split())
            if text:
                return ("article" if name == "journal" else "inproceedings"), {name: text}
    short = _VENUE_TAIL.sub("", venue_text).strip()
    for abbreviation, (entry_type, name, text) in KNOWN_VENUES.items():
        if short.split(" ")[:1] == [abbreviation]:
            return entry_type, {name: text}
    return ("inproceedings", {"booktitle": short}) if short else ("misc", {})


def _date(
    note: Mapping[str, Any], bib: BibEntry | None, venue: str, published: bool
) -> tuple[str | None, int | None]:
    """Year from the BibTeX, else the venue, else the note's dates; month only from the date
    that belongs to the year cited (`pdate`, acceptance, for papers; posting for preprints)."""
    names = ("pdate",) if published else ("odate", "cdate")
    stamp = next((note[k] for k in names if isinstance(note.get(k), int)), None)
    when = datetime.fromtimestamp(stamp / 1000, UTC) if stamp is not None else None
    year = (bib.fields.get("year", "").strip() if bib is not None else "") or None
    if year is None and (match := _YEAR.search(venue)):
        year = match.group()
    if year is None and when is not None:
        year = str(when.year)
    month = when.month if when is not None and str(when.year) == year else None
    return year, month
