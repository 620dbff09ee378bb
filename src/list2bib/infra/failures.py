"""How many requests of a run failed for good: a run with any may know less than the last one
did, so it must not replace what the last one verified (see works/monotone)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from list2bib.errors import NotAskable, ServiceError

P = ParamSpec("P")
R = TypeVar("R")


class FailureCount:
    """A thread-safe count of requests that ended in a ServiceError."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def note(self) -> None:
        with self._lock:
            self.count += 1


class Counting(Protocol):
    failures: FailureCount


C = TypeVar("C", bound=Counting)


def counts_failures(ask: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
    """A request method that notes each ServiceError it raises in `self.failures`. Not counted:
    an address that cannot be asked at all (NotAskable), and a final 4xx answer (404 "no such
    work" is what the service knows, not a failure to ask it); 429 is counted."""

    @functools.wraps(ask)
    def counted(self: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return ask(self, *args, **kwargs)
        except NotAskable:
            raise
        except ServiceError as exc:
            if not _an_answer(exc):
                self.failures.note()
            raise

    return counted


def _an_answer(exc: ServiceError) -> bool:
    return exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
