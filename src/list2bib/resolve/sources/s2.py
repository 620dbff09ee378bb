"""Semantic Scholar Graph API: batched `POST /paper/batch` lookups, title search, and the parser
that turns an S2 paper into a Record (published venue record, or the arXiv preprint).

Title search asks `/paper/search` (relevance list, `limit=5`) rather than `/paper/search/match`:
match returns only its single best paper, so the acceptance rule could never see a runner-up such
as "... in Mamba" beside "... in GPT"; the list costs the same one request. `/paper/search/match`
is asked only when the list is empty (hyphens and odd punctuation make keyword search miss).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from list2bib.config import ServiceConfig
from list2bib.errors import ServiceError
from list2bib.infra.answers import HttpResponse, expect_json
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, Record, WorkKind
from list2bib.resolve import venues
from list2bib.resolve.sources import Lookup, TitleQuery, fixed_batches
from list2bib.text.identifiers import arxiv_doi, arxiv_id_of_doi
from list2bib.text.names import split_name

SERVICE = "s2"
batches = fixed_batches  # `batch_size` keys a batch
CONCURRENT_BATCHES = False

# Asked for every paper; `abstract` is left out to keep 500-paper answers small.
FIELDS = (
    "title,authors,year,venue,publicationVenue,journal,externalIds,publicationTypes,publicationDate"
)
SEARCH_LIMIT = 5
# S2 paper field -> Record field.
FIELD_MAP: dict[str, str] = {
    "title": "title",
    "authors[].name": "authors (names.split_name)",
    "year / publicationDate": "year, month",
    "publicationVenue.name / venue / journal.name": "venue booktitle|journal (venues.py title)",
    "journal.volume, journal.pages": "venue volume (articles), pages",
    "externalIds.DOI": "doi, published_doi (not 10.48550 arXiv DOIs)",
    "externalIds.ArXiv / DBLP / ACL": "arxiv_id / dblp_key / acl_id",
    "publicationVenue.type / publicationTypes": "entry_type when the venue is unknown",
}
ARXIV_ABS = "https://arxiv.org/abs/"
# Names S2 gives arXiv itself (venue `arXiv.org`, journal `ArXiv`, publicationVenue `arXiv.org`).
_ARXIV_VENUES = frozenset({"arxiv", "arxiv.org", "corr", "arxiv (cornell university)"})
_PAGES_DASH = re.compile(r"\s*[-\u2010-\u2015]+\s*")


def key_of(identifier: Identifier) -> str | None:
    """S2's id form: `ARXIV:<id>`, `DOI:<doi>`, `ACL:<id>`, or the S2 id itself."""
    if identifier.kind is IdKind.ARXIV:
        return arxiv_key(identifier.value)
    if identifier.kind is IdKind.DOI:
        value = identifier.value
        if (arxiv_id := arxiv_id_of_doi(value)) is not None:
            return arxiv_key(arxiv_id)
        return f"DOI:{value}"
    if identifier.kind is IdKind.ACL:
        return f"ACL:{identifier.value}"
    if identifier.kind is IdKind.S2:
        return identifier.value
    return None


def arxiv_key(arxiv_id: str) -> str:
    """The key a preprint is asked (and found) with."""
    return f"ARXIV:{arxiv_id}"


