"""DBLP by proceedings volume: the papers of one volume from one search by its table of contents
(`toc:db/conf/iclr/iclr2024.bht:`, up to 1000 hits a request), each taken by its exact DBLP key,
and the volume's own record (editors, series, publisher) once for all of them. Keys whose volume
cannot be named, too few to pay for it, or not among its hits are asked one `.bib` each
(`dblp.fetch`). The first page is the one bet: a volume whose first page holds fewer than two of
the keys (a wrongly named volume, or one of several pages) costs one request more than no bet."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from list2bib.config import ServiceConfig
from list2bib.errors import ServiceError
from list2bib.infra.answers import expect_json
from list2bib.infra.http import Http
from list2bib.model import Identifier, Record
from list2bib.resolve import venues
from list2bib.resolve.sources import Lookup, dblp

SERVICE = dblp.SERVICE
TOC_HITS = 1000  # the most DBLP sends in one answer
# A volume is asked for at least this many papers: its first page and its own record cost two
# requests, so it must replace three `.bib` requests or more to save any.
MIN_PAPERS = 3
EDITORSHIP = "Editorship"
# Conference streams with one volume a year, named `<name><year>` (ACL, EMNLP and ECCV have several:
# their papers are asked one by one). NeurIPS's are `nips<year>` up to 2019, `neurips<year>` since.
_YEARLY = frozenset(
    {"iclr", "icml", "nips", "aistats", "colt", "uai", "corl", "ijcai", "aaai", "cvpr", "iccv",
     "wacv"}
)  # fmt: skip
_NEURIPS_FROM = 2020
# A record key's last part ends in the two digits of its year, then an optional letter
# (`GouldOOC24`, `Smith24a`).
_KEY = re.compile(r"^conf/(?P<name>[a-z0-9]+)/[^/]*?(?P<yy>\d{2})[a-z]?$")


def volume_of(key: str) -> str | None:
    """The table of contents a conference paper's key most likely sits in (`conf/iclr/GouldOOC24`
    -> `db/conf/iclr/iclr2024.bht`), or None for a stream without a known yearly volume. The year
    is the key's: DBLP names a record by its year, so a key of another year (ICLR 2015's
    `KingmaB14`) is not among the volume's hits and is asked on its own."""
    found = _KEY.match(key)
    if found is None or found["name"] not in _YEARLY:
        return None
    name, yy = found["name"], int(found["yy"])
    year = 1900 + yy if yy >= 50 else 2000 + yy
    toc = "neurips" if name == "nips" and year >= _NEURIPS_FROM else name
    return f"db/conf/{name}/{toc}{year}.bht"


def key_of(identifier: Identifier) -> str | None:
    return dblp.key_of(identifier)


@dataclass(frozen=True, slots=True)
class TocPage:
    """One answer of a `toc:` search: DBLP's counters and each hit's `info`."""

    total: int
    sent: int
    hits: list[Mapping[str, Any]]


def parse_toc_page(data: Any) -> TocPage:
    """A `/search/publ/api?format=json` answer (counters are strings; no `hit` key when nothing
    matched; one hit may come as an object) -> TocPage; ValueError if not that shape."""
    if not isinstance(data, Mapping) or not isinstance(data.get("result"), Mapping):
        raise ValueError("no `result` object")
    hits = data["result"].get("hits")
    if not isinstance(hits, Mapping):
        raise ValueError("no `hits` object")
    try:
        total, sent = int(str(hits.get("@total", "0"))), int(str(hits.get("@sent", "0")))
    except ValueError:
        raise ValueError("counters are not numbers") from None
    raw = hits.get("hit") if total else None
    listed = raw if isinstance(raw, list) else [raw] if raw else []
    infos = [dblp.mapping(hit).get("info") for hit in listed]
    kept = [info for info in infos if isinstance(info, Mapping)]
    return TocPage(total, sent or len(kept), kept)


