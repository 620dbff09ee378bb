"""The machinery every fake server shares: a threaded HTTP server on 127.0.0.1, the request log,
replies, and fault injection. Nothing here touches the network beyond 127.0.0.1.

Fault injection (every fake): `fail_next(n, kind)` makes the next `n` requests to that server
fail with `kind`, and `fault_mode(share, seed=...)` makes a seeded random `share` of all requests
fail with a kind drawn from `kinds`. Kinds:
    "429"                 429 with `Retry-After: 1`
    "429-no-retry-after"  429 without it
    "503"                 503 with an HTML page
    "rate-exceeded-200"   arXiv's HTTP 200 `Rate exceeded.` text
    "html-200"            a 200 `text/html` error page (a proxy or CDN answering for the service)
    "reset"               connection closed without an answer
    "timeout"             nothing for `stall` seconds, then the connection is closed
    "truncated"           the real answer's headers (full Content-Length), half its body, close

A service's published rate limit is enforced with `enforce_limit(count, per)`: a request arriving
when `count` answered requests arrived within the last `per` seconds (real time) gets the fake's
`limit_fault` instead, the way that service throttles; `throttled` counts them. `jitter` spreads
the latency (half of it before a request arrives, half before the answer leaves).

A slow-drip server (`drip(every, clock=...)`) sends an answer's headers at once, then its body one
byte at a time, `every` seconds apart: real seconds, or seconds passed on a `FakeClock`.
"""

from __future__ import annotations

import contextlib
import random
import socket
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, urlsplit

from list2bib.config import ServiceConfig

FAULT_KINDS = frozenset(
    {
        "429",
        "429-no-retry-after",
        "503",
        "rate-exceeded-200",
        "html-200",
        "reset",
        "timeout",
        "truncated",
        "malformed",
    }
)
# Faults answered instead of the real answer; the others alter or withhold the real one.
_REPLY_FAULTS = frozenset({"429", "429-no-retry-after", "503", "rate-exceeded-200", "html-200"})


