"""arXiv API (`export.arxiv.org/api/query`): batched `id_list` lookups and the Atom feed parser.

Parses both wire formats seen in the wild: the classic one (recorded 2019) and the current (2026).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from xml.etree.ElementTree import Element, ParseError

# No stubs ship with defusedxml; the parser it returns is the stdlib's.
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped, unused-ignore]

from list2bib.config import ServiceConfig
from list2bib.errors import ServiceError
from list2bib.infra.answers import HttpResponse, expect_xml
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, Record, WorkKind
from list2bib.resolve.sources import Lookup, fixed_batches
from list2bib.text.identifiers import arxiv_doi
from list2bib.text.names import split_name

SERVICE = "arxiv"
batches = fixed_batches  # `batch_size` keys a batch
CONCURRENT_BATCHES = False
# Up to this many ids go in a GET URL (about 1.2 kB); longer lists are POSTed as a form.
GET_IDS = 100

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"

# Atom entry element -> Record field (both wire formats use the same names, only order differs).
FIELD_MAP: dict[str, str] = {
    f"{ATOM}id": "arxiv_id (version dropped)",
    f"{ATOM}title": "title (whitespace collapsed)",
    f"{ATOM}published": "year, month (v1 date: what people cite)",
    f"{ATOM}author/{ATOM}name": "authors (names.split_name)",
    f"{ARXIV}primary_category@term": "primary_class",
    f"{ARXIV}doi": "published_doi (lower-cased)",
    f"{ARXIV}journal_ref": "journal_ref (whitespace collapsed)",
}
ABS_URL = "https://arxiv.org/abs/"

# `http://arxiv.org/abs/2104.12255v1`, `http://arxiv.org/abs/astro-ph/0601001v1`
_ENTRY_ID = re.compile(r"/abs/(?P<id>.+?)(?:v\d+)?$")
# "incorrect id format for abc" — the one per-id error the API reports.
_BAD_ID = re.compile(r"incorrect id format for (?P<id>\S+)", re.IGNORECASE)
BAD_ID_MESSAGE = "arXiv rejects the id format"
EMPTY_BATCH_RETRIES = 1
EMPTY_BATCH_MESSAGE = (
    f"{SERVICE}: no entry for any id of its batch (unknown ids, or arXiv overloaded)"
)


def fetch(http: Http, service: ServiceConfig, ids: Sequence[str]) -> Lookup:
    """Look up versionless arXiv ids, `service.batch_size` per request.

    A malformed id is marked failed and its batch asked again without it; a batch the service
    cannot answer marks only that batch's ids failed.
    """
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Record] = {}
    failed: dict[str, str] = {}
    for batch in _chunks(wanted, max(1, service.batch_size)):
        pending = list(batch)
        while pending:
            try:
                response = _query(http, service, pending)
            except ServiceError as exc:
                failed.update(dict.fromkeys(pending, str(exc)))
                break
            try:
                records, errors = parse_feed(response.content)
            except ValueError as exc:
                failed.update(dict.fromkeys(pending, f"{SERVICE}: {exc}"))
                break
            if response.status == 400:
                rejected = _rejected_ids(errors, pending)
                if not rejected:
                    detail = "; ".join(errors) or "bad request"
                    failed.update(dict.fromkeys(pending, f"{SERVICE}: {detail} (HTTP 400)"))
                    break
                failed.update(dict.fromkeys(rejected, BAD_ID_MESSAGE))
                pending = [i for i in pending if i not in rejected]
                continue
            if len(pending) > 1 and not records and is_empty_feed(response):
                failed.update(dict.fromkeys(pending, EMPTY_BATCH_MESSAGE))
                break
            found.update({i: records[i] for i in pending if i in records})
            break
    missing = frozenset(i for i in wanted if i not in found and i not in failed)
    return Lookup(found=found, missing=missing, failed=failed)


def _query(http: Http, service: ServiceConfig, ids: Sequence[str]) -> HttpResponse:
    # max_results must cover the batch: the API's default is 10, even for an id_list.
    params = {"id_list": ",".join(ids), "start": "0", "max_results": str(len(ids))}
    several = len(ids) > 1
    empty_answers = 0

    def unusable(response: HttpResponse) -> bool:
        # An empty feed for a whole batch is what arXiv answers when overloaded; asked once more,
        # an empty feed is taken as the answer (`fetch` then marks the batch failed, not missing).
        nonlocal empty_answers
        if is_throttled(response):
            return True
        if several and is_empty_feed(response) and not response.from_cache:
            empty_answers += 1
            return empty_answers <= EMPTY_BATCH_RETRIES
        return False

    # The API takes its parameters as a form too: a long id list does not fit in a URL.
    as_form = len(ids) > GET_IDS
    return http.request(
        "POST" if as_form else "GET",
        SERVICE,
        service.base_url,
        params=None if as_form else params,
        form=params if as_form else None,
        accept_status=(400,),
        retry_if=unusable,
        expect=expect_xml,
    )


def is_throttled(response: HttpResponse) -> bool:
    """A 200 that is not an Atom feed: arXiv throttles with a bare text body `Rate exceeded.`"""
    return b"<feed" not in response.content[:2048]


_ZERO_RESULTS = re.compile(rb"<opensearch:totalResults[^>]*>\s*0\s*<")


def is_empty_feed(response: HttpResponse) -> bool:
    """A feed with no entry at all. For one id that means "no such paper"; for a whole batch it is
    what arXiv answers when overloaded, and must be asked again rather than cached as "missing"."""
    return bool(_ZERO_RESULTS.search(response.content)) and b"<entry" not in response.content


def _rejected_ids(errors: Sequence[str], pending: Sequence[str]) -> set[str]:
    by_lower = {i.lower(): i for i in pending}
    rejected: set[str] = set()
    for summary in errors:
        match = _BAD_ID.search(summary)
        if match and match.group("id").lower() in by_lower:
            rejected.add(by_lower[match.group("id").lower()])
    return rejected


def parse_feed(xml: bytes) -> tuple[dict[str, Record], list[str]]:
    """An arXiv Atom feed -> (records by versionless id, error summaries). Raises ValueError when
    the body is not a readable feed."""
    try:
        root: Element = fromstring(xml)
    except ParseError as exc:
        raise ValueError(f"unreadable Atom feed ({exc})") from None
    if root.tag != f"{ATOM}feed":
        raise ValueError(f"not an Atom feed (root element {root.tag})")
    records: dict[str, Record] = {}
    errors: list[str] = []
    for entry in root.iter(f"{ATOM}entry"):
        if "/api/errors" in _text(entry, f"{ATOM}id"):
            errors.append(_text(entry, f"{ATOM}summary"))
            continue
        record = parse_entry(entry)
        if record is not None and record.arxiv_id is not None:
            records[record.arxiv_id] = record
    return records, errors


def parse_entry(entry: Element) -> Record | None:
    """One Atom `<entry>` -> Record, or None for the classic API's id-less "not found" entries."""
    match = _ENTRY_ID.search(_text(entry, f"{ATOM}id"))
    if match is None:
        return None
    arxiv_id = match.group("id")
    published = _text(entry, f"{ATOM}published")
    year, month = _year_month(published)
    primary = entry.find(f"{ARXIV}primary_category")
    doi = _text(entry, f"{ARXIV}doi")
    return Record(
        source=SERVICE,
        entry_type="misc",
        title=_text(entry, f"{ATOM}title"),
        authors=tuple(_authors(entry)),
        year=year,
        month=month,
        doi=arxiv_doi(arxiv_id),
        arxiv_id=arxiv_id,
        primary_class=(primary.get("term") or None) if primary is not None else None,
        url=ABS_URL + arxiv_id,
        kind=WorkKind.PREPRINT,
        # Rarely several DOIs separated by spaces: the first is the article's.
        published_doi=doi.split()[0].lower() if doi else None,
        journal_ref=_text(entry, f"{ARXIV}journal_ref") or None,
    )


def _authors(entry: Element) -> Iterator[Person]:
    for author in entry.findall(f"{ATOM}author"):
        name = _text(author, f"{ATOM}name")
        if name:
            yield split_name(name)


def _year_month(stamp: str) -> tuple[str | None, int | None]:
    match = re.match(r"(\d{4})-(\d{2})", stamp)
    if match is None:
        return None, None
    return match.group(1), int(match.group(2))


def _text(element: Element, path: str) -> str:
    """Text of a child, whitespace collapsed (2019 titles and comments are hard-wrapped)."""
    return " ".join((element.findtext(path) or "").split())


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def key_of(identifier: Identifier) -> str | None:
    """The id this source is asked with for an identifier (None: not this source's kind)."""
    return identifier.value if identifier.kind is IdKind.ARXIV else None
