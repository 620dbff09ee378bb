"""The one HTTP session every source uses: cache, retries, offline mode, answers checked.

Only this module and `politeness` (the transport adapter) import requests, only this one
requests-cache. The pacing happens in the transport adapter, which requests-cache calls only on a
cache miss, so waiting and counting apply to real network calls alone.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, Unpack
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import requests
import requests_cache

from list2bib.errors import NotAskable, OfflineMiss, RateLimited, ServiceError
from list2bib.infra.adapter import GuardedAdapter
from list2bib.infra.answers import HttpResponse, why_unreadable
from list2bib.infra.clock import Clock, SystemClock
from list2bib.infra.deadline import TooSlow
from list2bib.infra.failures import FailureCount, counts_failures
from list2bib.infra.guard import AddressRefused, PublicOnly, endpoint
from list2bib.infra.politeness import (
    Breaker,
    HostLimiter,
    ResponseTooLarge,
    Stopped,
    is_name_resolution_failure,
    wait_seconds,
)
from list2bib.infra.redact import masked_url, scrub_saved_redirects, without_secret_params

logger = logging.getLogger("list2bib")

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses worth remembering: 404 and 410 are real answers ("no such work", "this page is gone")
# and save asking again.
CACHEABLE_STATUSES = (200, 404, 410)
# Parameters and headers that must never be part of a cache key or stored in the cache.
SECRET_PARAMETERS = (
    "mailto",
    "api_key",
    "apikey",
    "key",
    "x-api-key",
    "Authorization",
    "Zotero-API-Key",
    "Crossref-Plus-API-Token",
    "User-Agent",  # carries the contact address
)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    user_agent: str
    timeout: float = 30.0
    retries: int = 4
    backoff_base: float = 2.0
    max_wait: float = 300.0
    cache_path: Path | None = None
    expire_after: float = 30 * 86400.0
    offline: bool = False
    host_intervals: Mapping[str, float] = field(default_factory=dict)
    default_interval: float = 1.0
    # After this many failed attempts in a row, a host is skipped for the rest of the run, so a
    # service that is down costs seconds, not minutes of retries for every entry.
    breaker_threshold: int = 6
    # No answer is read past this (after decompression): a 1,000-entry arXiv feed is ~4 MB.
    max_response_bytes: int = 64 * 2**20
    max_redirects: int = 5
    # A request's total time, connect to last byte (a page may send a byte every 10 s); 0: none.
    request_deadline: float = 60.0
    # Only public addresses are asked (lists come from strangers; CI runs beside cloud metadata
    # endpoints), except the hosts and ports of `trusted_urls` (configured services), or all.
    trusted_urls: tuple[str, ...] = ()
    allow_private: bool = False


class RedirectRefused(requests.RequestException):
    """A redirect to anything but http(s), or from https down to http."""


class _Session(requests_cache.CachedSession):
    """Follows redirects only to http(s), and never from https down to http."""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target is None:
            return None
        absolute = urljoin(resp.url, target)
        scheme = urlsplit(absolute).scheme.lower()
        if scheme not in ("http", "https"):
            raise RedirectRefused(f"a redirect to a {scheme or 'non-web'} address, not followed")
        if scheme == "http" and urlsplit(resp.url).scheme.lower() == "https":
            raise RedirectRefused("a redirect from https down to http, not followed")
        return target

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        """Besides Authorization (which requests drops itself), no API key header goes on to
        another host: a service that redirects elsewhere must not hand our key to that host."""
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url or "", prepared_request.url or ""):
            for name in _KEY_HEADERS:
                prepared_request.headers.pop(name, None)
            prepared_request.url = without_secret_params(prepared_request.url or "")  # api_key=


class Options(TypedDict, total=False):
    """What `get` and `post` pass on to `request` (see there)."""

    params: Mapping[str, str] | None
    headers: Mapping[str, str] | None
    accept_status: Collection[int]
    retry_if: Callable[[HttpResponse], bool] | None
    expect: Callable[[HttpResponse], object] | None
    head_bytes: int | None


class Http:
    """GET/POST with caching, politeness and retries; failures become ServiceError subclasses."""

    def __init__(self, settings: HttpSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.requests_by_host: Counter[str] = Counter()
        # Requests that failed for good (offline misses too): see `infra.failures`.
        self.failures = FailureCount()
        self._limiter = HostLimiter(self.clock, settings.host_intervals, settings.default_interval)
        self._breaker = Breaker(settings.breaker_threshold)
        # True while `fresh()` is active: answers are fetched anew (and the cache updated).
        self.bypass_cache = False
        self._session = self._make_session()

    def _make_session(self) -> requests_cache.CachedSession:
        s = self.settings
        backend: Any = _open_cache(s.cache_path) if s.cache_path is not None else "memory"
        session = _Session(
            backend=backend,
            expire_after=s.expire_after,
            allowable_codes=CACHEABLE_STATUSES,
            allowable_methods=("GET", "HEAD", "POST"),
            match_headers=["Accept"],
            ignored_parameters=list(SECRET_PARAMETERS),
            only_if_cached=s.offline,
        )
        adapter = GuardedAdapter(
            self._limiter,
            self.requests_by_host,
            s.offline,
            s.max_response_bytes,
            s.max_wait,
            s.request_deadline,
        )
        trusted = (endpoint(url) for url in s.trusted_urls)
        adapter.guard = PublicOnly(trusted, allow_private=s.allow_private)
        self._adapter = adapter
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = s.user_agent
        scrub_saved_redirects(session.cache)
        session.max_redirects = s.max_redirects
        return session

    def close(self) -> None:
        # Stopped: threads may still be in a request, using the cache's connection; closing it
        # under them can crash SQLite. The process is ending: it closes the cache after them.
        if not self._limiter.stopped:
            self._session.close()  # type: ignore[no-untyped-call]

    def stop(self) -> None:
        """The run was interrupted (Ctrl-C): every wait ends now and no request is sent from
        now on, so threads still asking finish at once instead of after their retries."""
        self._limiter.stop()
        if isinstance(self.clock, SystemClock):
            self.clock.interrupt()

    @contextmanager
    def fresh(self) -> Iterator[Http]:
        """Requests made inside skip the cache (a refresh re-checking a preprint or a
        not-found answer) and store the new answer; offline mode still answers from the cache."""
        previous, self.bypass_cache = self.bypass_cache, not self.settings.offline
        try:
            yield self
        finally:
            self.bypass_cache = previous

    @property
    def limiter(self) -> HostLimiter:  # the pace of each host, and the run's deadline
        return self._limiter

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, service: str, url: str, **options: Unpack[Options]) -> HttpResponse:
        return self.request("GET", service, url, **options)

    def post(
        self, service: str, url: str, *, json_body: Any, **options: Unpack[Options]
    ) -> HttpResponse:
        """POST `json_body` as JSON, or a Mapping given as `form=...` through `request`."""
        return self.request("POST", service, url, json_body=json_body, **options)

    @counts_failures
    def request(
        self,
        method: str,
        service: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        accept_status: Collection[int] = (),
        retry_if: Callable[[HttpResponse], bool] | None = None,
        expect: Callable[[HttpResponse], object] | None = None,
        head_bytes: int | None = None,
    ) -> HttpResponse:
        """Send until a final answer. 2xx and `accept_status` are returned; 429/5xx, connection
        failures and answers `retry_if` rejects are retried with backoff (Retry-After honoured).

        `expect` checks a 2xx body (`expect_json`, `expect_xml`, or a source's own parser) and
        raises ValueError when it is unreadable: a cut-off or garbled answer, or a proxy's HTML
        page with status 200. Such an answer is dropped from the cache and asked again; when
        retries run out it becomes a ServiceError, never a wrong record. `head_bytes`: read (and
        cache) only that much of the answer, marked with CUT_HEADER when it was longer."""
        host = urlsplit(url).netloc.lower()
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise NotAskable(service, "only http(s) addresses are asked", url=url)
        retries = self.settings.retries
        attempt = 0
        refetch = False  # set once an answer was unusable: the next one must not come from cache
        last_doubtful: bytes | None = None  # a body that may be cut off, as it came last
        while True:
            attempt += 1
            self._breaker.check(service, host, url)
            try:
                with self._adapter.head_only(head_bytes):
                    raw = self._session.request(
                        method,
                        url,
                        params=params,
                        headers=dict(headers) if headers else None,
                        json=json_body,
                        data=form,
                        timeout=self.settings.timeout,
                        force_refresh=self.bypass_cache or refetch,
                    )
            except Stopped as exc:  # interrupted: a failure of this run, not of the address
                raise ServiceError(service, str(exc), url=url) from None
            except _NOT_RETRIED as exc:
                # The address itself is wrong (a redirect to `javascript:`, a malformed URL, a
                # redirect loop): asking again cannot help, and the host is not failing.
                raise NotAskable(service, _describe_exception(exc), url=url) from exc
            except requests.RequestException as exc:
                if self.settings.offline:
                    raise OfflineMiss(service, url) from None
                self._breaker.failed(host, _describe_exception(exc))
                if is_name_resolution_failure(exc):
                    self._breaker.trip(host, f"cannot resolve {urlsplit(url).hostname}")
                    raise ServiceError(
                        service, self._breaker.last_failure(host), url=url, attempts=attempt
                    ) from None
                if attempt > retries:
                    raise ServiceError(
                        service, self._breaker.last_failure(host), url=url, attempts=attempt
                    ) from None
                self._limiter.defer(host, self._backoff(attempt))
                continue
            response = _wrap(raw, {**(params or {}), **(headers or {})})
            logger.debug(
                "%s %s -> %s%s", method, masked_url(raw.url), response.status,
                " (cached)" if response.from_cache else "",
            )  # fmt: skip
            # requests-cache answers a cache miss under only_if_cached with a 504 of its own.
            if self.settings.offline and response.status == 504:
                raise OfflineMiss(service, url)
            # Waits and failures belong to the host that answered (doi.org redirects elsewhere).
            answered_by = urlsplit(response.url).netloc.lower() or host
            if response.status >= 500 and not response.from_cache:
                self._breaker.failed(answered_by, f"HTTP {response.status}")
            else:
                self._breaker.answered(answered_by)
            ok = 200 <= response.status < 300
            rejected = retry_if is not None and ok and retry_if(response)
            unreadable, doubtful = why_unreadable(response, expect if ok and not rejected else None)
            if doubtful and (response.from_cache or response.content == last_doubtful):
                unreadable = ""  # the same answer twice (or kept before): the page is like that
            elif doubtful:
                last_doubtful = response.content  # not kept; taken only if it comes again
            if rejected or unreadable:
                self._forget(raw)
                refetch = True
            if unreadable:
                if not response.from_cache:
                    self._breaker.failed(answered_by, f"unreadable answer ({unreadable})")
                if attempt > retries:
                    raise ServiceError(
                        service,
                        f"unreadable answer ({unreadable})",
                        url=url,
                        status=response.status,
                        attempts=attempt,
                    )
                logger.info("%s: unreadable answer (%s), asking again", service, unreadable)
                self._limiter.defer(answered_by, self._backoff(attempt))
                continue
            if response.status in TRANSIENT_STATUSES or rejected:
                if attempt > retries:
                    cls = RateLimited if response.status == 429 or rejected else ServiceError
                    raise _refused(cls, service, url, response.status, attempt, rejected)
                wait = wait_seconds(response.headers.get("retry-after"))
                wait = wait if wait is not None else self._backoff(attempt)
                logger.info("%s: HTTP %s, retrying in %.0f s", service, response.status, wait)
                self._limiter.defer(answered_by, min(self.settings.max_wait, wait))
                continue
            if 200 <= response.status < 300 or response.status in accept_status:
                return response
            raise _refused(ServiceError, service, url, response.status, attempt, False)

    def _backoff(self, attempt: int) -> float:
        return min(self.settings.max_wait, self.settings.backoff_base**attempt)

    def _forget(self, raw: requests.Response) -> None:
        """Drop an answer that looked fine but was not (a 200 'Rate exceeded.', a cut-off body)
        from the cache, under the address asked as well as the one it redirected to."""
        asked = [r.request for r in (*raw.history, raw) if r.request is not None]
        self._session.cache.delete(requests=asked)


_NOT_RETRIED = (
    AddressRefused,
    ResponseTooLarge,
    RedirectRefused,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.TooManyRedirects,
)


def _open_cache(path: Path) -> Any:
    """The SQLite cache at `path`. A file that is not a usable database (a crash, a disk error,
    something else written there) is moved aside to `<name>.broken` and a new cache started: the
    cache only saves requests, so losing it must never stop a run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        cache = requests_cache.backends.sqlite.SQLiteCache(str(path), wal=True)
        len(cache.responses)  # touches the database
        return cache
    except sqlite3.DatabaseError as exc:
        broken = path.with_name(path.name + ".broken")
        path.replace(broken)
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        logger.warning("the HTTP cache %s was unreadable (%s); moved it to %s", path, exc, broken)
        return requests_cache.backends.sqlite.SQLiteCache(str(path), wal=True)


def _wrap(raw: requests.Response, sent: Mapping[str, str] | None = None) -> HttpResponse:
    return HttpResponse(
        status=raw.status_code,
        url=_redacted(raw.url.encode("utf-8"), sent or {}).decode("utf-8"),
        headers={k.lower(): v for k, v in raw.headers.items()},
        content=_redacted(raw.content, sent or {}),
        from_cache=bool(getattr(raw, "from_cache", False)),
    )


_KEY_HEADERS = frozenset(
    name.lower() for name in SECRET_PARAMETERS if name not in ("User-Agent", "mailto")
)


def _redacted(body: bytes, sent: Mapping[str, str]) -> bytes:
    """The answer without the API keys the request sent: some services repeat a rejected key
    in their error text, which would otherwise reach messages and the report."""
    for name, value in sent.items():
        if name.lower() in _KEY_HEADERS and len(value) >= 8:
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                body = body.replace(form.encode("utf-8"), b"[redacted]")
    return body


def _refused(
    cls: type[ServiceError], service: str, url: str, status: int, attempts: int, rejected: bool
) -> ServiceError:
    """The error for a final answer that is not one: a status, or a throttling `retry_if` saw."""
    text = _status_text(status, rejected)
    return cls(service, text, url=url, status=status, attempts=attempts)


def _status_text(status: int, rejected: bool) -> str:
    if rejected:
        return "the service said it is throttling us"
    return {
        400: "bad request",
        403: "access refused",
        404: "not found",
        429: "rate limited",
        500: "server error",
        502: "bad gateway",
        503: "service unavailable",
        504: "gateway timeout",
    }.get(status, "unexpected answer")


def _describe_exception(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return str(exc) if isinstance(exc, TooSlow) else "timed out"
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return "the answer was cut off"
    if isinstance(exc, requests.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    if isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.MissingSchema):
        return "not an http(s) address (a redirect elsewhere?)"
    if isinstance(exc, requests.exceptions.InvalidURL):
        return "a malformed address"
    if isinstance(exc, ResponseTooLarge | RedirectRefused | AddressRefused):
        return str(exc)
    return type(exc).__name__
