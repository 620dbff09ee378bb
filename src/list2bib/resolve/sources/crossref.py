"""Crossref REST API: many DOIs per request (`/works?filter=doi:a,doi:b`) and bibliographic title
search (`query.bibliographic`). Items are CSL-like and parsed by `doi.parse_csl`; container titles
are then put right by the venue table (Crossref truncates some: "... Conference of the North")."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from list2bib.config import ServiceConfig
from list2bib.errors import ServiceError
from list2bib.infra.answers import HttpResponse, expect_json
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Record
from list2bib.resolve import venues
from list2bib.resolve.sources import Lookup, TitleQuery, read_search
from list2bib.resolve.sources.doi import ACL_DOI_PREFIX, parse_csl

SERVICE = "crossref"
CONCURRENT_BATCHES = False  # one host; `batches` below cuts them to fit its URL limit
SEARCH_ROWS = 5
# Only what parse_csl reads: a full item carries its reference list and is many times larger.
SELECT = (
    "DOI,title,subtitle,author,container-title,event,type,issued,published-print,"
    "published-online,page,volume,issue,publisher,URL"
)
ARXIV_DOI_PREFIX = "10.48550/"  # DataCite's arXiv DOIs: Crossref answers 404 for them


def key_of(identifier: Identifier) -> str | None:
    """The lower-cased Crossref DOI (ACL Anthology papers have `10.18653/v1/<id>`)."""
    if identifier.kind is IdKind.DOI and not identifier.value.lower().startswith(ARXIV_DOI_PREFIX):
        return identifier.value.lower()
    if identifier.kind is IdKind.ACL:
        return (ACL_DOI_PREFIX + identifier.value).lower()
    return None


def fetch(http: Http, service: ServiceConfig, dois: Sequence[str]) -> Lookup:
    """`service.batch_size` DOIs per request. DOIs the answer lacks are missing (the caller may
    ask doi.org, which also knows DataCite); a batch Crossref rejects (HTTP 400) is split in
    halves until the DOI it objects to is alone, and only that one fails."""
    wanted = list(dict.fromkeys(d.lower() for d in dois))
    found: dict[str, Record] = {}
    failed: dict[str, str] = {}
    # A comma would split the filter value: such DOIs are left to doi.org.
    askable = [d for d in wanted if "," not in d]
    size = max(1, service.batch_size)
    for batch in _batches(askable, size, _filter_budget(service, size)):
        _ask(http, service, batch, found, failed)
    missing = frozenset(d for d in wanted if d not in found and d not in failed)
    return Lookup(found=found, missing=missing, failed=failed)


# Crossref refuses a request line (`GET <path>?<query> HTTP/1.1`) over 4096 bytes with HTTP 414;
# the filter gets what the rest of the line leaves, less a margin for proxies that add to it.
MAX_REQUEST_LINE = 4096
LINE_MARGIN = 96


def _filter_budget(service: ServiceConfig, size: int) -> int:
    """Bytes the percent-encoded `doi:` filter may take in one request."""
    others = urlencode({"rows": str(size), "select": SELECT})
    path = urlsplit(service.base_url).path.rstrip("/") + "/works"
    line = len("GET ") + len(path) + len("?filter=&") + len(others) + len(" HTTP/1.1")
    return MAX_REQUEST_LINE - LINE_MARGIN - line


def batches(service: ServiceConfig, dois: Sequence[str]) -> Iterator[list[str]]:
    """The requests `fetch` makes for `dois` (callers that count or spread them use this)."""
    size = max(1, service.batch_size)
    return _batches(
        list(dict.fromkeys(d.lower() for d in dois)), size, _filter_budget(service, size)
    )


def _batches(dois: Sequence[str], size: int, budget: int) -> Iterator[list[str]]:
    """At most `size` DOIs per batch, and no more than fit in `budget` bytes once encoded."""
    batch: list[str] = []
    length = 0
    for doi in dois:
        cost = len(quote(f"doi:{doi},", safe=""))
        if batch and (len(batch) >= size or length + cost > budget):
            yield batch
            batch, length = [], 0
        batch.append(doi)
        length += cost
    if batch:
        yield batch


def _ask(
    http: Http,
    service: ServiceConfig,
    batch: Sequence[str],
    found: dict[str, Record],
    failed: dict[str, str],
) -> None:
    params = {
        "filter": ",".join(f"doi:{d}" for d in batch),
        "rows": str(len(batch)),
        "select": SELECT,
    }
    try:
        response = http.get(
            SERVICE,
            f"{service.base_url.rstrip('/')}/works",
            params=params,
            accept_status=(400,),
            expect=expect_json,
        )
    except ServiceError as exc:
        failed.update(dict.fromkeys(batch, str(exc)))
        return
    if response.status == 400:
        if len(batch) > 1:
            half = len(batch) // 2
            _ask(http, service, batch[:half], found, failed)
            _ask(http, service, batch[half:], found, failed)
        else:
            failed[batch[0]] = f"{SERVICE}: rejects {batch[0]}: {_failure_text(response)}"
        return
    try:
        items = list(_items(response))
    except ValueError as exc:
        failed.update(dict.fromkeys(batch, f"{SERVICE}: unusable answer: {exc}"))
        return
    wanted = set(batch)
    for item in items:
        doi = str(item.get("DOI") or "").lower()
        if doi not in wanted:
            continue
        try:
            found[doi] = parse_item(item)
        except ValueError as exc:
            failed[doi] = f"{SERVICE}: unusable item for {doi}: {exc}"


def search(http: Http, service: ServiceConfig, query: TitleQuery) -> list[Record]:
    """Title candidates in Crossref's order (its `score` is never used: its scale has changed
    before). The first author's name narrows the query when the list gives it."""
    title = " ".join(query.title.split())
    if not title:
        return []
    params = {"query.bibliographic": title, "rows": str(SEARCH_ROWS), "select": SELECT}
    if query.first_author:
        params["query.author"] = query.first_author
    response = http.get(
        SERVICE, f"{service.base_url.rstrip('/')}/works", params=params, expect=expect_json
    )
    return read_search(SERVICE, response, parse_work_list)


