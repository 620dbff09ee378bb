"""Every answer of a run, by service: asked once per id, kept for `settle` to read.

`Lookups.fetch` batches the keys not asked before; the helpers name the identities records carry.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from list2bib.config import Config
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Record
from list2bib.resolve.sources import Lookup, Source, arxiv, crossref, doi, openreview, page, s2
from list2bib.text.identity import published_doi

# Batches fetched at once when a source's batches may run together (pages: each site still one
# request at a time, at its pace).
BATCH_WORKERS = 8


@contextmanager
def worker_pool(http: Http, workers: int) -> Iterator[ThreadPoolExecutor]:
    """Threads asking different hosts at once. When the run is interrupted (Ctrl-C, or an error)
    every request stops and the pool is left without waiting: the threads still in a request end
    with it, none waits out its retries, no queued task starts."""
    pool = ThreadPoolExecutor(workers)
    try:
        yield pool
    except BaseException:
        http.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


class Progress(Protocol):
    """Where resolution reports how far it is (the CLI draws a bar; tests pass nothing). Stages
    run at once on different hosts, so each step names its stage."""

    def add(self, total: int, description: str) -> None: ...

    def advance(self, description: str, steps: int = 1) -> None: ...


class NoProgress:
    """Progress reported nowhere."""

    def add(self, total: int, description: str) -> None:
        pass

    def advance(self, description: str, steps: int = 1) -> None:
        pass


class Evidence(StrEnum):
    DBLP_SEARCH = "DBLP lists a publication of the same title and first author"


@dataclass
class Lookups:
    """Every answer of this run, by service; `fetch` asks only for keys not asked before."""

    http: Http
    config: Config
    progress: Progress
    answers: dict[str, Lookup] = field(default_factory=dict)
    # arXiv id -> (published record, evidence) found by a fallback search.
    extra_published: dict[str, tuple[Record, str]] = field(default_factory=dict)
    # Services are asked from several threads (different hosts at once): answers merge under it.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # The set each service's `missing` is, grown in place as batches answer.
    _missing: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def configured(self, service: str) -> bool:
        """Whether a service has an address (a Config built in code may leave some out)."""
        return service in self.config.services

    def fetch(self, source: Source, keys: Sequence[str]) -> None:
        if not self.configured(source.SERVICE):
            return
        known = self.lookup(source)
        todo = [k for k in dict.fromkeys(keys) if _unasked(known, k)]
        if not todo:
            return
        service = self.config.services[source.SERVICE]
        batches = list(source.batches(service, todo))
        self.progress.add(len(batches), source.SERVICE)

        def one(batch: list[str]) -> None:
            self._merge(source.SERVICE, source.fetch(self.http, service, batch))
            self.progress.advance(source.SERVICE)

        workers = min(BATCH_WORKERS, len(batches)) if source.CONCURRENT_BATCHES else 1
        if workers > 1:
            with worker_pool(self.http, workers) as pool:
                list(pool.map(one, batches))
        else:
            for batch in batches:
                one(batch)

    def _merge(self, service: str, part: Lookup) -> None:
        """Add a batch's answers in place: each batch costs its own size, never the book's (a
        long list has thousands of batches)."""
        with self._lock:
            book = self.answers.get(service)
            if book is None:
                missing = self._missing[service] = set()
                book = self.answers[service] = Lookup(missing=missing)
            book.found.update(part.found)
            self._missing[service].update(part.missing)
            book.failed.update(part.failed)
            book.related.update(part.related)
            book.refused.update(part.refused)

    def lookup(self, source: Source) -> Lookup:
        return self.answers.get(source.SERVICE, Lookup())

    def found(self, source: Source, key: str | None) -> Record | None:
        return self.lookup(source).found.get(key) if key else None

    def page_urls(self) -> list[str]:
        return list(self.lookup(page).found)

    def related(self, url: str) -> tuple[Identifier, ...]:
        return self.lookup(page).related.get(url, ())

    def not_a_page(self, ids: Sequence[Identifier]) -> bool:
        """Links that were asked as pages and answered with something else (a PDF)."""
        missing = self.lookup(page).missing
        return bool(ids) and all(i.kind is IdKind.URL and i.value in missing for i in ids)

    def all_records(self) -> Iterator[Record]:
        for answer in self.answers.values():
            yield from answer.found.values()

    def records_of(self, ids: Sequence[Identifier]) -> Iterator[Record]:
        """Every record fetched for one of `ids` (arXiv, Semantic Scholar, OpenReview)."""
        for identifier in ids:
            for source in (arxiv, s2, openreview):
                if (record := self.found(source, source.key_of(identifier))) is not None:
                    yield record

    def has_doi(self, value: str | None) -> bool:
        return bool(value) and bool(self.by_doi(value))

    def by_doi(self, value: str | None) -> Record | None:
        """The record of a DOI from Crossref, else from doi.org."""
        if not value:
            return None
        key = value.lower()
        return self.found(crossref, key) or self.found(doi, key) or self.found(doi, value)

    def add_published(self, arxiv_id: str, record: Record, evidence: str) -> None:
        self.extra_published[arxiv_id] = (record, evidence)


def _unasked(known: Lookup, key: str) -> bool:
    return key not in known.found and key not in known.missing and key not in known.failed


def ids_of(record: Record) -> tuple[Identifier, ...]:
    """The identifiers of a record that other services can be asked with."""
    ids = [Identifier(IdKind.ARXIV, record.arxiv_id)] if record.arxiv_id else []
    announced = published_doi(record)
    if announced:
        ids.append(Identifier(IdKind.DOI, announced))
    return tuple(ids)
