"""Time limits: a run's deadline (computed from the entries it asks about; the limiter refuses
every turn past it) and a request's total time, connect to last byte, kept while its body is
read in pieces as they arrive (a socket timeout alone lets a page send a byte every 10 s)."""

from __future__ import annotations

from collections.abc import Iterator

import requests
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError

from list2bib.infra.clock import Clock

PIECE_BYTES = 65536


def run_deadline(minutes_per_100: float, entries: int) -> tuple[float, str] | None:
    """Seconds a run asking about `entries` entries may send requests for (`minutes_per_100`
    for every 100, and as much for a shorter run), and what a request refused after that says;
    None when there is no deadline (0 minutes, or nothing to ask)."""
    if minutes_per_100 <= 0 or entries <= 0:
        return None
    minutes = minutes_per_100 * max(1.0, entries / 100)
    shown = f"{minutes:.0f}" if minutes >= 10 else f"{minutes:.1f}".removesuffix(".0")
    noun = "entry" if entries == 1 else "entries"
    return minutes * 60, f"the run's deadline ({shown} min for {entries} {noun}) passed"


class TooSlow(requests.exceptions.Timeout):
    """A request that took longer than its total time: a failed attempt like a timeout (asked
    again as retries allow); whatever part of the answer came is dropped, never cached."""


class RequestTimer:
    """The total time one request (one redirect hop) has, from sending to its last byte; 0
    seconds: no limit but the socket timeout."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        self._clock = clock
        self.seconds = seconds
        self._ends = clock.monotonic() + seconds if seconds > 0 else None

    def left(self) -> float | None:
        return None if self._ends is None else self._ends - self._clock.monotonic()

    def timeout(self, given: object) -> object:
        """requests' `timeout` (per socket operation) no longer than the whole request's time."""
        if self._ends is None or not isinstance(given, int | float):
            return given
        return min(float(given), self.seconds)

    def check(self, response: requests.Response) -> None:
        """Raise TooSlow (and drop the connection) once the time is up."""
        left = self.left()
        if left is not None and left <= 0:
            response.close()
            raise TooSlow(f"no complete answer within {self.seconds:g} s")


def pieces(response: requests.Response, timer: RequestTimer) -> Iterator[bytes]:
    """The body (decompressed) in pieces as they arrive, each socket read waiting no longer
    than the time left; TooSlow once the request's time is up. urllib3's errors become
    requests' as `Response.iter_content` turns them."""
    raw = response.raw
    try:
        while True:
            _wait_at_most(raw, timer.left())
            piece = raw.read1(PIECE_BYTES, decode_content=True)
            if not piece:
                return
            timer.check(response)
            yield piece
    except ReadTimeoutError as exc:
        timer.check(response)
        raise requests.exceptions.ConnectionError(exc) from None
    except ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    except DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from None
    except SSLError as exc:
        raise requests.exceptions.SSLError(exc) from None


def _wait_at_most(raw: object, left: float | None) -> None:
    """Shorten the socket's read timeout to the request's time left (never lengthen it)."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if left is None or sock is None:
        return
    current = sock.gettimeout()
    wanted = max(0.001, left)
    if current is None or wanted < current:
        sock.settimeout(wanted)
