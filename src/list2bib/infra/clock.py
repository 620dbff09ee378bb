"""Time as the network layer and the lock see it: a protocol, and the real clock behind it."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Time as the network layer sees it; tests inject a fake so nothing really sleeps."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
