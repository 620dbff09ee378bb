"""The transport under the HTTP session: every request, first and each redirect hop, is checked
for a public address (`guard`), then paced (`politeness`); a request that wants only the head of
an answer (a web page's metadata) reads that much and no more."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from list2bib.infra.deadline import RequestTimer, pieces
from list2bib.infra.guard import AddressRefused, PublicOnly
from list2bib.infra.politeness import PoliteAdapter

# Set (lower case, as HttpResponse has it) on an answer read only up to its head: complete as far
# as it was wanted, so a missing `</html>` there says nothing about a cut-off transfer.
CUT_HEADER = "x-list2bib-head-only"


class GuardedAdapter(PoliteAdapter):
    """`PoliteAdapter` behind the address guard, with an optional head-only read per thread."""

    guard = PublicOnly()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head = threading.local()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Direct connections (not those through a proxy) check the address they reached."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _checked_pool(HTTPConnectionPool, HTTPConnection, self),
            "https": _checked_pool(HTTPSConnectionPool, HTTPSConnection, self),
        }

    @contextmanager
    def head_only(self, limit: int | None) -> Iterator[None]:
        """Within the block, this thread's answers (redirect hops too) are read up to `limit`
        bytes and the rest dropped unread; None reads them whole (up to the size limit)."""
        previous = getattr(self._head, "limit", None)
        self._head.limit = limit
        try:
            yield
        finally:
            self._head.limit = previous

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if not self._offline:  # offline, nothing is sent (and nothing resolved)
            self.guard.check(request.url or "")
        try:
            return super().send(request, **kwargs)
        except _PeerRefused as exc:
            raise AddressRefused(str(exc)) from None

    def read_body(self, response: requests.Response, timer: RequestTimer) -> None:
        limit: int | None = getattr(self._head, "limit", None)
        if limit is None:
            super().read_body(response, timer)
        else:
            read_head(response, limit, timer)


class _PeerRefused(Exception):
    """Raised inside urllib3 (not an OSError, which it would retry as a network failure)."""


def _checked_pool(pool: type[Any], connection: type[Any], adapter: GuardedAdapter) -> type[Any]:
    """`pool` whose connections drop a socket that reached a refused address (see
    `PublicOnly.check_peer`) before a byte is sent; the adapter's guard is read at connect time."""

    class Checked(connection):  # type: ignore[misc]
        def _new_conn(self) -> Any:
            sock = super()._new_conn()
            if not (self.proxy or self._tunnel_host):
                peer = str(sock.getpeername()[0])
                why = adapter.guard.check_peer(self.host, self.port, peer)
                if why is not None:
                    sock.close()
                    raise _PeerRefused(why)
            return sock

    return type(f"Checked{pool.__name__}", (pool,), {"ConnectionCls": Checked})


def read_head(response: requests.Response, limit: int, timer: RequestTimer) -> None:
    """Read the body up to `limit` bytes (after decompression) within the request's time; a
    longer one is cut there, the connection closed, and the answer marked with CUT_HEADER."""
    chunks: list[bytes] = []
    total = 0
    for chunk in pieces(response, timer):
        chunks.append(chunk)
        total += len(chunk)
        if total >= limit:
            break
    body = b"".join(chunks)
    if total >= limit:
        response.close()
        body = body[:limit]
        response.headers[CUT_HEADER] = str(limit)
    response._content = body
    response._content_consumed = True
