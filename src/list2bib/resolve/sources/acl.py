"""ACL Anthology (`https://aclanthology.org/<id>.bib`): one BibTeX request per anthology id, and the
parser for the Anthology's BibTeX (2022 style, 2023+ style with editor/abstract, old entries)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from list2bib.bibtex.parse import BibEntry, parse_string
from list2bib.config import ServiceConfig
from list2bib.errors import InputError
from list2bib.infra.answers import HttpResponse
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, Record, WorkKind
from list2bib.resolve.sources import Lookup, PerKey, fixed_batches, get_each
from list2bib.text.dates import MONTH_ABBREVIATIONS, month_number
from list2bib.text.names import split_authors, split_name
from list2bib.text.titles import latex_to_text

SERVICE = "acl"
batches = fixed_batches  # `batch_size` keys a batch
CONCURRENT_BATCHES = False
ACL_DOI_PREFIX = "10.18653/v1/"
# The id is a path segment: every character but letters, digits and `_.-~` is escaped.
ASK = PerKey(SERVICE, "/{}.bib", safe="", headers={"Accept": "text/plain"})

# Anthology BibTeX field -> Record.venue field (copied as plain text when present). `editor`,
# `abstract` (2023+ style) and `url` are not venue fields; `address` is kept for proceedings.
VENUE_FIELDS: dict[str, str] = {
    "booktitle": "booktitle",
    "journal": "journal",
    "volume": "volume",
    "number": "number",
    "pages": "pages",
    "publisher": "publisher",
    "address": "address",
}
# `month = jun` or old entries' `month = may # " 2 - " # may # " 7"`: the first month macro counts.
_MONTH = re.compile(r"\b(" + "|".join(MONTH_ABBREVIATIONS) + r")[a-z]*\b", re.IGNORECASE)
_PAGE_DASH = re.compile(r"\s*[-\u2010-\u2015]+\s*")
_ACL_ID = re.compile(r"\d{4}\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.\d+|[A-Z]\d\d-\d{4}", re.IGNORECASE)


def key_of(identifier: Identifier) -> str | None:
    """The anthology id for ACL identifiers, and for `10.18653/v1/<id>` DOIs (so the Anthology can
    answer when Crossref cannot); None otherwise."""
    if identifier.kind is IdKind.ACL:
        return identifier.value
    if identifier.kind is IdKind.DOI and identifier.value.lower().startswith(ACL_DOI_PREFIX):
        return anthology_id(identifier.value[len(ACL_DOI_PREFIX) :])
    return None


def anthology_id(raw: str) -> str | None:
    """`2021.NAACL-main.208` -> `2021.naacl-main.208`, `n19-1423` -> `N19-1423` (the Anthology's
    spelling: its URLs are case-sensitive); None when `raw` is not an anthology id."""
    text = raw.strip().strip("/")
    if not _ACL_ID.fullmatch(text):
        return None
    return text.lower() if "." in text else text.upper()


def fetch(http: Http, service: ServiceConfig, ids: Sequence[str]) -> Lookup:
    """GET `<base>/<id>.bib` for each id (the Anthology has no batch interface; it is a static
    site). 404 is `missing`; an answer that is not an entry is `failed` with the reason."""
    return get_each(http, service, ids, ASK, _read, _bib_of)


def _read(acl_id: str, response: HttpResponse) -> Record | str:
    try:
        return parse_bib(response.text, acl_id=acl_id)
    except ValueError as exc:
        return f"{SERVICE}: unusable answer for {acl_id}: {exc}"


def _bib_of(key: str) -> Callable[[HttpResponse], Record]:
    """The check `Http` runs on an answer: a cut-off .bib is asked again, not kept."""
    return lambda answer: parse_bib(answer.text, acl_id=key)


def parse_bib(text: str, *, acl_id: str | None = None) -> Record:
    """An Anthology `.bib` body -> a PUBLISHED Record. `acl_id` is the id asked (else taken from
    the entry's url). Raises ValueError when the text holds no titled entry."""
    try:
        entries = parse_string(text, source=f"{SERVICE} {acl_id or 'answer'}")
    except InputError as exc:
        raise ValueError(str(exc)) from None
    if not entries:
        raise ValueError("no BibTeX entry in the answer")
    return parse_entry(entries[0], acl_id=acl_id)


def parse_entry(entry: BibEntry, *, acl_id: str | None = None) -> Record:
    """One parsed Anthology entry -> Record (see `parse_bib`)."""
    fields = entry.fields
    title = _plain(fields.get("title", ""))
    if not title:
        raise ValueError(f"entry {entry.key} has no title")
    url = fields.get("url", "").strip() or None
    if acl_id is None and url:
        acl_id = anthology_id(url.rstrip("/").rsplit("/", 1)[-1])
    doi = fields.get("doi", "").strip().lower() or None  # Crossref lower-cases them
    venue = {
        target: _venue_value(name, fields[name])
        for name, target in VENUE_FIELDS.items()
        if fields.get(name, "").strip()
    }
    return Record(
        source=SERVICE,
        entry_type=entry.entry_type or "inproceedings",
        title=title,
        authors=tuple(_people(fields.get("author", ""))),
        year=fields.get("year", "").strip() or None,
        month=_month(fields.get("month", "")),
        doi=doi,
        url=url,
        venue=venue,
        kind=WorkKind.PUBLISHED,
        acl_id=acl_id,
        abstract=_plain(fields.get("abstract", "")) or None,
    )


def _people(value: str) -> list[Person]:
    return [split_name(_plain(name)) for name in split_authors(value) if _plain(name)]


def _month(value: str) -> int | None:
    match = _MONTH.search(value)
    return month_number(match.group(1)) if match else None


def _venue_value(name: str, value: str) -> str:
    text = _plain(value)
    return _PAGE_DASH.sub("--", text) if name == "pages" else text


def _plain(value: str) -> str:
    """`{A}merican` -> `American`; whitespace runs (the 6-space continuation lines) as one space."""
    return " ".join(latex_to_text(value).split())
