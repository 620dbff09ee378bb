"""The pace of a host: announced in its limit headers, slowed by a 429 that came anyway; a host
that never answered is tried once per run; the fakes throttle as the services do."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServer, LoggedRequest, Reply, make_http
from list2bib.errors import ServiceError
from list2bib.infra.clock import SystemClock
from list2bib.infra.politeness import (
    CALM_ANSWERS,
    MOST_SLOWDOWN,
    PACE_MARGIN,
    SLOWDOWN,
    announced_interval,
)


class Announcing(FakeServer):
    """Answers every request 200 with the headers set in `extra`."""

    def __init__(self) -> None:
        super().__init__()
        self.extra: list[tuple[str, str]] = []

    def handle(self, request: LoggedRequest) -> Reply:
        reply = Reply.text(200, "ok")
        reply.headers.extend(self.extra)
        return reply


@pytest.fixture
def server() -> Iterator[Announcing]:
    with Announcing() as fake:
        yield fake


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"x-rate-limit-limit": "10", "x-rate-limit-interval": "1s"}, 0.1),
        ({"x-rate-limit-limit": "50", "x-rate-limit-interval": "2"}, 0.04),
        ({"ratelimit-policy": "5;w=1"}, 0.2),
        ({"ratelimit-policy": "100;w=60;comment=sliding"}, 0.6),
        ({"x-rate-limit-limit": "0", "x-rate-limit-interval": "1s"}, None),
        ({"x-rate-limit-limit": "ten", "x-rate-limit-interval": "1s"}, None),
        ({"x-rate-limit-limit": "10"}, None),
        ({}, None),
    ],
)
def test_announced_interval(headers: dict[str, str], seconds: float | None) -> None:
    assert announced_interval(headers) == pytest.approx(seconds)


def test_a_host_announcing_a_slower_limit_is_paced_by_it(server: Announcing) -> None:
    server.extra = [("x-rate-limit-limit", "5"), ("x-rate-limit-interval", "1s")]
    clock = FakeClock()
    http = make_http(clock=clock, host_intervals={server.host: 0.1})
    for n in range(3):
        http.get("t", f"{server.root}/{n}")
    assert clock.sleeps == pytest.approx([0.2 * PACE_MARGIN] * 2)


def test_a_faster_announced_limit_does_not_speed_past_the_configured_pace(
    server: Announcing,
) -> None:
    server.extra = [("x-rate-limit-limit", "100"), ("x-rate-limit-interval", "1s")]
    clock = FakeClock()
    http = make_http(clock=clock, host_intervals={server.host: 0.5})
    for n in range(3):
        http.get("t", f"{server.root}/{n}")
    assert clock.sleeps == [0.5, 0.5]


def test_a_used_up_allowance_waits_for_its_reset(server: Announcing) -> None:
    server.extra = [("RateLimit-Remaining", "0"), ("RateLimit-Reset", "7")]
    clock = FakeClock()
    http = make_http(clock=clock, host_intervals={server.host: 0.0})
    http.get("t", f"{server.root}/a")
    server.extra = []
    http.get("t", f"{server.root}/b")
    http.get("t", f"{server.root}/c")
    assert clock.sleeps == [7.0]


def test_a_429_slows_the_host_for_the_rest_of_the_run(server: Announcing) -> None:
    clock = FakeClock()
    http = make_http(clock=clock, host_intervals={server.host: 1.0})
    http.get("t", f"{server.root}/a")
    server.fail_next(1, "429-no-retry-after")
    http.get("t", f"{server.root}/b")  # 429, then asked again after a backoff
    before = list(clock.sleeps)
    http.get("t", f"{server.root}/c")
    http.get("t", f"{server.root}/d")
    assert clock.sleeps[len(before) :] == pytest.approx([1.5 * PACE_MARGIN] * 2)


def test_a_slowed_host_gets_its_pace_back_after_calm_answers(server: Announcing) -> None:
    clock = FakeClock()
    http = make_http(clock=clock, retries=1, host_intervals={server.host: 1.0})
    server.fail_next(1, "429-no-retry-after")
    http.get("t", f"{server.root}/throttled")  # 429, then asked again after a backoff
    slowed = SLOWDOWN * PACE_MARGIN
    for n in range(3 * CALM_ANSWERS):
        http.get("t", f"{server.root}/{n}")
    paces = clock.sleeps[-3 * CALM_ANSWERS :]
    # The retry was the first calm answer; a pace learned from an answer counts from the turn
    # after the one already given out when it was sent. A step faster, then another, which would
    # be faster than the host's own pace: that one, then.
    assert paces[:CALM_ANSWERS] == pytest.approx([slowed] * CALM_ANSWERS)
    second = paces[CALM_ANSWERS : 2 * CALM_ANSWERS]
    assert second == pytest.approx([slowed / SLOWDOWN] * CALM_ANSWERS)
    assert paces[2 * CALM_ANSWERS :] == pytest.approx([1.0] * CALM_ANSWERS)


def test_a_429_slows_a_fast_host_relative_to_its_own_pace(server: Announcing) -> None:
    clock = FakeClock()
    http = make_http(clock=clock, host_intervals={server.host: 0.1})  # Crossref's 10 a second
    http.get("t", f"{server.root}/a")
    server.fail_next(1, "429-no-retry-after")
    http.get("t", f"{server.root}/b")
    before = len(clock.sleeps)
    http.get("t", f"{server.root}/c")
    assert clock.sleeps[before:] == pytest.approx([0.1 * SLOWDOWN * PACE_MARGIN])


def test_429s_slow_a_host_to_at_most_a_few_times_its_own_pace(server: Announcing) -> None:
    clock = FakeClock()
    http = make_http(clock=clock, retries=0, host_intervals={server.host: 1.0})
    for n in range(12):
        server.fail_next(1, "429-no-retry-after")
        with pytest.raises(ServiceError):
            http.get("t", f"{server.root}/{n}")
    http.get("t", f"{server.root}/calm")
    assert clock.sleeps[-1] == pytest.approx(MOST_SLOWDOWN * 1.0)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_host_that_never_answered_is_tried_once_per_run() -> None:
    host = f"127.0.0.1:{_closed_port()}"
    clock = FakeClock()
    http = make_http(clock=clock, retries=4, host_intervals={host: 0.0})
    for path in ("a", "b", "c"):
        with pytest.raises(ServiceError, match="cannot connect"):
            http.get("page", f"http://{host}/{path}")
    assert http.requests_by_host[host] == 1
    assert clock.sleeps == []  # no backoff waited for a host that is not there


def test_a_host_that_answered_before_is_retried_when_it_refuses() -> None:
    fake = Announcing().start()
    fake.extra = [("Connection", "close")]  # no kept-alive connection to reuse after the stop
    host = fake.host
    clock = FakeClock()
    http = make_http(clock=clock, retries=2, host_intervals={host: 0.0})
    http.get("t", f"http://{host}/a")
    fake.stop()  # the port now refuses connections
    with pytest.raises(ServiceError, match="cannot connect"):
        http.get("t", f"http://{host}/b")
    assert http.requests_by_host[host] == 1 + 3  # the answer, then every attempt


def test_a_fake_enforcing_its_limit_throttles_the_way_its_service_does() -> None:
    with Announcing() as fake:
        fake.limit_fault = "429-no-retry-after"
        fake.enforce_limit(2, 60.0)
        http = make_http(clock=FakeClock(), retries=0, host_intervals={fake.host: 0.0})
        assert http.get("t", f"{fake.root}/1").status == 200
        assert http.get("t", f"{fake.root}/2").status == 200
        with pytest.raises(ServiceError, match="rate limited"):
            http.get("t", f"{fake.root}/3")
        assert fake.throttled == 1
        sent = fake.fault_reply("429-no-retry-after").headers
        assert "retry-after" not in {name.lower() for name, _ in sent}


def test_a_fake_enforcing_concurrency_throttles_the_request_over_it() -> None:
    with Announcing() as fake:
        fake.latency = 0.6  # each request is under way for 0.3 s after it arrives
        fake.enforce_concurrency(2)
        http = make_http(retries=0, host_intervals={fake.host: 0.0})
        statuses: list[int | str] = []

        def ask(n: int) -> None:
            try:
                statuses.append(http.get("t", f"{fake.root}/{n}").status)
            except ServiceError:
                statuses.append("throttled")

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses, key=str) == [200, 200, "throttled"]
        assert fake.throttled == 1
        assert http.get("t", f"{fake.root}/after").status == 200  # one at a time is fine


def test_latency_jitter_stays_within_its_spread() -> None:
    fake = Announcing()
    fake.latency, fake.jitter = 0.15, 0.06
    drawn = [fake.draw_latency() for _ in range(200)]
    assert all(0.09 <= d <= 0.21 for d in drawn)
    assert max(drawn) - min(drawn) > 0.06  # it does vary


def test_a_stopped_client_sends_nothing_more(server: Announcing) -> None:
    clock = FakeClock()
    http = make_http(clock=clock, host_intervals={server.host: 5.0})
    http.get("t", f"{server.root}/a")
    http.stop()
    with pytest.raises(ServiceError, match="interrupted"):
        http.get("t", f"{server.root}/b")
    assert len(server.requests) == 1
    assert clock.sleeps == []  # not even the host's turn was waited for


def test_an_interrupt_ends_a_real_sleep_at_once() -> None:
    clock = SystemClock()
    sleeper = threading.Thread(target=clock.sleep, args=(600.0,))
    sleeper.start()
    clock.interrupt()
    sleeper.join(timeout=5)
    assert not sleeper.is_alive()


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_page_is_remembered(tmp_path: Path, status: int) -> None:
    class Gone(FakeServer):
        def handle(self, request: LoggedRequest) -> Reply:
            return Reply.text(status, "Gone")

    with Gone() as site:
        for _ in range(2):  # two runs, one cache
            http = make_http(clock=FakeClock(), cache_path=tmp_path / "cache.sqlite")
            with http:
                answer = http.get("page", f"{site.root}/post", accept_status=(404, 410))
            assert answer.status == status
        assert len(site.requests) == 1