@dataclass(slots=True)  # not frozen: `Source` names SERVICE as a plain attribute
class Volumes:
    """A `Source` for `Lookups.fetch` that asks DBLP per volume. `optional`: keys taken when
    their volume's hits carry them (they cost nothing), never asked on their own."""

    optional: Collection[str] = field(default_factory=frozenset)
    SERVICE = SERVICE
    CONCURRENT_BATCHES = False

    def key_of(self, identifier: Identifier) -> str | None:
        return dblp.key_of(identifier)

    def batches(self, service: ServiceConfig, keys: Sequence[str]) -> Iterable[list[str]]:
        """One batch per volume with enough papers to pay for it, one per other key."""
        by_volume: dict[str | None, list[str]] = {}
        for key in keys:
            by_volume.setdefault(volume_of(key), []).append(key)
        for volume, grouped in by_volume.items():
            if volume is not None and len(grouped) >= MIN_PAPERS:
                yield grouped
            else:
                yield from ([key] for key in grouped)

    def fetch(self, http: Http, service: ServiceConfig, keys: Sequence[str]) -> Lookup:
        volume = volume_of(keys[0]) if keys else None
        if volume is None or len(keys) < MIN_PAPERS or any(volume_of(k) != volume for k in keys):
            return dblp.fetch(http, service, keys)
        found, front = self._ask_volume(http, service, volume, keys)
        if found and front is not None:
            found = _with_proceedings(http, service, front, found)
        rest = dblp.fetch(http, service, [k for k in keys if k not in found])
        return replace(rest, found={**found, **rest.found})

    def _ask_volume(
        self, http: Http, service: ServiceConfig, volume: str, keys: Sequence[str]
    ) -> tuple[dict[str, Record], str | None]:
        """The records of `keys` (and of optional keys) among the volume's hits, and the key of
        the volume's own record. Pages are asked while they cost less than the `.bib` requests
        of the keys still unseen; a failed page ends the search (those keys are asked alone)."""
        wanted, found, front = set(keys), dict[str, Record](), None
        url = f"{service.base_url.rstrip('/')}/search/publ/api"
        first = pages = 0
        while True:
            params = {"q": f"toc:{volume}:", "format": "json", "h": str(TOC_HITS), "f": str(first)}
            try:
                response = http.get(SERVICE, url, params=params, expect=expect_json)
                page = parse_toc_page(response.json())
            except (ServiceError, ValueError):
                break
            pages += 1
            for info in page.hits:
                key = dblp.hit_text(info.get("key"))
                if dblp.hit_text(info.get("type")) == EDITORSHIP:
                    front = front or key or None
                elif (key in wanted or key in self.optional) and (
                    record := dblp.parse_hit(info)
                ) is not None:
                    found[key] = record
            first += page.sent
            unseen = len(wanted - found.keys())
            if not unseen or not page.sent or first >= page.total:
                break
            if math.ceil((page.total - first) / page.sent) >= unseen:
                break  # the rest of the volume costs more than asking the unseen keys alone
        return found, front


def _with_proceedings(
    http: Http, service: ServiceConfig, front: str, found: dict[str, Record]
) -> dict[str, Record]:
    """The papers' records completed from the volume's own `.bib`, as a paper's `.bib` has it:
    the volume's full title, editors, series and its volume number, publisher."""
    answer = dblp.fetch(http, service, [front]).found.get(front)
    if answer is None:
        return found
    return {key: with_volume(record, answer) for key, record in found.items()}


def with_volume(paper: Record, volume: Record) -> Record:
    """A paper's record from a search hit, with what its volume's record adds."""
    fields = dict(paper.venue)
    field_name = "journal" if paper.entry_type == "article" else "booktitle"
    if volume.title:
        fields[field_name] = venues.normalise(field_name, volume.title, paper.year)
    for name in ("editor", "series", "publisher"):
        if volume.venue.get(name):
            fields[name] = volume.venue[name]
    if volume.venue.get("volume") and "series" in fields:
        fields["volume"] = volume.venue["volume"]
    return replace(paper, venue=fields)
