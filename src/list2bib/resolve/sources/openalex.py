"""OpenAlex works API: title search (`/works?filter=title.search:...`), arXiv preprints in
batches (`/works?filter=doi:a|b|...`, their DataCite DOIs) and the parser of a work into a Record.

A work usually joins a preprint and its published version: its `doi` is the publisher's and its
primary location the journal or conference, with the arXiv copy among `locations`. Such a work is
the published record (its arXiv id kept); a work whose only home is arXiv (or another repository)
is the preprint. OpenAlex's `publication_date` is often a placeholder 1 January, so only the year
is taken. The contact address travels in the User-Agent (OpenAlex's polite pool); an API key, when
configured, as the `api_key` parameter OpenAlex asks for (never logged, cached or shown).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from list2bib.config import ServiceConfig
from list2bib.errors import ServiceError
from list2bib.infra.answers import HttpResponse, expect_json
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, Record, WorkKind
from list2bib.resolve import venues
from list2bib.resolve.sources import Lookup, TitleQuery, fixed_batches, read_search
from list2bib.text.identifiers import arxiv_abs_url, arxiv_doi, arxiv_id_of_doi, strip_doi_prefix
from list2bib.text.names import split_name

SERVICE = "openalex"
CONCURRENT_BATCHES = False  # one host, at its pace
SEARCH_ROWS = 5
MAX_FILTER_VALUES = 100  # OpenAlex refuses more values in one filter (HTTP 400)
SELECT = (
    "id,doi,title,display_name,publication_year,type,primary_location,locations,authorships,biblio"
)
# A filter value ends at a comma (the next filter) and splits at a pipe (OR): neither may stay.
_FILTER_SEPARATORS = re.compile(r"[,|:]+")
_ARXIV_ABS = re.compile(r"arxiv\.org/(?:abs|pdf)/([a-z.-]*/?\d{4}\.?\d{3,5})(?:v\d+)?", re.I)
_VENUE_TYPES = {"journal": ("article", "journal"), "conference": ("inproceedings", "booktitle")}


def search(http: Http, service: ServiceConfig, query: TitleQuery) -> list[Record]:
    """Title candidates in OpenAlex's relevance order; [] when none. Raises ServiceError."""
    text = " ".join(_FILTER_SEPARATORS.sub(" ", query.title).split())
    if not text:
        return []
    params = {"filter": f"title.search:{text}", "per-page": str(SEARCH_ROWS), "select": SELECT}
    return read_search(SERVICE, _works(http, service, params), parse_work_list)


def _works(http: Http, service: ServiceConfig, params: dict[str, str]) -> HttpResponse:
    """One `/works` list request (with the API key, when there is one)."""
    if service.api_key:
        params = {**params, "api_key": service.api_key}
    url = f"{service.base_url.rstrip('/')}/works"
    return http.get(SERVICE, url, params=params, expect=expect_json)


def key_of(identifier: Identifier) -> str | None:
    """The arXiv id a preprint is asked with (as its DataCite DOI); None for other kinds."""
    return identifier.value if identifier.kind is IdKind.ARXIV else None


def batches(service: ServiceConfig, keys: Sequence[str]) -> list[list[str]]:
    """`batch_size` arXiv ids a request, never more than one filter takes."""
    size = min(max(1, service.batch_size), MAX_FILTER_VALUES)
    return fixed_batches(replace(service, batch_size=size), keys)


def fetch(http: Http, service: ServiceConfig, arxiv_ids: Sequence[str]) -> Lookup:
    """The work OpenAlex keeps for each preprint, asked by DataCite DOI; an id no work answers is
    missing, a batch that could not be asked failed."""
    found: dict[str, Record] = {}
    failed: dict[str, str] = {}
    for batch in batches(service, list(dict.fromkeys(arxiv_ids))):
        params = {
            "filter": "doi:" + "|".join(arxiv_doi(a).lower() for a in batch),
            "per-page": str(len(batch)),
            "select": SELECT,
        }
        try:
            found.update(parse_batch(_works(http, service, params).json(), batch))
        except ServiceError as exc:
            failed.update(dict.fromkeys(batch, str(exc)))
        except ValueError as exc:
            failed.update(dict.fromkeys(batch, f"{SERVICE}: unusable answer: {exc}"))
    missing = frozenset(a for a in arxiv_ids if a not in found and a not in failed)
    return Lookup(found=found, missing=missing, failed=failed)


