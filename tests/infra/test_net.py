"""The HTTP layer: politeness counted on real calls only, retries, Retry-After/Backoff, cache,
offline mode, secrets kept out of the cache, and the per-host circuit breaker."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServer, LoggedRequest, Reply, make_http
from list2bib.errors import OfflineMiss, RateLimited, ServiceError
from list2bib.infra.http import Http, HttpSettings
from list2bib.infra.politeness import PACE_MARGIN


class ScriptedServer(FakeServer):
    """Answers `GET /ok/<anything>` 200, `/missing` 404, `/go/<n>` redirects to another server."""

    def __init__(self) -> None:
        super().__init__()
        self.extra_headers: list[tuple[str, str]] = []
        self.redirect_to: str = ""

    def handle(self, request: LoggedRequest) -> Reply:
        if request.path.startswith("/ok"):
            reply = Reply.text(200, f"hello {request.path}")
            reply.headers.extend(self.extra_headers)
            return reply
        if request.path.startswith("/go") and self.redirect_to:
            return Reply(
                302, b"", [("Location", self.redirect_to + request.path.replace("/go", "/ok"))]
            )
        return Reply.text(404, "Resource not found.")


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as fake:
        yield fake


def http_for(
    server: FakeServer, clock: FakeClock, tmp_path: Path | None = None, **kw: object
) -> Http:
    intervals = {server.host: 3.0}
    cache = tmp_path / "cache.sqlite" if tmp_path else None
    return make_http(clock=clock, host_intervals=intervals, cache_path=cache, **kw)  # type: ignore[arg-type]


def test_interval_applies_to_real_calls_only(server: ScriptedServer, tmp_path: Path) -> None:
    clock = FakeClock()
    http = http_for(server, clock, tmp_path)
    http.get("t", f"{server.root}/ok/1")
    http.get("t", f"{server.root}/ok/2")  # must wait 3 s after the first
    http.get("t", f"{server.root}/ok/1")  # cached: no wait, no request
    assert clock.sleeps == [3.0]
    assert len(server.requests) == 2
    assert http.requests_by_host == {server.host: 2}


def test_retry_after_is_honoured(server: ScriptedServer) -> None:
    clock = FakeClock()
    http = make_http(clock=clock)
    server.fail_next(2, "429")
    response = http.get("t", f"{server.root}/ok")
    assert response.status == 200
    # Retry-After's second, then the host's pace (1 s) slowed by the first 429 (x1.5, +10%).
    assert clock.sleeps == [1.0, pytest.approx(1.5 * PACE_MARGIN)]
    assert len(server.requests) == 3


def test_backoff_without_retry_after_grows(server: ScriptedServer) -> None:
    clock = FakeClock()
    http = make_http(clock=clock)
    server.fail_next(3, "503")
    assert http.get("t", f"{server.root}/ok").status == 200
    assert clock.sleeps == [2.0, 4.0, 8.0]


def test_backoff_header_delays_the_next_request(server: ScriptedServer) -> None:
    clock = FakeClock()
    http = make_http(clock=clock)
    server.extra_headers = [("Backoff", "7")]
    http.get("t", f"{server.root}/ok/a")
    server.extra_headers = []
    http.get("t", f"{server.root}/ok/b")
    assert clock.sleeps == [7.0]


def test_retries_run_out_with_a_clear_error(server: ScriptedServer) -> None:
    http = make_http(clock=FakeClock(), retries=2)
    server.fail_next(5, "429-no-retry-after")
    with pytest.raises(RateLimited) as err:
        http.get("arxiv", f"{server.root}/ok")
    assert err.value.attempts == 3 and err.value.status == 429
    assert str(err.value) == "arxiv: rate limited (HTTP 429 after 3 attempts)"


def test_not_found_is_an_error_unless_accepted(server: ScriptedServer) -> None:
    http = make_http(clock=FakeClock())
    with pytest.raises(ServiceError) as err:
        http.get("t", f"{server.root}/missing")
    assert err.value.status == 404
    assert http.get("t", f"{server.root}/missing", accept_status=(404,)).status == 404


def test_not_found_is_cached(server: ScriptedServer, tmp_path: Path) -> None:
    http = http_for(server, FakeClock(), tmp_path)
    for _ in range(3):
        assert http.get("t", f"{server.root}/missing", accept_status=(404,)).status == 404
    assert len(server.requests) == 1


def test_rejected_answer_is_retried_and_not_cached(server: ScriptedServer, tmp_path: Path) -> None:
    clock = FakeClock()
    http = http_for(server, clock, tmp_path)
    server.fail_next(1, "rate-exceeded-200")
    throttled: Callable[..., bool] = lambda r: r.text.strip() == "Rate exceeded."  # noqa: E731
    first = http.get("t", f"{server.root}/ok", retry_if=throttled)
    again = http.get("t", f"{server.root}/ok", retry_if=throttled)
    assert first.text == again.text == "hello /ok"
    assert again.from_cache
    assert len(server.requests) == 2


def test_offline_answers_from_cache_only(server: ScriptedServer, tmp_path: Path) -> None:
    online = http_for(server, FakeClock(), tmp_path)
    online.get("t", f"{server.root}/ok/cached")
    online.close()
    settings = HttpSettings(user_agent="t", cache_path=tmp_path / "cache.sqlite", offline=True)
    offline = Http(settings, clock=FakeClock())
    assert offline.get("t", f"{server.root}/ok/cached").text == "hello /ok/cached"
    with pytest.raises(OfflineMiss):
        offline.get("t", f"{server.root}/ok/other")
    assert len(server.requests) == 1
    assert offline.requests_by_host == {}


def test_secrets_never_reach_the_cache(server: ScriptedServer, tmp_path: Path) -> None:
    http = http_for(server, FakeClock(), tmp_path)
    http.get(
        "t",
        f"{server.root}/ok",
        params={"mailto": "secret-person@example.org", "q": "x"},
        headers={"x-api-key": "SECRETKEY123", "Zotero-API-Key": "ZOTKEY456"},
    )
    assert server.requests[0].headers["x-api-key"] == "SECRETKEY123"
    http.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"SECRETKEY123" not in stored
    assert b"ZOTKEY456" not in stored
    assert b"secret-person" not in stored
    assert b"tester@example.org" not in stored  # the contact address in the User-Agent
    assert b"hello /ok" in stored  # the answer itself was cached


def test_user_agent_names_the_tool_and_contact(server: ScriptedServer) -> None:
    make_http(clock=FakeClock()).get("t", f"{server.root}/ok")
    agent = server.requests[0].headers["user-agent"]
    assert agent.startswith("list2bib/") and "mailto:tester@example.org" in agent


def test_host_that_keeps_failing_is_skipped(server: ScriptedServer) -> None:
    clock = FakeClock()
    http = make_http(clock=clock, retries=2)
    server.fail_next(100, "reset")
    for _ in range(2):
        with pytest.raises(ServiceError):
            http.get("t", f"{server.root}/ok")
    sent = len(server.requests)
    with pytest.raises(ServiceError, match="not asked again"):
        http.get("t", f"{server.root}/ok")
    assert len(server.requests) == sent  # no request at all once the breaker is open


def test_unresolvable_host_fails_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    clock = FakeClock()
    http = Http(HttpSettings(user_agent="t", retries=4), clock=clock)
    with pytest.raises(ServiceError, match="cannot resolve"):
        http.get("t", "http://no-such-host.invalid/x")
    assert clock.sleeps == []


def test_waits_are_charged_to_the_host_that_answered(server: ScriptedServer) -> None:
    with ScriptedServer() as agency:
        server.redirect_to = agency.root
        clock = FakeClock()
        http = make_http(clock=clock, host_intervals={server.host: 0.0, agency.host: 0.0})
        agency.fail_next(1, "429")
        assert http.get("t", f"{server.root}/go/1").text == "hello /ok/1"
        waited = len(clock.sleeps)
        http.get("t", f"{server.root}/ok/direct")  # the redirecting host owes no wait
        assert len(clock.sleeps) == waited


def test_an_unreadable_cache_is_moved_aside(server: ScriptedServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"this is not a database at all " * 100)
    http = http_for(server, FakeClock(), tmp_path)
    assert http.get("t", f"{server.root}/ok").status == 200
    assert (tmp_path / "cache.sqlite.broken").read_bytes().startswith(b"this is not")
    assert http.get("t", f"{server.root}/ok").from_cache  # the new cache works


def test_an_address_that_cannot_work_is_not_retried() -> None:
    """A redirect to a non-web scheme fails at once: retrying a wrong address cannot help."""

    class Redirecting(FakeServer):
        def handle(self, request: LoggedRequest) -> Reply:
            return Reply(302, b"", [("Location", "javascript:alert(1)")])

    with Redirecting() as server, make_http(retries=3) as http:
        with pytest.raises(ServiceError, match="a redirect to a javascript address"):
            http.get("page", server.root + "/x")
        assert len(server.requests) == 1
