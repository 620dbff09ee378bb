"""The answer book: every batch's answers kept, each key asked once, the book grown in place (a
long list's thousands of batches cost their own size each, never the whole book's); an
interrupted pool of workers is left at once."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from fakes import FakeClock, make_http
from list2bib.config import Config, ServiceConfig
from list2bib.errors import ServiceError
from list2bib.infra.http import Http
from list2bib.model import Identifier, Record
from list2bib.resolve.book import Lookups, NoProgress, worker_pool
from list2bib.resolve.sources import Lookup


class Counting:
    """A source answering each key by its last digit: found, missing or failed."""

    SERVICE = "counting"
    CONCURRENT_BATCHES = True

    def __init__(self) -> None:
        self.asked: list[str] = []

    def key_of(self, identifier: Identifier) -> str | None:
        return identifier.value

    def batches(self, service: ServiceConfig, keys: Sequence[str]) -> Iterable[list[str]]:
        return ([key] for key in keys)

    def fetch(self, http: Http, service: ServiceConfig, keys: Sequence[str]) -> Lookup:
        self.asked += keys
        found = {k: Record("counting", "misc", f"Work {k}") for k in keys if int(k) % 3 == 0}
        missing = frozenset(k for k in keys if int(k) % 3 == 1)
        failed = {k: "down" for k in keys if int(k) % 3 == 2}
        return Lookup(found, missing, failed)


def book(tmp_path: Path) -> Lookups:
    config = Config(
        cache_dir=tmp_path / "cache", services={"counting": ServiceConfig("http://x", 0.0, 1)}
    )
    return Lookups(make_http(clock=FakeClock()), config, NoProgress())


def test_every_batch_is_kept_and_each_key_asked_once(tmp_path: Path) -> None:
    answers, source = book(tmp_path), Counting()
    answers.fetch(source, [str(n) for n in range(30)])
    answers.fetch(source, [str(n) for n in range(20, 40)])
    assert sorted(source.asked, key=int) == [str(n) for n in range(40)]
    held = answers.lookup(source)
    assert sorted(held.found, key=int) == [str(n) for n in range(0, 40, 3)]
    assert sorted(held.missing, key=int) == [str(n) for n in range(1, 40, 3)]
    assert sorted(held.failed, key=int) == [str(n) for n in range(2, 40, 3)]


def test_the_book_grows_in_place(tmp_path: Path) -> None:
    answers, source = book(tmp_path), Counting()
    answers.fetch(source, ["0", "1"])
    first = answers.lookup(source)
    answers.fetch(source, [str(n) for n in range(2, 500)])
    assert answers.lookup(source) is first  # not rebuilt per batch
    assert len(first.found) + len(first.missing) + len(first.failed) == 500


def test_an_interrupted_pool_is_left_without_waiting(tmp_path: Path) -> None:
    answers = book(tmp_path)
    release = threading.Event()
    with pytest.raises(KeyboardInterrupt), worker_pool(answers.http, 2) as pool:
        busy = pool.submit(release.wait, 600)
        queued = [pool.submit(release.wait, 600) for _ in range(3)]
        raise KeyboardInterrupt
    assert not busy.done()  # left running: its request ends on its own
    assert sum(f.cancelled() for f in queued) >= 2  # never started
    with pytest.raises(ServiceError, match="interrupted"):  # every request is refused
        answers.http.get("t", "http://127.0.0.1:9/x")
    release.set()
