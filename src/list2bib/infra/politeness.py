"""Being polite to a host: the pace of real requests, the waits a server asks for (Retry-After,
Backoff), answers read only up to a size, and the breaker that stops asking a failing host."""

from __future__ import annotations

import email.utils
import threading
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from list2bib.errors import ServiceError
from list2bib.infra.clock import Clock


class HostLimiter:
    """Minimum interval between real requests to one host, plus waits a server asked for."""

    def __init__(self, clock: Clock, intervals: Mapping[str, float], default: float) -> None:
        self._clock = clock
        self._intervals = dict(intervals)
        self._default = default
        self._next_allowed: dict[str, float] = {}
        self._lock = threading.Lock()

    def interval(self, host: str) -> float:
        return self._intervals.get(host, self._default)

    def wait(self, host: str) -> None:
        with self._lock:
            now = self._clock.monotonic()
            ready = self._next_allowed.get(host, now)
            self._next_allowed[host] = max(ready, now) + self.interval(host)
        if ready > now:
            self._clock.sleep(ready - now)

    def defer(self, host: str, seconds: float) -> None:
        """Make the next request to `host` wait `seconds` from now (Retry-After, Backoff)."""
        with self._lock:
            until = self._clock.monotonic() + seconds
            self._next_allowed[host] = max(self._next_allowed.get(host, 0.0), until)


class PoliteAdapter(HTTPAdapter):
    """Waits for the host's turn, counts the request, and notes any Backoff the server sends."""

    def __init__(
        self,
        limiter: HostLimiter,
        counts: Counter[str],
        offline: bool,
        max_bytes: int,
        max_wait: float,
    ) -> None:
        super().__init__(max_retries=0)
        self._max_wait = max_wait
        self._limiter = limiter
        self._counts = counts
        self._offline = offline
        self._max_bytes = max_bytes
        self._count_lock = threading.Lock()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        host = urlsplit(request.url or "").netloc.lower()
        if self._offline:
            raise requests.ConnectionError(f"offline: {host} not contacted")
        self._limiter.wait(host)
        with self._count_lock:
            self._counts[host] += 1
        response = super().send(request, **kwargs)
        backoff = wait_seconds(response.headers.get("Backoff"))
        if backoff:
            self._limiter.defer(host, min(backoff, self._max_wait))
        if not kwargs.get("stream"):
            read_capped(response, self._max_bytes)
        return response


class ResponseTooLarge(requests.RequestException):
    """An answer longer than `max_response_bytes`: not read, not retried."""


def read_capped(response: requests.Response, limit: int) -> None:
    """Read the body here, stopping at `limit` bytes (after decompression, so a small gzip bomb
    is caught too); requests then finds it read."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise ResponseTooLarge(
            f"the answer is {int(declared) // 2**20} MB (limit {limit // 2**20} MB)"
        )
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(65536):
        total += len(chunk)
        if total > limit:
            response.close()
            raise ResponseTooLarge(f"the answer exceeds {limit // 2**20} MB")
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True


class Breaker:
    """Failed attempts in a row per host: past `threshold`, the host is skipped for the rest of
    the run, so a service that is down costs seconds, not minutes of retries for every entry."""

    def __init__(self, threshold: int) -> None:
        self._threshold = threshold
        self._failures_in_a_row: Counter[str] = Counter()
        self._last_failure: dict[str, str] = {}

    def check(self, service: str, host: str, url: str) -> None:
        """Raise ServiceError, without asking, when `host` has failed too often in a row."""
        if self._failures_in_a_row[host] >= self._threshold:
            last = self._last_failure.get(host, "failing")
            raise ServiceError(service, f"{last}; not asked again in this run", url=url)

    def failed(self, host: str, reason: str) -> None:
        self._failures_in_a_row[host] += 1
        self._last_failure[host] = reason

    def trip(self, host: str, reason: str) -> None:
        """Open the breaker at once: asking again cannot help (the name does not resolve)."""
        self._failures_in_a_row[host] = self._threshold
        self._last_failure[host] = reason

    def answered(self, host: str) -> None:
        self._failures_in_a_row[host] = 0

    def last_failure(self, host: str) -> str:
        return self._last_failure[host]


def wait_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After/Backoff value (seconds or an HTTP date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))
