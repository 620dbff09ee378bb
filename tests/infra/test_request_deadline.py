"""Time limits: a request has a total time from sending to its last byte (a page that drips one
byte every 10 s is cut there, retried like a timeout, never cached), and a run has a deadline
after which no request is sent and no wait is waited out, while cached answers still come."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServer, LoggedRequest, Reply
from list2bib.config import Config
from list2bib.errors import ServiceError
from list2bib.infra.adapter import CUT_HEADER
from list2bib.infra.clock import Clock, SystemClock
from list2bib.infra.deadline import run_deadline
from list2bib.infra.http import Http, HttpSettings

PAGE = b"<html><head><title>A slow page</title></head><body>" + b"x" * 200 + b"</body></html>"


class Site(FakeServer):
    """Answers every path with PAGE, or 429 with a Retry-After for `/busy`."""

    def handle(self, request: LoggedRequest) -> Reply:
        if request.path == "/busy":
            return Reply.text(429, "slow down", Retry_After="600")
        return Reply(200, PAGE, [("Content-Type", "text/html; charset=utf-8")])


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as fake:
        yield fake


def client(
    clock: Clock,
    *,
    request_deadline: float = 60.0,
    retries: int = 1,
    timeout: float = 10.0,
    cache: Path | None = None,
    interval: float = 0.0,
) -> Http:
    settings = HttpSettings(
        user_agent=Config().user_agent, timeout=timeout, retries=retries, cache_path=cache,
        request_deadline=request_deadline, default_interval=interval, allow_private=True,
    )  # fmt: skip
    return Http(settings, clock=clock)


@pytest.mark.parametrize(
    ("minutes", "entries", "seconds", "shown"),
    [
        (3.0, 933, 3.0 * 9.33 * 60, "(28 min for 933 entries)"),
        (3.0, 250, 7.5 * 60, "(7.5 min for 250 entries)"),
        (3.0, 20, 3.0 * 60, "(3 min for 20 entries)"),  # a short run gets as much as 100
        (0.5, 1, 30.0, "(0.5 min for 1 entry)"),
    ],
)
def test_a_run_deadline_grows_with_the_entries_asked(
    minutes: float, entries: int, seconds: float, shown: str
) -> None:
    deadline = run_deadline(minutes, entries)
    assert deadline is not None
    assert deadline[0] == pytest.approx(seconds)
    assert deadline[1] == f"the run's deadline {shown} passed"


def test_no_deadline_when_switched_off_or_nothing_is_asked() -> None:
    assert run_deadline(0.0, 500) is None
    assert run_deadline(3.0, 0) is None


def test_a_dripping_page_is_cut_at_the_request_deadline(site: Site, tmp_path: Path) -> None:
    clock = FakeClock()
    site.drip(10.0, clock=clock)  # 260 bytes, one every 10 s: 43 minutes for the page
    expected = pytest.raises(ServiceError, match="no complete answer within 60 s")
    with client(clock, cache=tmp_path / "cache.sqlite") as http, expected as caught:
        http.get("page", f"{site.root}/post")
    assert caught.value.attempts == 2  # a failed attempt like a timeout: retried once
    assert len(site.requests) == 2
    site.drip(0.0)
    with client(clock, cache=tmp_path / "cache.sqlite") as http:
        answer = http.get("page", f"{site.root}/post")
    assert answer.content == PAGE and not answer.from_cache  # nothing of it was cached
    assert len(site.requests) == 3


def test_a_page_that_drips_within_the_deadline_is_read_whole(site: Site) -> None:
    clock = FakeClock()
    site.drip(0.1, clock=clock)  # 26 s for the page
    with client(clock) as http:
        assert http.get("page", f"{site.root}/post").content == PAGE
    assert len(site.requests) == 1


def test_a_head_only_read_has_the_same_deadline(site: Site) -> None:
    clock = FakeClock()
    site.drip(1.0, clock=clock)
    with client(clock, request_deadline=30.0, retries=0) as http:
        with pytest.raises(ServiceError, match="no complete answer within 30 s"):
            http.get("page", f"{site.root}/post", head_bytes=100)
        site.drip(0.0)
        head = http.get("page", f"{site.root}/post", head_bytes=100)
    assert head.content == PAGE[:100] and head.headers[CUT_HEADER] == "100"


def test_the_breaker_counts_requests_that_ran_out_of_time(site: Site) -> None:
    clock = FakeClock()
    site.drip(10.0, clock=clock)
    with client(clock, retries=0) as http:
        for n in range(8):
            with pytest.raises(ServiceError):
                http.get("page", f"{site.root}/p{n}")
    assert len(site.requests) == 6  # the default threshold: then not asked again in this run


def test_a_stalled_answer_ends_at_the_deadline_not_the_socket_timeout(site: Site) -> None:
    """On the real clock: the body stalls after a byte; the socket would wait 10 s per read,
    the request's 0.3 s total ends it."""
    site.drip(5.0)
    started = time.monotonic()
    expected = pytest.raises(ServiceError, match=r"no complete answer within 0\.3 s")
    with client(SystemClock(), request_deadline=0.3, retries=0) as http, expected:
        http.get("page", f"{site.root}/post")
    assert time.monotonic() - started < 3.0


def test_no_request_is_sent_after_the_run_deadline(site: Site, tmp_path: Path) -> None:
    clock = FakeClock()
    with client(clock, interval=3.0, cache=tmp_path / "cache.sqlite") as http:
        http.limiter.set_deadline(10.0, "the run's deadline (1 min for 5 entries) passed")
        http.get("page", f"{site.root}/0")
        answered = 1
        with pytest.raises(ServiceError, match=r"not asked: the run's deadline \(1 min"):
            for n in range(1, 10):
                http.get("page", f"{site.root}/{n}")
                answered += 1
        assert answered == 4  # at 0, 3, 6 and 9 s; the turn at 12 s is past the deadline
        assert len(site.requests) == 4
        assert max(clock.sleeps) <= 3.0  # the refused turn was not waited for
        # What is cached still answers, and the run is not interrupted.
        assert http.get("page", f"{site.root}/0").from_cache
        assert not http.limiter.stopped
        assert http.limiter.deadline_passed == "the run's deadline (1 min for 5 entries) passed"


def test_a_retry_after_that_ends_past_the_deadline_is_not_waited_out(site: Site) -> None:
    clock = FakeClock()
    with client(clock, retries=4) as http:
        http.limiter.set_deadline(60.0, "the run's deadline (1 min for 1 entry) passed")
        with pytest.raises(ServiceError, match="not asked: the run's deadline"):
            http.get("t", f"{site.root}/busy")
    assert len(site.requests) == 1
    assert clock.sleeps == []  # the 600 s Retry-After ends past the deadline


def test_a_deadline_that_did_not_pass_says_nothing(site: Site) -> None:
    clock = FakeClock()
    with client(clock) as http:
        http.limiter.set_deadline(600.0, "the run's deadline (10 min for 5 entries) passed")
        http.get("page", f"{site.root}/a")
        assert http.limiter.deadline_passed == ""
