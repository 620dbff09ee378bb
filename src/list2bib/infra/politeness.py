"""Being polite to a host: the pace of real requests (configured, announced in limit headers,
slowed by a 429), the waits a server asks for (Retry-After, Backoff), hosts that never answered,
answers read only up to a size and a time, the breaker that stops asking a failing host, and the
run's deadline, after which no turn is given."""

from __future__ import annotations

import email.utils
import math
import re
import socket
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
from list2bib.infra.deadline import RequestTimer, pieces

# A pace learned from a host (its limit headers, a 429) keeps this much below the limit: answers
# reach a server tens of milliseconds early or late, and its window counts arrivals, not sends.
# (The configured intervals carry their own margin.)
PACE_MARGIN = 1.1
# A 429 that came anyway: the host's pace is this much slower from then on, up to SLOWEST_PACE
# and to MOST_SLOWDOWN times its own pace (configured or announced); after CALM_ANSWERS answers in
# a row without a 429 it is a step faster again, never past its own pace. A pool shared with
# other callers (Semantic Scholar's anonymous one) answers 429 now and then whatever our pace:
# without the way back, a few of those would leave the host at the slowest pace for the run.
SLOWDOWN = 1.5
SLOWEST_PACE = 30.0
MOST_SLOWDOWN = 8.0
CALM_ANSWERS = 10


class HostLimiter:
    """Minimum interval between real requests to one host, plus waits a server asked for.

    The interval is the configured one (the service's published limit), or slower when the host
    says so in its answers (`x-rate-limit-limit`/`-interval`, `RateLimit-Policy`) or answers 429
    anyway; a host that says its allowance is used up (`RateLimit-Remaining: 0`) waits for
    `RateLimit-Reset`."""

    def __init__(self, clock: Clock, intervals: Mapping[str, float], default: float) -> None:
        self._clock = clock
        self._intervals = dict(intervals)
        self._default = default
        self._announced: dict[str, float] = {}  # from limit headers (with PACE_MARGIN)
        self._slowed: dict[str, float] = {}  # after a 429
        self._calm: Counter[str] = Counter()  # answers without a 429 since the last slowdown
        self._next_allowed: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._deadline: tuple[float, str] | None = None
        self._refused_for_deadline = False

    @property
    def clock(self) -> Clock:
        return self._clock

    def set_deadline(self, seconds: float, why: str) -> None:
        """From `seconds` from now, every turn is refused with DeadlinePassed saying `why`, and
        so is one that would come later than that (a pace or Retry-After wait is not waited
        out). Unlike `stop`, the run goes on: what is cached still answers."""
        with self._lock:
            self._deadline = (self._clock.monotonic() + seconds, why)

    def time_left(self) -> float | None:
        """Seconds until the run's deadline (None: the run has none)."""
        with self._lock:
            return None if self._deadline is None else self._deadline[0] - self._clock.monotonic()

    @property
    def deadline_passed(self) -> str:
        """Why a request was refused for the run's deadline; '' while none was."""
        with self._lock:
            return self._deadline[1] if self._deadline and self._refused_for_deadline else ""

    def stop(self) -> None:
        """The run was interrupted: every turn asked for from now on (or slept through) is
        refused, so no thread sends another request or waits out a retry."""
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def interval(self, host: str) -> float:
        return max(self._own_pace(host), self._slowed.get(host, 0.0))

    def _own_pace(self, host: str) -> float:
        """The configured interval, or the slower one the host announces."""
        return max(self._intervals.get(host, self._default), self._announced.get(host, 0.0))

    def learn(self, host: str, headers: Mapping[str, str], max_wait: float) -> None:
        """Take the pace and allowance a host announces in an answer's headers (lower-case keys)."""
        announced = announced_interval(headers)
        if announced is not None:
            with self._lock:
                before = self.interval(host)
                self._announced[host] = min(SLOWEST_PACE, announced * PACE_MARGIN)
                slower_by = self.interval(host) - before
                if slower_by > 0 and host in self._next_allowed:
                    self._next_allowed[host] += slower_by  # the turn already given out too
        if headers.get("ratelimit-remaining", "").strip() == "0":
            reset = wait_seconds(headers.get("ratelimit-reset"))
            if reset:
                self.defer(host, min(reset, max_wait))

    def slow_down(self, host: str) -> None:
        """The host answered 429 at this pace: ask it more slowly for the rest of the run."""
        # The retry itself waits as the answer says (Retry-After, else backoff); the pace is for
        # the requests after it.
        with self._lock:
            # Relative to the host's own pace: a 10-a-second host is not sent to one a second.
            own = self._own_pace(host) or 1.0 / SLOWDOWN
            slower = max(self.interval(host), own) * SLOWDOWN * PACE_MARGIN
            self._slowed[host] = min(slower, own * MOST_SLOWDOWN, SLOWEST_PACE)
            self._calm[host] = 0

    def calm(self, host: str) -> None:
        """The host answered without a 429: after CALM_ANSWERS such answers in a row, a pace
        slowed by 429s is a step faster again (not past the host's own)."""
        with self._lock:
            if host not in self._slowed:
                return
            self._calm[host] += 1
            if self._calm[host] < CALM_ANSWERS:
                return
            self._calm[host] = 0
            faster = self._slowed[host] / SLOWDOWN
            if faster <= self._own_pace(host):
                del self._slowed[host]
            else:
                self._slowed[host] = faster

    def wait(self, host: str) -> None:
        """Wait for `host`'s turn; raises Stopped once the run was interrupted.

        The turn is taken when it has come, not booked ahead: a thread that wakes late (a busy
        machine) then delays the next request instead of sending it too close to its own."""
        while True:
            with self._lock:
                if self._stopped.is_set():
                    raise Stopped(f"{host} not asked: the run was interrupted")
                now = self._clock.monotonic()
                ready = self._next_allowed.get(host, now)
                if self._deadline is not None and max(ready, now) >= self._deadline[0]:
                    self._refused_for_deadline = True
                    raise DeadlinePassed(f"not asked: {self._deadline[1]}")
                if ready <= now + 1e-9:
                    self._next_allowed[host] = now + self.interval(host)
                    return
            self._clock.sleep(ready - now)

    def defer(self, host: str, seconds: float) -> None:
        """Make the next request to `host` wait `seconds` from now (Retry-After, Backoff)."""
        with self._lock:
            until = self._clock.monotonic() + seconds
            self._next_allowed[host] = max(self._next_allowed.get(host, 0.0), until)