def fetch(http: Http, service: ServiceConfig, keys: Sequence[str]) -> Lookup:
    """Look up S2 ids, `service.batch_size` (≤ 500) per POST; `null` answers are missing."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, Record] = {}
    missing: set[str] = set()
    failed: dict[str, str] = {}
    size = max(1, min(service.batch_size, 500))
    for start in range(0, len(wanted), size):
        batch = wanted[start : start + size]
        try:
            response = http.post(
                SERVICE,
                f"{service.base_url.rstrip('/')}/paper/batch",
                params={"fields": FIELDS},
                json_body={"ids": batch},
                headers=_headers(service),
                expect=expect_json,
                accept_status=(400,),
            )
        except ServiceError as exc:
            failed.update(dict.fromkeys(batch, str(exc)))
            continue
        try:
            papers = _batch_answer(response, len(batch))
        except (ValueError, ServiceError) as exc:
            failed.update(dict.fromkeys(batch, f"{SERVICE}: {exc}"))
            continue
        for key, paper in zip(batch, papers, strict=True):
            if paper is None:
                missing.add(key)
                continue
            try:
                found[key] = parse_paper(paper)
            except ValueError as exc:
                failed[key] = f"{SERVICE}: unusable paper for {key}: {exc}"
    return Lookup(found=found, missing=frozenset(missing), failed=failed)


def _headers(service: ServiceConfig) -> dict[str, str]:
    # net.py keeps x-api-key out of cache keys and logs; it is only ever sent as this header.
    return {"x-api-key": service.api_key} if service.api_key else {}


def _batch_answer(response: HttpResponse, expected: int) -> list[Mapping[str, Any] | None]:
    data = _json(response)
    if response.status == 400:
        raise ValueError(f"{_error_text(data)} (HTTP 400)")
    if not isinstance(data, list) or len(data) != expected:
        raise ValueError(f"batch answer is not a list of {expected} papers")
    return [paper if isinstance(paper, Mapping) else None for paper in data]


def search(http: Http, service: ServiceConfig, query: TitleQuery) -> list[Record]:
    """Title candidates, S2's relevance order; [] when none. Raises ServiceError."""
    base = service.base_url.rstrip("/")
    text = _query_text(query.title)
    if not text:
        return []
    response = http.get(
        SERVICE,
        f"{base}/paper/search",
        params={"query": text, "limit": str(SEARCH_LIMIT), "fields": FIELDS},
        headers=_headers(service),
        expect=expect_json,
    )
    records = _search_records(response, "data")
    if records:
        return records
    response = http.get(
        SERVICE,
        f"{base}/paper/search/match",
        params={"query": text, "fields": FIELDS},
        headers=_headers(service),
        expect=expect_json,
        accept_status=(404,),  # {"error":"Title match not found"}
    )
    return [] if response.status == 404 else _search_records(response, "data")


def _query_text(title: str) -> str:
    """S2's keyword search finds nothing for hyphenated terms: hyphens become spaces."""
    return " ".join(re.sub(r"[-\u2010-\u2015]", " ", title).split())


def _search_records(response: HttpResponse, key: str) -> list[Record]:
    data = _json(response)
    papers = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(papers, list):
        raise ServiceError(SERVICE, "search answer has no paper list", url=response.url)
    return parse_papers(papers)


def parse_papers(papers: Sequence[Any]) -> list[Record]:
    """The usable papers of a search answer, in order (untitled ones skipped)."""
    records = []
    for paper in papers:
        if isinstance(paper, Mapping) and paper.get("title"):
            records.append(parse_paper(paper))
    return records


def parse_paper(paper: Mapping[str, Any]) -> Record:
    """One S2 paper object -> Record; ValueError when it has no title."""
    title = " ".join(str(paper.get("title") or "").split())
    if not title:
        raise ValueError("S2 paper has no title")
    ext = _mapping(paper.get("externalIds"))
    arxiv_id = _text(ext.get("ArXiv")) or None
    raw_doi = _text(ext.get("DOI")).lower()
    if (doi_arxiv_id := arxiv_id_of_doi(raw_doi)) is not None:
        arxiv_id = arxiv_id or doi_arxiv_id
        raw_doi = ""
    year, month = _date(paper)
    common: dict[str, Any] = {
        "source": SERVICE,
        "title": title,
        "authors": tuple(_authors(paper.get("authors"))),
        "year": year,
        "month": month,
        "arxiv_id": arxiv_id,
        "dblp_key": _text(ext.get("DBLP")) or None,
        "acl_id": _text(ext.get("ACL")) or None,
        "abstract": _text(paper.get("abstract")) or None,
    }
    names = list(_venue_names(paper))
    if not names and not raw_doi:
        # Only arXiv (or nothing at all) is known: the preprint, or a bare untyped record.
        return Record(
            entry_type="misc",
            doi=arxiv_doi(arxiv_id) if arxiv_id else None,
            url=f"{ARXIV_ABS}{arxiv_id}" if arxiv_id else _text(paper.get("url")) or None,
            kind=WorkKind.PREPRINT if arxiv_id else WorkKind.PUBLISHED,
            **common,
        )
    entry_type, venue = _venue(paper, names, year)
    url = f"https://doi.org/{raw_doi}" if raw_doi else None
    if url is None and arxiv_id:
        url = f"https://arxiv.org/abs/{arxiv_id}"
    return Record(
        entry_type=entry_type,
        doi=raw_doi or None,
        url=url or _text(paper.get("url")) or None,
        venue=venue,
        kind=WorkKind.PUBLISHED,
        published_doi=raw_doi or None,
        **common,
    )