def parse_batch(data: Any, arxiv_ids: Sequence[str]) -> dict[str, Record]:
    """A `filter=doi:` answer -> asked arXiv id: the work naming that preprint (its DOI, or an arXiv
    location). A work joining the preprint to a published version wins over a preprint-only one;
    a work naming none of the asked ids is left out (never joined by title)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise ValueError("not an OpenAlex work list")
    asked = {a.lower(): a for a in arxiv_ids}
    found: dict[str, Record] = {}
    for work in data["results"]:
        if not isinstance(work, Mapping) or not (work.get("title") or work.get("display_name")):
            continue
        record = parse_work(work)
        for named in _named_arxiv_ids(work):
            key = asked.get(named.lower())
            if key is not None and (key not in found or record.kind is WorkKind.PUBLISHED):
                found[key] = record
    return found


def parse_work_list(data: Any) -> list[Record]:
    """A `/works` answer -> its titled works as Records, in order; ValueError when it is none."""
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise ValueError("not an OpenAlex work list")
    records = []
    for work in data["results"]:
        if isinstance(work, Mapping) and (work.get("title") or work.get("display_name")):
            records.append(parse_work(work))
    return records


def parse_work(work: Mapping[str, Any]) -> Record:
    """One OpenAlex work -> Record; ValueError when it has no title."""
    title = " ".join(_text(work.get("title") or work.get("display_name")).split())
    if not title:
        raise ValueError("OpenAlex work has no title")
    doi = strip_doi_prefix(_text(work.get("doi"))).lower()
    arxiv_id = arxiv_id_of_doi(doi) if doi else None
    if arxiv_id:
        doi = ""  # arXiv's own DataCite DOI: the preprint's, not a publication's
    arxiv_id = arxiv_id or next(_arxiv_ids(work), None)
    year = work.get("publication_year")
    common: dict[str, Any] = {
        "source": SERVICE,
        "title": title,
        "authors": tuple(_authors(work.get("authorships"))),
        "year": str(year) if isinstance(year, int) else None,
        "arxiv_id": arxiv_id,
    }
    home = _mapping(_mapping(work.get("primary_location")).get("source"))
    typed = _VENUE_TYPES.get(_text(home.get("type")))
    if not doi or typed is None:
        return Record(
            entry_type="misc",
            doi=arxiv_doi(arxiv_id) if arxiv_id else doi or None,
            url=arxiv_abs_url(arxiv_id) if arxiv_id else None,
            kind=WorkKind.PREPRINT if arxiv_id else WorkKind.PUBLISHED,
            **common,
        )
    entry_type, field = typed
    name = _text(home.get("display_name"))
    known = venues.lookup(name) if name else None
    if known is not None:
        entry_type, field, name = (
            known.entry_type,
            known.bibtex_field,
            known.title_for(common["year"]),
        )
    venue = {field: name} if name else {}
    venue.update(_biblio(_mapping(work.get("biblio")), entry_type))
    return Record(
        entry_type=entry_type,
        doi=doi,
        url=f"https://doi.org/{doi}",
        venue=venue,
        kind=WorkKind.PUBLISHED,
        published_doi=doi,
        **common,
    )


def _named_arxiv_ids(work: Mapping[str, Any]) -> Iterator[str]:
    """Every arXiv id a work names: its own DataCite DOI, else its arXiv locations."""
    own = arxiv_id_of_doi(strip_doi_prefix(_text(work.get("doi"))))
    if own:
        yield own
    yield from _arxiv_ids(work)


def _arxiv_ids(work: Mapping[str, Any]) -> Iterator[str]:
    for location in work.get("locations") or ():
        for key in ("landing_page_url", "pdf_url"):
            found = _ARXIV_ABS.search(_text(_mapping(location).get(key)))
            if found:
                yield found[1]


def _authors(authorships: Any) -> Iterator[Person]:
    for authorship in authorships or ():
        name = _text(_mapping(_mapping(authorship).get("author")).get("display_name"))
        try:
            yield split_name(name)
        except ValueError:
            continue  # an empty name


def _biblio(biblio: Mapping[str, Any], entry_type: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    if entry_type == "article" and (volume := _text(biblio.get("volume"))):
        fields["volume"] = volume
    first, last = _text(biblio.get("first_page")), _text(biblio.get("last_page"))
    if first:
        fields["pages"] = f"{first}--{last}" if last and last != first else first
    return fields


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
