"""Work on different hosts overlaps: one service's pace never holds up the others.

The fakes below note when each answer is being prepared; two services' answers in preparation at
the same moment prove the requests were in flight together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServices, FakeWeb, LoggedRequest, Reply
from list2bib import pipeline
from list2bib.config import Config, ServiceConfig
from list2bib.pipeline import http_for
from list2bib.resolve.book import Lookups, NoProgress
from list2bib.resolve.sources import page
from synthetic import synthetic_list, synthetic_world

HOLD = 0.15  # seconds each watched answer takes


class Watch:
    """Intervals during which each watched server was preparing an answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.spans: list[tuple[str, float, float]] = []

    def record(self, name: str, start: float, end: float) -> None:
        with self._lock:
            self.spans.append((name, start, end))

    def overlapped(self, a: str, b: str) -> bool:
        first = [(s, e) for n, s, e in self.spans if n == a]
        second = [(s, e) for n, s, e in self.spans if n == b]
        return any(s1 < e2 and s2 < e1 for s1, e1 in first for s2, e2 in second)


def watched(server: object, name: str, watch: Watch, only: str = "") -> None:
    """Make `server.handle` take HOLD seconds and note when (for paths containing `only`)."""
    inner = server.handle  # type: ignore[attr-defined]

    def handle(request: LoggedRequest) -> Reply:
        if only not in request.path:
            return inner(request)  # type: ignore[no-any-return]
        start = time.monotonic()
        time.sleep(HOLD)
        answer = inner(request)
        watch.record(name, start, time.monotonic())
        return answer  # type: ignore[no-any-return]

    server.handle = handle  # type: ignore[attr-defined]


@pytest.fixture
def fakes() -> Iterator[FakeServices]:
    with FakeServices(synthetic_world(arxiv=30, pages=2)) as services:
        yield services


def test_id_batches_overlap_with_title_searches(fakes: FakeServices, tmp_path: Path) -> None:
    watch = Watch()
    watched(fakes.arxiv, "arxiv", watch)
    watched(fakes.s2, "s2-search", watch, only="/paper/search")
    listed = synthetic_list(tmp_path, arxiv=30, titles=6)
    services = fakes.service_configs()  # no politeness waits: the overlap is what is measured
    services["arxiv"] = replace(services["arxiv"], batch_size=8)  # 3 full batches of 24 ids
    config = fakes.config(tmp_path, services=services)
    result = pipeline.build([listed], config, clock=FakeClock())
    assert len(result.references) == 30
    assert watch.overlapped("arxiv", "s2-search")
    # Full batches went first; the remainder rode with nothing else: 3 + 1 arXiv requests.
    assert len(fakes.arxiv.requests) == 4


def test_pages_of_different_sites_are_fetched_at_once(tmp_path: Path) -> None:
    """Two sites (one server under two names): their pages overlap; one site's do not."""
    world = synthetic_world(pages=4)
    with FakeWeb(world) as web:
        watch = Watch()
        inner = web.handle

        def handle(request: LoggedRequest) -> Reply:
            site = request.headers.get("host", "")
            start = time.monotonic()
            time.sleep(HOLD)
            answer = inner(request)
            watch.record(site.split(":")[0], start, time.monotonic())
            return answer

        web.handle = handle  # type: ignore[method-assign]
        urls = [
            f"http://{site}:{web.port}/blog{n}.example.org/posts/notes-{n}/"
            for n, site in ((1, "127.0.0.1"), (2, "localhost"), (3, "127.0.0.1"), (4, "localhost"))
        ]
        config = Config(
            cache_dir=tmp_path / "cache",
            services={"page": ServiceConfig("", 0.0)},
            allow_private_addresses=True,  # both site names are this machine
        )
        with http_for(config, FakeClock()) as http:
            book = Lookups(http, config, NoProgress())
            book.fetch(page, urls)
        assert len(book.lookup(page).found) == 4
        assert watch.overlapped("127.0.0.1", "localhost")
        same_site = sorted((s, e) for n, s, e in watch.spans if n == "127.0.0.1")
        assert same_site[0][1] <= same_site[1][0]  # one site: one request at a time
