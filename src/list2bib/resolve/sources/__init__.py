"""One module per bibliographic service, all the same small shape: a thin `fetch()` over `net.Http`
and pure `parse_*()` functions that turn a service's answer into `Record`s.

A source module provides `SERVICE` (its name in config), `key_of(identifier) -> str | None` (the id
it is asked with, None when the identifier is not its kind) and
`fetch(http, service_config, keys) -> Lookup`; a source that can search by title also provides
`search(http, service_config, query: TitleQuery) -> list[Record]` (candidates, best first; [] when
none; raises `ServiceError` when it cannot be asked).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from list2bib.model import Identifier, Record


@dataclass(frozen=True, slots=True)
class Lookup:
    """What one source said about a set of ids (keys are the ids as asked).

    `missing`: the service answered and has no such work. `failed`: the service could not be asked
    (throttled, down, malformed answer) — the id may well exist; the text says why. `related`:
    identifiers an answer names besides its own record (a project page linking its arXiv paper).
    """

    found: dict[str, Record] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()
    failed: dict[str, str] = field(default_factory=dict)
    related: dict[str, tuple[Identifier, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TitleQuery:
    """What a title search knows about the work: the list's title and whatever hints it gave."""

    title: str
    first_author: str | None = None  # family name, when the list names authors
    year: str | None = None
    venue: str | None = None  # the list's venue hint, e.g. "NeurIPS 2022"
