"""One module per bibliographic service, all the same small shape (`Source`): a thin `fetch()` over
`infra.http.Http` and pure `parse_*()` functions that turn a service's answer into `Record`s.

A source that can search by title also provides `search(http, service_config, query: TitleQuery)
-> list[Record]` (`Searcher`: candidates, best first; [] when none; raises `ServiceError` when it
cannot be asked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from list2bib.config import ServiceConfig
from list2bib.errors import ServiceError
from list2bib.infra.answers import HttpResponse
from list2bib.infra.http import Http
from list2bib.model import Identifier, Record


@dataclass(frozen=True, slots=True)
class Lookup:
    """What one source said about a set of ids (keys are the ids as asked).

    `missing`: the service answered and has no such work. `failed`: the service could not be asked
    (throttled, down, malformed answer) — the id may well exist; the text says why. `related`:
    identifiers an answer names besides its own record (a project page linking its arXiv paper).
    `refused`: links not asked because their host is not public (only resolving it, or a
    redirect, told): why; a finding on the list.
    """

    found: dict[str, Record] = field(default_factory=dict)
    missing: AbstractSet[str] = frozenset()
    failed: dict[str, str] = field(default_factory=dict)
    related: dict[str, tuple[Identifier, ...]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TitleQuery:
    """What a title search knows about the work: the list's title and whatever hints it gave."""

    title: str
    first_author: str | None = None  # family name, when the list names authors
    year: str | None = None
    venue: str | None = None  # the list's venue hint, e.g. "NeurIPS 2022"


class Source(Protocol):
    """What a module in `sources/` provides: its name in config (`SERVICE`), the key it is asked
    with (`key_of`: None when the identifier is not its kind), how its keys are cut into
    requests (`batches`) and whether those may run at once (`CONCURRENT_BATCHES`), and `fetch`."""

    SERVICE: str
    # True only when the batches go to different hosts (pages: one batch per site); a service's
    # own batches go one at a time, as its terms ask (arXiv: a single connection).
    CONCURRENT_BATCHES: bool

    def key_of(self, identifier: Identifier) -> str | None: ...

    def batches(self, service: ServiceConfig, keys: Sequence[str]) -> Iterable[list[str]]: ...

    def fetch(self, http: Http, service: ServiceConfig, keys: Sequence[str]) -> Lookup: ...


class Searcher(Protocol):
    """A source that also finds works by title."""

    SERVICE: str

    def search(self, http: Http, service: ServiceConfig, query: TitleQuery) -> list[Record]: ...


def read_search(
    service: str, response: HttpResponse, parse: Callable[[Any], list[Record]]
) -> list[Record]:
    """`parse` over a title search's JSON answer; an answer it rejects (ValueError) means the
    search could not be asked: a ServiceError."""
    try:
        return parse(response.json())
    except ValueError as exc:
        raise ServiceError(
            service, f"unusable search answer: {exc}", url=response.url, status=response.status
        ) from None


def fixed_batches(service: ServiceConfig, keys: Sequence[str]) -> list[list[str]]:
    """`batch_size` keys a batch: the cut of every source whose requests have no other limit."""
    size = max(1, service.batch_size)
    return [list(keys[i : i + size]) for i in range(0, len(keys), size)]


@dataclass(frozen=True, slots=True)
class PerKey:
    """How a service without a batch interface is asked about one key: GET `<base URL><path>`,
    the key percent-encoded into `path`'s `{}` (`safe`: the characters left as they are). An
    answer with a `gone` status means the service has no such work."""

    service: str
    path: str
    safe: str = "/"
    gone: tuple[int, ...] = (404,)
    headers: Mapping[str, str] | None = None
    params: Mapping[str, str] | None = None


def get_each(
    http: Http,
    service: ServiceConfig,
    keys: Sequence[str],
    ask: PerKey,
    read: Callable[[str, HttpResponse], Record | str],
    check: Callable[[str], Callable[[HttpResponse], object]],
) -> Lookup:
    """One GET per key, as `ask` says. A `gone` answer is `missing`, a request that failed for
    good is `failed` with the reason; `read` turns any other answer into the key's record, or
    into the reason it is `failed` (an unusable answer). `check(key)` is the test `Http` runs on
    an answer: one that fails it is asked again."""
    base = service.base_url.rstrip("/")
    found: dict[str, Record] = {}
    missing: set[str] = set()
    failed: dict[str, str] = {}
    for key in dict.fromkeys(keys):
        try:
            response = http.get(
                ask.service,
                base + ask.path.format(quote(key, safe=ask.safe)),
                params=ask.params,
                headers=ask.headers,
                accept_status=ask.gone,
                expect=check(key),
            )
        except ServiceError as exc:
            failed[key] = str(exc)
            continue
        if response.status in ask.gone:
            missing.add(key)
            continue
        answer = read(key, response)
        if isinstance(answer, str):
            failed[key] = answer
        else:
            found[key] = answer
    return Lookup(found=found, missing=frozenset(missing), failed=failed)