def parse_work_list(data: Any) -> list[Record]:
    """A `work-list` message -> its usable items as Records, in order; ValueError otherwise."""
    records = []
    for item in _message_items(data):
        try:
            records.append(parse_item(item))
        except ValueError:
            continue  # an untitled item (Crossref has some) is no candidate
    return records


def parse_item(item: Mapping[str, Any]) -> Record:
    """One Crossref REST item -> Record: the CSL parse, with the container put right."""
    record = parse_csl(item)
    venue = dict(record.venue)
    for field in ("booktitle", "journal"):
        if field in venue:
            venue[field] = venues.normalise(field, venue[field], record.year)
    return replace(record, source=SERVICE, venue=venue)


def _items(response: HttpResponse) -> Iterator[Mapping[str, Any]]:
    try:
        data = response.json()
    except ValueError:
        raise ValueError("not JSON") from None
    yield from _message_items(data)


def _message_items(data: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(data, Mapping) or data.get("message-type") != "work-list":
        raise ValueError("not a work-list message")
    message = data.get("message")
    items = message.get("items") if isinstance(message, Mapping) else None
    if not isinstance(items, list):
        raise ValueError("work-list without items")
    yield from (item for item in items if isinstance(item, Mapping))


def _failure_text(response: HttpResponse) -> str:
    """Crossref's validation failure: `{"status":"failed","message":[{"message": ...}]}`."""
    try:
        data = response.json()
    except ValueError:
        return "bad request"
    messages = data.get("message") if isinstance(data, Mapping) else None
    texts = [str(m.get("message")) for m in messages or [] if isinstance(m, Mapping)]
    return "; ".join(texts) or "bad request"
