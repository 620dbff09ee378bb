"""One module per bibliographic service, all the same small shape: a thin `fetch()` over `net.Http`
and pure `parse_*()` functions that turn a service's answer into `Record`s."""

from __future__ import annotations

from dataclasses import dataclass, field

from list2bib.model import Record


@dataclass(frozen=True, slots=True)
class Lookup:
    """What one source said about a set of ids (keys are the ids as asked).

    `missing`: the service answered and has no such work. `failed`: the service could not be asked
    (throttled, down, malformed answer) — the id may well exist; the text says why.
    """

    found: dict[str, Record] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()
    failed: dict[str, str] = field(default_factory=dict)
