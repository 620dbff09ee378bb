"""Time as the network layer and the lock see it: a protocol, and the real clock behind it."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Time as the network layer sees it; tests inject a fake so nothing really sleeps."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def __init__(self) -> None:
        self._interrupted = threading.Event()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._interrupted.wait(seconds)

    def interrupt(self) -> None:
        """End every sleep now, and every later one at once (the run was interrupted)."""
        self._interrupted.set()