class PoliteAdapter(HTTPAdapter):
    """Waits for the host's turn, counts the request, and notes any Backoff, limit header or 429
    the server sends. A host that could not be connected to before it ever answered is not asked
    again in this run (a dead site costs one attempt, not every retry of every link to it)."""

    def __init__(
        self,
        limiter: HostLimiter,
        counts: Counter[str],
        offline: bool,
        max_bytes: int,
        max_wait: float,
        request_deadline: float = 0.0,
    ) -> None:
        super().__init__(max_retries=0)
        self._max_wait = max_wait
        # A request's total time, connect to last byte (0: only the socket timeout).
        self._request_deadline = request_deadline
        self._limiter = limiter
        self._counts = counts
        self._offline = offline
        self._max_bytes = max_bytes
        self._count_lock = threading.Lock()
        self._answered: set[str] = set()
        self._dead: set[str] = set()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        host = urlsplit(request.url or "").netloc.lower()
        if self._offline:
            raise requests.ConnectionError(f"offline: {host} not contacted")
        if host in self._dead:
            raise requests.ConnectionError(f"{host} could not be connected to; not asked again")
        self._limiter.wait(host)
        with self._count_lock:
            self._counts[host] += 1
        timer = RequestTimer(self._limiter.clock, self._request_deadline)
        kwargs["timeout"] = timer.timeout(kwargs.get("timeout"))
        try:
            response = super().send(request, **kwargs)
        except requests.ConnectionError as exc:
            with self._count_lock:
                if host not in self._answered and _is_connect_failure(exc):
                    self._dead.add(host)
            raise
        with self._count_lock:
            self._answered.add(host)
        backoff = wait_seconds(response.headers.get("Backoff"))
        if backoff:
            self._limiter.defer(host, min(backoff, self._max_wait))
        if response.status_code == 429:
            self._limiter.slow_down(host)
        else:
            self._limiter.calm(host)
        self._limiter.learn(
            host, {k.lower(): v for k, v in response.headers.items()}, self._max_wait
        )
        timer.check(response)  # the headers alone came too late
        if not kwargs.get("stream"):
            self.read_body(response, timer)
        return response

    def read_body(self, response: requests.Response, timer: RequestTimer) -> None:
        """Read the answer here, within its size and time (see `read_capped`)."""
        read_capped(response, self._max_bytes, timer)


class Stopped(requests.ConnectionError):
    """The run was interrupted (Ctrl-C): nothing more is asked."""


class DeadlinePassed(Stopped):
    """The run's deadline passed: nothing more is asked, but the run is not interrupted."""


class ResponseTooLarge(requests.RequestException):
    """An answer longer than `max_response_bytes`: not read, not retried."""


def read_capped(response: requests.Response, limit: int, timer: RequestTimer) -> None:
    """Read the body here, stopping at `limit` bytes (after decompression, so a small gzip bomb
    is caught too) or when the request's time is up (TooSlow); requests then finds it read."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise ResponseTooLarge(
            f"the answer is {int(declared) // 2**20} MB (limit {limit // 2**20} MB)"
        )
    chunks: list[bytes] = []
    total = 0
    for chunk in pieces(response, timer):
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


def announced_interval(headers: Mapping[str, str]) -> float | None:
    """Seconds between requests that a host's limit headers allow (lower-case keys): Crossref's
    `x-rate-limit-limit: 10` with `x-rate-limit-interval: 1s`, or `RateLimit-Policy: 10;w=1`."""
    limit, interval = headers.get("x-rate-limit-limit"), headers.get("x-rate-limit-interval")
    if limit and interval:
        count, seconds = _number(limit), _number(interval.strip().rstrip("s"))
        if count and seconds is not None:
            return seconds / count
    policy = headers.get("ratelimit-policy", "")
    if (found := re.match(r"\s*(\d+)\s*;\s*w\s*=\s*(\d+(?:\.\d+)?)", policy)) is not None:
        count, seconds = _number(found[1]), _number(found[2])
        if count and seconds is not None:
            return seconds / count
    return None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 and math.isfinite(value) else None


def _is_connect_failure(exc: BaseException) -> bool:
    """No connection was made (refused, unreachable, timed out connecting, no such name), as
    opposed to one that was made and then broke."""
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        names = {kind.__name__ for kind in type(cause).__mro__}
        if names & {"ConnectTimeout", "NewConnectionError", "ConnectTimeoutError"}:
            return True
        # requests wraps urllib3's MaxRetryError (in args), which holds the failure as `reason`.
        nested = getattr(cause, "reason", None) or (cause.args[0] if cause.args else None)
        cause = nested if isinstance(nested, BaseException) else None
    return False


def is_name_resolution_failure(exc: requests.RequestException) -> bool:
    """DNS said no: retrying cannot help (and is what a machine without network sees)."""
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror) or "NameResolutionError" in type(cause).__name__:
            return True
        cause = (
            cause.__cause__
            or cause.__context__
            or (cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
        )
    return False


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