def _venue_names(paper: Mapping[str, Any]) -> Iterator[str]:
    """The paper's venue names, most specific first, arXiv's own names left out. A Findings
    paper's journal name says Findings while its venue says the main conference."""
    journal = _mapping(paper.get("journal"))
    pub_venue = _mapping(paper.get("publicationVenue"))
    journal_name = _text(journal.get("name"))
    ordered = [
        journal_name if "findings" in journal_name.lower() else "",
        _text(pub_venue.get("name")),
        _text(paper.get("venue")),
        journal_name,
    ]
    seen: set[str] = set()
    for name in ordered:
        if name and name.lower() not in _ARXIV_VENUES and name.lower() not in seen:
            seen.add(name.lower())
            yield name


def _venue(
    paper: Mapping[str, Any], names: Sequence[str], year: str | None
) -> tuple[str, dict[str, str]]:
    known = next((v for name in names if (v := venues.lookup(name)) is not None), None)
    journal = _mapping(paper.get("journal"))
    if known is not None:
        entry_type, field, name = known.entry_type, known.bibtex_field, known.title_for(year)
    else:
        entry_type = _entry_type(paper)
        field = "booktitle" if entry_type == "inproceedings" else "journal"
        name = names[0] if names else ""
    venue: dict[str, str] = {field: name} if name else {}
    volume = _text(journal.get("volume"))
    if entry_type == "article" and volume and not volume.lower().startswith("abs/"):
        venue["volume"] = volume
    pages = _text(journal.get("pages"))
    if pages:
        venue["pages"] = _PAGES_DASH.sub("--", pages)
    return entry_type, venue


def _entry_type(paper: Mapping[str, Any]) -> str:
    """For venues the table does not know: publicationVenue.type, else publicationTypes."""
    kind = _text(_mapping(paper.get("publicationVenue")).get("type")).lower()
    if kind in {"conference", "journal"}:
        return "inproceedings" if kind == "conference" else "article"
    types = paper.get("publicationTypes")
    if isinstance(types, list) and "Conference" in types:
        return "inproceedings"
    return "article"


def _authors(value: Any) -> Iterator[Person]:
    for author in value if isinstance(value, list) else ():
        name = _text(author.get("name")) if isinstance(author, Mapping) else ""
        if name:
            yield split_name(name)


def _date(paper: Mapping[str, Any]) -> tuple[str | None, int | None]:
    stamp = _text(paper.get("publicationDate"))
    match = re.match(r"(\d{4})-(\d{2})", stamp)
    year = _text(paper.get("year")) or (match.group(1) if match else "")
    month = int(match.group(2)) if match and match.group(1) == year else None
    return year or None, month if month and 1 <= month <= 12 else None


def _json(response: HttpResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ServiceError(
            SERVICE, "answer is not JSON", url=response.url, status=response.status
        ) from None


def _error_text(data: Any) -> str:
    if isinstance(data, Mapping):
        return _text(data.get("error") or data.get("message")) or "bad request"
    return "bad request"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())