# --- the server machinery ----------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedRequest:
    """One request as a fake saw it: `path` as sent (percent-encoded), header names lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def text(cls, status: int, body: str, content_type: str = "text/plain", **extra: str) -> Reply:
        headers = [
            ("Content-Type", content_type),
            *((k.replace("_", "-"), v) for k, v in extra.items()),
        ]
        return cls(status, body.encode("utf-8"), headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (killed, or timed out) mid-answer is not the server's error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def read_request(self, method: str) -> LoggedRequest:
        """The request as the fake logs it: body read, query parsed, header names lower-case."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        return LoggedRequest(
            method=method,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )

    def _dispatch(self, method: str) -> None:
        request = self.read_request(method)
        fake = self.server.fake
        latency = fake.draw_latency()
        if latency:
            time.sleep(latency / 2)  # on the way there: arrivals are as uneven as the network
        fake.arrived()
        try:
            fault = fake._record(request)
            if latency:
                time.sleep(latency / 2)
            if fault in ("reset", "timeout"):
                if fault == "timeout":
                    time.sleep(fake.stall)
                self.drop_connection()
                return
            reply = fake.fault_reply(fault) if fault in _REPLY_FAULTS else fake.handle(request)
            self.send_reply(method, reply, fault)
        finally:
            fake.answered()

    def write_body(self, body: bytes) -> None:
        fake = self.server.fake
        if not fake.drip_every:
            self.wfile.write(body)
            return
        for n in range(len(body)):
            self.wfile.write(body[n : n + 1])
            self.wfile.flush()
            fake.drip_pause()

    def drop_connection(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def send_reply(self, method: str, reply: Reply, fault: str | None = None) -> None:
        """Send `reply`; a "truncated" fault sends half the body under the full Content-Length
        and closes, a "malformed" one sends half the body as if it were all of it."""
        body = reply.body
        length = len(body)
        if fault in ("truncated", "malformed") and len(body) > 1:
            body = body[: len(body) // 2]
            if fault == "malformed":
                length = len(body)
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        if fault == "truncated":
            self.send_header("Connection", "close")
        self.end_headers()
        if method != "HEAD":
            with contextlib.suppress(OSError):
                self.write_body(body)
        if fault == "truncated":
            self.drop_connection()


class FakeServer:
    """A ThreadingHTTPServer on 127.0.0.1 (port 0) in a daemon thread: request log, faults, latency.

    Use as a context manager (or `start()`/`stop()`); subclasses implement `handle`.
    """

    throttle_body: ClassVar[str] = "Too Many Requests"
    # How this service answers a request over its limit (a FAULT_KINDS name).
    limit_fault: ClassVar[str] = "429"

    def __init__(self, *, latency: float = 0.0, jitter: float = 0.0) -> None:
        self.latency = latency
        self.jitter = jitter
        self._limit: tuple[int, float] | None = None
        self._arrivals: deque[float] = deque()
        self._most_at_once: int | None = None  # requests under way at once (Crossref's 3)
        self._under_way = 0
        self.throttled = 0
        self._jitter_random = random.Random(1)
        self._log: list[LoggedRequest] = []
        self._faults: deque[str] = deque()
        self._fault_share = 0.0
        self._fault_kinds: tuple[str, ...] = ()
        self._fault_random = random.Random(0)
        self.faults_served: Counter[str] = Counter()
        self.stall = 1.0  # seconds a "timeout" fault holds the connection before closing it
        self.drip_every = 0.0  # > 0: bodies are sent a byte at a time, this many seconds apart
        self._drip_clock: Any = None  # a FakeClock the drip's seconds pass on (None: real time)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> Self:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.fake = self
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=type(self).__name__,
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # addresses
    @property
    def port(self) -> int:
        assert self._server is not None, "fake server not started"
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        """`127.0.0.1:PORT`: the key net.Http uses for per-host intervals and counts."""
        return f"127.0.0.1:{self.port}"

    @property
    def root(self) -> str:
        return f"http://{self.host}"

    @property
    def base_url(self) -> str:
        """What a test puts into `ServiceConfig.base_url`."""
        return self.root

    def service_config(self, *, min_interval: float = 0.0, batch_size: int = 1) -> ServiceConfig:
        return ServiceConfig(self.base_url, min_interval, batch_size)

    # request log
    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # faults
    def fail_next(self, n: int = 1, kind: str = "429") -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults.extend([kind] * n)

    def fault_mode(
        self, share: float, *, seed: int = 0, kinds: Iterable[str] = FAULT_KINDS
    ) -> None:
        """From now on, a seeded random `share` of requests fails with one of `kinds` (0 stops)."""
        chosen = tuple(sorted(kinds))
        unknown = set(chosen) - FAULT_KINDS
        if unknown or not chosen:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self._fault_share = share
            self._fault_kinds = chosen
            self._fault_random = random.Random(seed)

    def drip(self, every: float, *, clock: Any = None) -> None:
        """From now on, every answer's body comes one byte per `every` seconds, after its headers
        (0 stops): real seconds, or, with a FakeClock, seconds passed on it at no real cost."""
        self.drip_every = every
        self._drip_clock = clock

    def drip_pause(self) -> None:
        if self._drip_clock is not None:
            self._drip_clock.advance(self.drip_every)
        else:
            time.sleep(self.drip_every)

    def enforce_limit(self, count: int, per: float) -> None:
        """From now on, answer `limit_fault` to a request that arrives when `count` answered
        requests arrived within the last `per` seconds (the service's published limit)."""
        with self._lock:
            self._limit = (count, per)
            self._arrivals.clear()

    def enforce_concurrency(self, most: int) -> None:
        """From now on, answer `limit_fault` to a request that arrives while `most` others are
        under way (arrived, not answered yet): Crossref's `x-concurrency-limit`."""
        with self._lock:
            self._most_at_once = most

    def draw_latency(self) -> float:
        with self._lock:
            spread = self._jitter_random.uniform(-self.jitter, self.jitter) if self.jitter else 0.0
        return max(0.0, self.latency + spread)

    def _over_limit(self) -> bool:
        """Whether a request arriving now is over the limit; if not, it counts toward it."""
        if self._limit is None:
            return False
        count, per = self._limit
        now = time.monotonic()
        while self._arrivals and self._arrivals[0] <= now - per:
            self._arrivals.popleft()
        if len(self._arrivals) >= count:
            self.throttled += 1
            return True
        self._arrivals.append(now)
        return False

    def _record(self, request: LoggedRequest) -> str | None:
        with self._lock:
            self._log.append(request)
            fault = self._faults.popleft() if self._faults else None
            drawn = self._fault_share > 0 and self._fault_random.random() < self._fault_share
            if fault is None and drawn:
                fault = self._fault_random.choice(self._fault_kinds)
            too_many = self._most_at_once is not None and self._under_way > self._most_at_once
            if fault is None and too_many:
                self.throttled += 1
            if fault is None and (too_many or self._over_limit()):
                fault = self.limit_fault
            if fault is not None:
                self.faults_served[fault] += 1
            return fault

    def fault_reply(self, kind: str) -> Reply:
        if kind == "429":
            return Reply.text(429, self.throttle_body, Retry_After="1")
        if kind == "429-no-retry-after":
            return Reply.text(429, self.throttle_body)
        if kind == "503":
            page = "<html><body><h1>503 Service Unavailable</h1></body></html>\n"
            return Reply.text(503, page, "text/html")
        if kind == "rate-exceeded-200":
            return Reply.text(200, "Rate exceeded.")
        if kind == "html-200":
            page = (
                "<!DOCTYPE html><html><head><title>Error</title></head><body>"
                "<h1>Service temporarily unavailable</h1><p>Please try again later.</p>"
                "</body></html>\n"
            )
            return Reply.text(200, page, "text/html; charset=utf-8")
        raise AssertionError(kind)

    def arrived(self) -> None:
        """A request is under way (until `answered`): what `enforce_concurrency` counts."""
        with self._lock:
            self._under_way += 1

    def answered(self) -> None:
        with self._lock:
            self._under_way -= 1

    def handle(self, request: LoggedRequest) -> Reply:
        raise NotImplementedError


def all_requests(servers: Iterable[FakeServer]) -> list[LoggedRequest]:
    return [r for s in servers for r in s.requests]
