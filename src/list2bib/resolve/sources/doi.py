"""doi.org content negotiation: one CSL-JSON request per DOI, answered by the registration agency
(Crossref or DataCite) that doi.org redirects to, and the parser for both agencies' CSL."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from list2bib.config import ServiceConfig
from list2bib.infra.answers import HttpResponse, expect_json
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, Record, WorkKind
from list2bib.resolve.sources import Lookup, PerKey, fixed_batches, get_each
from list2bib.text.identifiers import arxiv_doi, arxiv_id_of_doi
from list2bib.text.names import person_from_parts

SERVICE = "doi"
batches = fixed_batches  # `batch_size` keys a batch
CONCURRENT_BATCHES = False
ACCEPT_CSL = "application/vnd.citationstyles.csl+json"
ASK = PerKey(SERVICE, "/{}", gone=(400, 404), headers={"Accept": ACCEPT_CSL})

# (BibTeX entry type, BibTeX field that receives `container-title`) <- the CSL `type`s that map to
# it (Crossref's own type names and standard CSL names, as DataCite sends).
_CSL_TYPES: dict[tuple[str, str | None], str] = {
    ("article", "journal"): "journal-article article-journal article-magazine article-newspaper",
    ("inproceedings", "booktitle"): "proceedings-article paper-conference",
    ("incollection", "booktitle"): (
        "book-chapter book-section book-part reference-entry chapter entry-encyclopedia"
    ),
    ("book", None): "book monograph edited-book reference-book",
    ("proceedings", None): "proceedings",
    ("phdthesis", None): "dissertation thesis",
    ("misc", None): "posted-content article report dataset other",
}
# CSL `type` -> (BibTeX entry type, container field).
TYPE_MAP: dict[str, tuple[str, str | None]] = {
    csl: bibtex for bibtex, names in _CSL_TYPES.items() for csl in names.split()
}
DEFAULT_TYPE = ("misc", None)

# CSL variable -> BibTeX field, copied as text when present.
VENUE_FIELDS: dict[str, str] = {
    "volume": "volume",
    "issue": "number",
    "page": "pages",
    "publisher": "publisher",
    "collection-title": "series",
}
# Dates in order of preference: `issued` is what CSL processors cite.
DATE_FIELDS = ("issued", "published-print", "published-online", "published")
# CSL types whose works are preprints (Crossref registers bioRxiv & co. as `posted-content`).
PREPRINT_TYPES = frozenset({"posted-content"})

_OLD_STYLE_SUBCLASS = re.compile(r"^(?P<archive>[a-z-]+)\.[a-z]{2}/")
_CATEGORY = re.compile(r"\((?P<term>[a-z-]+(?:\.[A-Za-z-]+)?)\)\s*$")
_TAG = re.compile(r"<[^>]+>")
_PAGE_DASH = re.compile(r"\s*[-\u2010-\u2015]+\s*")


def fetch(http: Http, service: ServiceConfig, dois: Sequence[str]) -> Lookup:
    """Ask doi.org for each DOI's CSL JSON. 404 ("DOI Not Found") and 400 ("Not a DOI") are
    `missing`; any other failure is `failed` with the reason."""
    return get_each(http, service, dois, ASK, _read, lambda _: expect_json)


def _read(doi: str, response: HttpResponse) -> Record | str:
    try:
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        record = parse_csl(data)
    except ValueError as exc:
        kind = response.headers.get("content-type", "no content type")
        return f"{SERVICE}: unusable answer for {doi} ({kind}): {exc}"
    return record if record.doi else replace(record, doi=canonical_doi(doi))


def parse_csl(data: Mapping[str, Any]) -> Record:
    """One CSL-JSON object (Crossref or DataCite flavour) -> Record; ValueError if untitled."""
    title = _title(data)
    if not title:
        raise ValueError("CSL item has no title")
    csl_type = str(data.get("type") or "")
    doi = canonical_doi(str(data["DOI"])) if data.get("DOI") else None
    arxiv_id = _arxiv_id(doi)
    year, month = _date(data)
    if arxiv_id is not None:
        # arXiv's DataCite DOIs describe the preprint: write it exactly as the arXiv source does.
        return Record(
            source=SERVICE,
            entry_type="misc",
            title=title,
            authors=tuple(_authors(data.get("author"))),
            year=year,
            month=month,
            doi=doi,
            arxiv_id=arxiv_id,
            primary_class=_primary_class(data.get("categories")),
            url=f"https://arxiv.org/abs/{arxiv_id}",
            kind=WorkKind.PREPRINT,
        )
    entry_type, container_field = TYPE_MAP.get(csl_type, DEFAULT_TYPE)
    if entry_type == "incollection" and _event_name(data.get("event")):
        entry_type = "inproceedings"  # a chapter given at a conference (Springer's LNCS)
    venue: dict[str, str] = {}
    container = _first_text(data.get("container-title")) or _event_name(data.get("event"))
    if container_field and container:
        venue[container_field] = container
    for csl_name, bib_name in VENUE_FIELDS.items():
        value = _first_text(data.get(csl_name))
        if value:
            venue[bib_name] = value
    if "pages" in venue:
        venue["pages"] = _PAGE_DASH.sub("--", venue["pages"])
    if entry_type == "phdthesis" and "publisher" in venue:
        venue["school"] = venue.pop("publisher")
    if entry_type == "inproceedings":
        location = _event_location(data.get("event"))
        if location:
            venue["address"] = location
    return Record(
        source=SERVICE,
        entry_type=entry_type,
        title=title,
        authors=tuple(_authors(data.get("author"))),
        year=year,
        month=month,
        doi=doi,
        url=_url(data.get("URL"), doi),
        venue=venue,
        kind=WorkKind.PREPRINT if csl_type in PREPRINT_TYPES else WorkKind.PUBLISHED,
    )


def canonical_doi(doi: str) -> str:
    """Lower-case (as Crossref does), except arXiv's DataCite DOIs: `10.48550/arXiv.<id>`."""
    doi = doi.strip()
    arxiv_id = _arxiv_id(doi)
    return arxiv_doi(arxiv_id) if arxiv_id is not None else doi.lower()


