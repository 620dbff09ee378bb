"""A fake clock whose sleeps cost nothing, and an `Http` built as the CLI builds it on that
clock."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from list2bib.config import Config
from list2bib.infra.http import Http, HttpSettings

TEST_MAILTO = "tester@example.org"


# --- clock and client --------------------------------------------------------------------------


class FakeClock:
    """`net.Clock` whose sleep only advances time, so rate limits and backoff cost nothing."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        """Time passing outside the client (a server's slow answer): no sleep of its own."""
        with self._lock:
            self.now += seconds


def make_http(
    *,
    clock: FakeClock | None = None,
    mailto: str = TEST_MAILTO,
    retries: int = 4,
    host_intervals: Mapping[str, float] | None = None,
    cache_path: Path | None = None,
    timeout: float = 10.0,
    request_deadline: float = 0.0,
) -> Http:
    """An `Http` as the CLI builds it (real User-Agent with mailto), on a fake clock; no total
    time per request unless given (a fake clock's time is the sum of every thread's waits)."""
    settings = HttpSettings(
        user_agent=Config(mailto=mailto).user_agent,
        timeout=timeout,
        request_deadline=request_deadline,
        retries=retries,
        cache_path=cache_path,
        host_intervals=dict(host_intervals or {}),
        allow_private=True,  # the fakes live on 127.0.0.1 (the address guard has its own tests)
    )
    return Http(settings, clock=clock or FakeClock())