def strip_markup(value: str) -> str:
    """Drop JATS/HTML tags (`<i>`, `<jats:sub>`), decode entities, collapse whitespace."""
    return " ".join(html.unescape(_TAG.sub("", value)).split())


def _title(data: Mapping[str, Any]) -> str:
    title = strip_markup(_first_text(data.get("title")))
    subtitle = strip_markup(_first_text(data.get("subtitle")))
    if title and subtitle and subtitle.lower() not in title.lower():
        # Crossref's own BibTeX joins them the same way.
        title = f"{title}{' ' if title[-1] in ':?!.' else ': '}{subtitle}"
    return title


def _first_text(value: Any) -> str:
    """CSL values may be a string, a number, or (Crossref) a list of strings."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | int) and str(v).strip()), "")
    if isinstance(value, str | int) and not isinstance(value, bool):
        return " ".join(str(value).split())
    return ""


def _event_name(event: Any) -> str:
    if isinstance(event, Mapping):
        return strip_markup(_first_text(event.get("name")))
    return strip_markup(_first_text(event))


def _event_location(event: Any) -> str:
    return _first_text(event.get("location")) if isinstance(event, Mapping) else ""


def _authors(value: Any) -> Iterator[Person]:
    for author in value if isinstance(value, list) else ():
        if not isinstance(author, Mapping):
            continue
        org = _first_text(author.get("literal")) or _first_text(author.get("name"))
        family = _first_text(author.get("family"))
        if org and not family:
            yield person_from_parts(family=strip_markup(org), literal=True)
            continue
        given = _first_text(author.get("given"))
        if not family and not given:
            continue
        yield person_from_parts(
            family=strip_markup(family),
            given=strip_markup(given),
            particle=_first_text(author.get("non-dropping-particle")),
            suffix=_first_text(author.get("suffix")),
        )


def _date(data: Mapping[str, Any]) -> tuple[str | None, int | None]:
    for name in DATE_FIELDS:
        parts = _date_parts(data.get(name))
        if parts:
            year = parts[0]
            month = parts[1] if len(parts) > 1 and 1 <= parts[1] <= 12 else None
            return str(year), month
    return None, None


def _date_parts(value: Any) -> list[int]:
    """`{"date-parts": [[1970, 8, 14]]}` -> [1970, 8, 14]; [] when absent or `[[null]]`."""
    if not isinstance(value, Mapping):
        return []
    rows = value.get("date-parts")
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], list):
        return []
    parts: list[int] = []
    for part in rows[0]:
        try:
            parts.append(int(part))
        except (TypeError, ValueError):
            break
    return parts if parts and 0 < parts[0] < 10000 else []


def _url(value: Any, doi: str | None) -> str | None:
    url = _first_text(value)
    host = urlsplit(url).netloc.lower()
    if doi and (not url or host in {"doi.org", "dx.doi.org", "www.doi.org"}):
        return f"https://doi.org/{doi}"
    return url or None


def _arxiv_id(doi: str | None) -> str | None:
    arxiv_id = arxiv_id_of_doi(doi or "")
    if not arxiv_id:
        return None
    # Old-style ids are lower-case and carry no subject class (`math.GT/0309136` is `math/0309136`).
    return _OLD_STYLE_SUBCLASS.sub(r"\g<archive>/", arxiv_id.lower())


def _primary_class(categories: Any) -> str | None:
    """DataCite lists arXiv subjects as `Computation and Language (cs.CL)`, the primary first."""
    for category in categories if isinstance(categories, list) else ():
        match = _CATEGORY.search(str(category))
        if match:
            return match.group("term")
    return None


ACL_DOI_PREFIX = "10.18653/v1/"


def key_of(identifier: Identifier) -> str | None:
    """The DOI to ask doi.org for: a DOI, or the Crossref DOI of an ACL Anthology paper."""
    if identifier.kind is IdKind.DOI:
        return identifier.value
    if identifier.kind is IdKind.ACL:
        return (ACL_DOI_PREFIX + identifier.value).lower()
    return None
