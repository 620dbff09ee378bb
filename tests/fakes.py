"""Local fake servers for the remote services (arXiv API, doi.org, Crossref, DataCite), a fake
clock, and the fixture world they serve. Nothing here touches the network beyond 127.0.0.1.

The world (`tests/data/world.json`)
------------------------------------
`{"works": [work, ...]}`; every work is a real paper (facts only; author lists may be abridged,
times of day are approximate). A work:

    key         str    readable handle for tests (`meng2022locating`); unique
    title       str    the title as its publisher writes it
    authors     [author]
    exercises   str    why the work is in the world (documentation only)
    arxiv       {...}  present when the work is on arXiv:
        id          versionless id (`2202.05262`, `hep-th/9711200`)
        versions    [ISO timestamp, ...], v1 first: `<published>` is v1, `<updated>` the version
        primary     primary category;  categories: [str] (primary first)
        title, authors      optional: how arXiv writes them when it differs from the publisher
        summary, comment, journal_ref, doi      optional, as the arXiv record has them
        license     optional DataCite `copyright` (default: arXiv's non-exclusive licence)
        datacite    optional bool (default true): the DataCite DOI `10.48550/arXiv.<id>` resolves
    crossref    {...}  present when the work has a Crossref DOI:
        doi         as Crossref stores it (often lower-cased)
        type        Crossref type: journal-article, proceedings-article, book-chapter, monograph
        container   str or [str] (journal / proceedings / book; [book, series] for chapters)
        issued      date parts ([1970, 8, 14], [2019]); published_print, published_online alike
        volume, issue, page, publisher, subtitle, ISSN, ISBN, event ({name, location, acronym})
        title, authors      optional overrides (Crossref's own spelling of the title and names)
        csl         optional dict merged last into the CSL answer (to reproduce a quirk exactly)

An author is `{"given": "Peter H. N.", "family": "de With"}` (arXiv writes `given family`; CSL
gets the parts) or `{"name": "OpenAI"}` for an organisation (CSL `name`/`literal`, arXiv as is);
optional `affiliation` (str) is shown by arXiv. To add a service later, add a section to the works
that have it and a `Fake<Service>(world)` below that indexes that section.

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
    "malformed"           the real answer with its body cut in half (JSON/XML that does not parse)
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import random
import re
import socket
import sys
import textwrap
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pytest

from list2bib.config import Config, ServiceConfig
from list2bib.infra.http import Http, HttpSettings

WORLD_PATH = Path(__file__).parent / "data" / "world.json"
TEST_MAILTO = "tester@example.org"
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


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    """The works the fakes serve. Mutate (`add`) before starting a fake; fakes index it at start."""

    works: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path = WORLD_PATH) -> World:
        """The world file, then every `world.d/*.json` beside it (name order): a work whose key
        already exists gets the new file's sections added (a service's view of a known paper);
        a new key is a new work."""
        works: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["works"]
        by_key = {w["key"]: w for w in works}
        for extra in sorted((path.parent / "world.d").glob("*.json")):
            for work in json.loads(extra.read_text(encoding="utf-8"))["works"]:
                if work["key"] in by_key:
                    by_key[work["key"]].update({k: v for k, v in work.items() if k != "key"})
                else:
                    works.append(work)
                    by_key[work["key"]] = work
        return cls(works)

    def copy(self) -> World:
        return World(copy.deepcopy(self.works))

    def add(self, work: dict[str, Any]) -> None:
        self.works.append(work)

    def work(self, key: str) -> dict[str, Any]:
        return next(w for w in self.works if w["key"] == key)

    def arxiv(self) -> dict[str, dict[str, Any]]:
        """Works on arXiv by versionless id."""
        return {w["arxiv"]["id"]: w for w in self.works if "arxiv" in w}

    def crossref(self) -> dict[str, dict[str, Any]]:
        """Works with a Crossref DOI, by lower-cased DOI."""
        return {w["crossref"]["doi"].lower(): w for w in self.works if "crossref" in w}

    def datacite(self) -> dict[str, dict[str, Any]]:
        """arXiv works by their lower-cased DataCite DOI `10.48550/arxiv.<id>`."""
        return {
            f"10.48550/arxiv.{w['arxiv']['id']}": w
            for w in self.works
            if "arxiv" in w and w["arxiv"].get("datacite", True)
        }


def author_name(author: Mapping[str, str]) -> str:
    """How arXiv writes an author: `given family`, or the organisation's name."""
    if "name" in author:
        return author["name"]
    return f"{author.get('given', '')} {author['family']}".strip()


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


def make_http(
    *,
    clock: FakeClock | None = None,
    mailto: str = TEST_MAILTO,
    retries: int = 4,
    host_intervals: Mapping[str, float] | None = None,
    cache_path: Path | None = None,
    timeout: float = 10.0,
) -> Http:
    """An `Http` as the CLI builds it (real User-Agent with mailto), on a fake clock."""
    settings = HttpSettings(
        user_agent=Config(mailto=mailto).user_agent,
        timeout=timeout,
        retries=retries,
        cache_path=cache_path,
        host_intervals=dict(host_intervals or {}),
    )
    return Http(settings, clock=clock or FakeClock())


# The real answers recorded from the services, beside the project when it is checked out with its
# shared folder; conformance tests skip without them.
RECORDED = Path(__file__).resolve().parents[2] / "shared" / "recorded"
needs_recorded = pytest.mark.skipif(
    not RECORDED.is_dir(), reason="recorded answers (../shared/recorded) not present"
)

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
        fault = fake._record(request)
        if fake.latency:
            time.sleep(fake.latency)
        if fault in ("reset", "timeout"):
            if fault == "timeout":
                time.sleep(fake.stall)
            self.drop_connection()
            return
        reply = fake.fault_reply(fault) if fault in _REPLY_FAULTS else fake.handle(request)
        self.send_reply(method, reply, fault)

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
                self.wfile.write(body)
        if fault == "truncated":
            self.drop_connection()


class FakeServer:
    """A ThreadingHTTPServer on 127.0.0.1 (port 0) in a daemon thread: request log, faults, latency.

    Use as a context manager (or `start()`/`stop()`); subclasses implement `handle`.
    """

    throttle_body: ClassVar[str] = "Too Many Requests"

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self._log: list[LoggedRequest] = []
        self._faults: deque[str] = deque()
        self._fault_share = 0.0
        self._fault_kinds: tuple[str, ...] = ()
        self._fault_random = random.Random(0)
        self.faults_served: Counter[str] = Counter()
        self.stall = 1.0  # seconds a "timeout" fault holds the connection before closing it
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

    def _record(self, request: LoggedRequest) -> str | None:
        with self._lock:
            self._log.append(request)
            fault = self._faults.popleft() if self._faults else None
            drawn = self._fault_share > 0 and self._fault_random.random() < self._fault_share
            if fault is None and drawn:
                fault = self._fault_random.choice(self._fault_kinds)
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

    def handle(self, request: LoggedRequest) -> Reply:
        raise NotImplementedError


# --- arXiv API ---------------------------------------------------------------------------------

_NS_DECL = (
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom"'
)
_NEW_ID = re.compile(r"^(?P<base>(?P<yymm>\d{4})\.(?P<num>\d{4,5}))(?:v(?P<v>\d+))?$")
_OLD_ID = re.compile(r"^(?P<base>[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")
_ATOM_TYPE = "application/atom+xml; charset=utf-8"
_DEFAULT_LICENSE = "arXiv.org perpetual, non-exclusive license"


def arxiv_id_ok(raw: str) -> bool:
    """The API's id syntax check: 5-digit numbers exist only from 1501 on."""
    match = _NEW_ID.match(raw)
    if match:
        return len(match.group("num")) == 4 or match.group("yymm") >= "1501"
    return _OLD_ID.match(raw) is not None


def _split_version(raw: str) -> tuple[str, int | None]:
    match = _NEW_ID.match(raw) or _OLD_ID.match(raw)
    assert match is not None
    version = match.group("v")
    return match.group("base"), int(version) if version else None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _feed_hash(text: str) -> str:
    return base64.b64encode(hashlib.sha1(text.encode()).digest()).decode().rstrip("=")


@dataclass(frozen=True)
class ArxivHit:
    work: dict[str, Any]
    version: int  # 1-based

    @property
    def arxiv(self) -> dict[str, Any]:
        return dict(self.work["arxiv"])


class FakeArxiv(FakeServer):
    """`GET /api/query` like export.arxiv.org: id_list, search_query, start, max_results
    (default 10), sortBy/sortOrder. Found entries come back newest-published first, not in
    request order.

    `wire="2026"` (default) renders the current format, `wire="2019"` the classic one.
    """

    throttle_body = "Rate exceeded."

    def __init__(self, world: World, *, wire: str = "2026", latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        if wire not in {"2026", "2019"}:
            raise ValueError("wire must be '2026' or '2019'")
        self.world = world
        self.wire = wire
        self._by_id: dict[str, dict[str, Any]] = {}
        self._empty_next = 0

    def empty_next(self, n: int = 1) -> None:
        """Answer the next `n` queries with a well-formed feed of no entries, as arXiv does when
        overloaded."""
        with self._lock:
            self._empty_next += n

    def start(self) -> Self:
        self._by_id = self.world.arxiv()
        return super().start()

    @property
    def base_url(self) -> str:
        return f"{self.root}/api/query"

    def handle(self, request: LoggedRequest) -> Reply:
        if request.path != "/api/query":
            return Reply.text(404, "<html><body>Not Found</body></html>", "text/html")
        q = dict(request.query)
        if request.method == "POST":  # the same parameters, as a form
            q.update(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        for name, default in (("start", "0"), ("max_results", "10")):
            value = q.get(name, default) or default
            if not re.fullmatch(r"-?\d+", value):
                return self._error(f"{name} must be an integer")
            if int(value) < 0:
                return self._error(f"{name} must be >= 0")
        start, max_results = int(q.get("start") or 0), int(q.get("max_results") or 10)
        raw_ids = [i.strip() for i in (q.get("id_list") or "").split(",") if i.strip()]
        for raw in raw_ids:
            if not arxiv_id_ok(raw):
                return self._error(f"incorrect id format for {raw}")
        hits = self._lookup(raw_ids, q.get("search_query", ""))
        with self._lock:
            if self._empty_next:
                self._empty_next -= 1
                hits = []
        hits = self._sort(hits, q.get("sortBy", "relevance"), q.get("sortOrder", "descending"))
        page = hits[start : start + max_results]
        body = self._feed(q, raw_ids, start, max_results, len(hits), page)
        return Reply(200, body.encode("utf-8"), [("Content-Type", _ATOM_TYPE)])

    # lookup
    def _lookup(self, raw_ids: list[str], search_query: str) -> list[ArxivHit]:
        hits: list[ArxivHit] = []
        if raw_ids:
            for raw in raw_ids:
                base, version = _split_version(raw)
                base = re.sub(r"^([a-z-]+)\.[A-Z]{2}/", r"\1/", base)
                work = self._by_id.get(base)
                if work is None:
                    continue
                count = len(work["arxiv"]["versions"])
                if version is None:
                    hits.append(ArxivHit(work, count))
                elif version <= count:
                    hits.append(ArxivHit(work, version))
        elif search_query:
            hits = [ArxivHit(w, len(w["arxiv"]["versions"])) for w in self._by_id.values()]
        if search_query:
            hits = [h for h in hits if _matches(h.work, search_query)]
        return hits

    @staticmethod
    def _sort(hits: list[ArxivHit], sort_by: str, order: str) -> list[ArxivHit]:
        def key(hit: ArxivHit) -> str:
            versions: list[str] = hit.arxiv["versions"]
            return versions[-1] if sort_by == "lastUpdatedDate" else versions[0]

        return sorted(hits, key=key, reverse=order != "ascending")

    # rendering
    def _feed(
        self,
        q: Mapping[str, str],
        raw_ids: list[str],
        start: int,
        max_results: int,
        total: int,
        page: list[ArxivHit],
    ) -> str:
        search = q.get("search_query", "")
        ids = ",".join(raw_ids)
        query = f"search_query={search}&id_list={ids}&start={start}&max_results={max_results}"
        if self.wire == "2019":
            head = _classic_head(query, ids, search, start, max_results, total)
            entries = [_classic_entry(h) for h in page]
            # The classic API answered unknown ids with an id-less entry, counted in totalResults.
            missing = len(raw_ids) - len(page) if raw_ids and not search else 0
            entries += ["  <entry>\n  </entry>\n"] * max(0, missing)
            return head + "".join(entries) + "</feed>\n"
        link = (
            f"https://arxiv.org/api/query?search_query={search}&start={start}"
            f"&max_results={max_results}&id_list={ids}"
        )
        head = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            f"<feed {_NS_DECL}>\n"
            f"  <id>https://arxiv.org/api/{_feed_hash(query)}</id>\n"
            f"  <title>arXiv Query: {escape(query)}</title>\n"
            f"  <updated>{_now()}</updated>\n"
            f'  <link href={quoteattr(link)} type="application/atom+xml"/>\n'
            f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        )
        return head + "".join(_current_entry(h) for h in page) + "</feed>\n"

    def _error(self, message: str) -> Reply:
        anchor = "https://arxiv.org/api/errors#" + message.replace(" ", "_")
        if self.wire == "2019":
            anchor = anchor.replace("https://", "http://")
            stamp = "2019-01-04T00:00:00-05:00"
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom">\n'
                '  <title type="html">ArXiv Query: error</title>\n'
                f"  <id>http://arxiv.org/api/{_feed_hash(message)}</id>\n"
                f"  <updated>{stamp}</updated>\n" + _classic_opensearch(1, 0, 1) + "  <entry>\n"
                f"    <id>{anchor}</id>\n"
                "    <title>Error</title>\n"
                f"    <summary>{escape(message)}</summary>\n"
                f"    <updated>{stamp}</updated>\n"
                f'    <link href="{anchor}" rel="alternate" type="text/html"/>\n'
                "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
                "  </entry>\n</feed>\n"
            )
        else:
            now = _now()
            body = (
                "<?xml version='1.0' encoding='UTF-8'?>\n"
                f"<feed {_NS_DECL}>\n"
                "  <id>https://arxiv.org/</id>\n"
                "  <title>arXiv Search Results</title>\n"
                f"  <updated>{now}</updated>\n"
                "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
                "  <opensearch:totalResults>1</opensearch:totalResults>\n"
                "  <opensearch:startIndex>0</opensearch:startIndex>\n"
                "  <entry>\n"
                f"    <id>{anchor}</id>\n"
                "    <title>Error</title>\n"
                f"    <updated>{now}</updated>\n"
                f'    <link href="{anchor}" rel="alternate" type="text/html"/>\n'
                f"    <summary>{escape(message)}</summary>\n"
                "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
                "  </entry>\n</feed>\n"
            )
        return Reply(400, body.encode("utf-8"), [("Content-Type", _ATOM_TYPE)])


def _arxiv_fields(hit: ArxivHit) -> dict[str, Any]:
    ax = hit.arxiv
    authors = ax.get("authors") or hit.work["authors"]
    versioned = f"{ax['id']}v{hit.version}"
    return {
        "versioned": versioned,
        "title": ax.get("title") or hit.work["title"],
        "summary": ax.get("summary") or f"Abstract of {hit.work['title']}.",
        "published": ax["versions"][0],
        "updated": ax["versions"][hit.version - 1],
        "authors": authors,
        "categories": ax.get("categories") or [ax["primary"]],
    }


def _current_entry(hit: ArxivHit) -> str:
    ax, f = hit.arxiv, _arxiv_fields(hit)
    out = [
        "  <entry>\n",
        f"    <id>http://arxiv.org/abs/{f['versioned']}</id>\n",
        f"    <title>{escape(f['title'])}</title>\n",
        f"    <updated>{f['updated']}</updated>\n",
        f'    <link href="https://arxiv.org/abs/{f["versioned"]}" rel="alternate" '
        'type="text/html"/>\n',
        f'    <link href="https://arxiv.org/pdf/{f["versioned"]}" rel="related" '
        'type="application/pdf" title="pdf"/>\n',
        f"    <summary>{escape(f['summary'])}</summary>\n",
    ]
    out += [
        f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n'
        for c in f["categories"]
    ]
    out.append(f"    <published>{f['published']}</published>\n")
    if ax.get("comment"):
        out.append(f"    <arxiv:comment>{escape(ax['comment'])}</arxiv:comment>\n")
    out.append(f'    <arxiv:primary_category term="{ax["primary"]}"/>\n')
    if ax.get("journal_ref"):
        out.append(f"    <arxiv:journal_ref>{escape(ax['journal_ref'])}</arxiv:journal_ref>\n")
    for author in f["authors"]:
        out.append(f"    <author>\n      <name>{escape(author_name(author))}</name>\n")
        if author.get("affiliation"):
            out.append(
                f"      <arxiv:affiliation>{escape(author['affiliation'])}</arxiv:affiliation>\n"
            )
        out.append("    </author>\n")
    if ax.get("doi"):
        out.append(f"    <arxiv:doi>{escape(ax['doi'])}</arxiv:doi>\n")
        out.append(f'    <link rel="related" href="https://doi.org/{ax["doi"]}" title="doi"/>\n')
    out.append("  </entry>\n")
    return "".join(out)


_ARXIV_NS = 'xmlns:arxiv="http://arxiv.org/schemas/atom"'


def _classic_opensearch(total: int, start: int, per_page: int) -> str:
    ns = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    return (
        f"  <opensearch:totalResults {ns}>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex {ns}>{start}</opensearch:startIndex>\n"
        f"  <opensearch:itemsPerPage {ns}>{per_page}</opensearch:itemsPerPage>\n"
    )


def _classic_head(query: str, ids: str, search: str, start: int, per_page: int, total: int) -> str:
    self_link = "http://arxiv.org/api/query?" + quote(query, safe="")
    self_link = self_link.replace("%3F", "?")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'  <link href="{self_link}" rel="self" type="application/atom+xml"/>\n'
        f'  <title type="html">ArXiv Query: {escape(query)}</title>\n'
        f"  <id>http://arxiv.org/api/{_feed_hash(query)}</id>\n"
        "  <updated>2019-01-04T00:00:00-05:00</updated>\n"
        + _classic_opensearch(total, start, per_page)
    )


def _classic_entry(hit: ArxivHit) -> str:
    """The 2019 layout: hard-wrapped title and summary, `xmlns:arxiv` on every arxiv element."""
    ax, f = hit.arxiv, _arxiv_fields(hit)
    title = "\n  ".join(textwrap.wrap(escape(f["title"]), width=72)) or escape(f["title"])
    summary = "\n".join(textwrap.wrap("  " + escape(f["summary"]), width=78))
    out = [
        "  <entry>\n",
        f"    <id>http://arxiv.org/abs/{f['versioned']}</id>\n",
        f"    <updated>{f['updated']}</updated>\n",
        f"    <published>{f['published']}</published>\n",
        f"    <title>{title}</title>\n",
        f"    <summary>{summary}\n</summary>\n",
    ]
    for author in f["authors"]:
        out.append(f"    <author>\n      <name>{escape(author_name(author))}</name>\n")
        if author.get("affiliation"):
            out.append(
                f"      <arxiv:affiliation {_ARXIV_NS}>{escape(author['affiliation'])}"
                "</arxiv:affiliation>\n"
            )
        out.append("    </author>\n")
    if ax.get("doi"):
        out.append(f"    <arxiv:doi {_ARXIV_NS}>{escape(ax['doi'])}</arxiv:doi>\n")
        out.append(f'    <link title="doi" href="http://dx.doi.org/{ax["doi"]}" rel="related"/>\n')
    if ax.get("comment"):
        comment = "\n  ".join(textwrap.wrap(escape(ax["comment"]), width=72))
        out.append(f"    <arxiv:comment {_ARXIV_NS}>{comment}</arxiv:comment>\n")
    if ax.get("journal_ref"):
        ref = escape(ax["journal_ref"])
        out.append(f"    <arxiv:journal_ref {_ARXIV_NS}>{ref}</arxiv:journal_ref>\n")
    out += [
        f'    <link href="http://arxiv.org/abs/{f["versioned"]}" rel="alternate" '
        'type="text/html"/>\n',
        f'    <link title="pdf" href="http://arxiv.org/pdf/{f["versioned"]}" rel="related" '
        'type="application/pdf"/>\n',
        f'    <arxiv:primary_category {_ARXIV_NS} term="{ax["primary"]}" '
        'scheme="http://arxiv.org/schemas/atom"/>\n',
    ]
    out += [
        f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n'
        for c in f["categories"]
    ]
    out.append("  </entry>\n")
    return "".join(out)


_SEARCH_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "ti": lambda w: w["arxiv"].get("title") or w["title"],
    "au": lambda w: " ".join(author_name(a) for a in w["arxiv"].get("authors") or w["authors"]),
    "abs": lambda w: w["arxiv"].get("summary", ""),
    "cat": lambda w: " ".join(w["arxiv"].get("categories") or [w["arxiv"]["primary"]]),
    "jr": lambda w: w["arxiv"].get("journal_ref", ""),
    "co": lambda w: w["arxiv"].get("comment", ""),
    "id": lambda w: w["arxiv"]["id"],
}


def _matches(work: dict[str, Any], search_query: str) -> bool:
    """A small subset of arXiv's query language: `prefix:value` terms joined by AND; every word of
    a value must occur (case-insensitive) in the field; no prefix or `all:` searches every field."""
    for term in re.split(r"\s+AND\s+", search_query.strip()):
        prefix, _, value = term.partition(":")
        if not value:
            prefix, value = "all", term
        if prefix == "all":
            haystack = " ".join(str(fn(work)) for fn in _SEARCH_FIELDS.values())
        elif prefix in _SEARCH_FIELDS:
            haystack = str(_SEARCH_FIELDS[prefix](work))
        else:
            return False
        words = re.findall(r"\w+", value.strip('"').lower())
        if not all(word in haystack.lower() for word in words):
            return False
    return True


# --- doi.org and the registration agencies -----------------------------------------------------

ACCEPT_CSL = "application/vnd.citationstyles.csl+json"
ACCEPT_BIBTEX = "application/x-bibtex"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Crossref type -> BibTeX type in Crossref's own BibTeX answers.
_CROSSREF_BIBTEX_TYPE = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "inbook",
    "monograph": "book",
    "book": "book",
}
_ARXIV_SUBJECTS = {
    "cs.AI": "Artificial Intelligence",
    "cs.CL": "Computation and Language",
    "cs.CR": "Cryptography and Security",
    "cs.CV": "Computer Vision and Pattern Recognition",
    "cs.IT": "Information Theory",
    "cs.LG": "Machine Learning",
    "cs.NE": "Neural and Evolutionary Computing",
    "cs.RO": "Robotics",
    "stat.ML": "Machine Learning",
    "math.DG": "Differential Geometry",
    "math.IT": "Information Theory",
    "hep-th": "High Energy Physics - Theory",
    "hep-ph": "High Energy Physics - Phenomenology",
    "hep-ex": "High Energy Physics - Experiment",
    "astro-ph": "Astrophysics",
    "physics.chem-ph": "Chemical Physics",
}
_FOS = {
    "cs": "FOS: Computer and information sciences",
    "stat": "FOS: Computer and information sciences",
    "math": "FOS: Mathematics",
}


def _accepts(request: LoggedRequest, mime: str) -> bool:
    return mime in request.headers.get("accept", "")


def _crossref_authors(work: Mapping[str, Any]) -> list[dict[str, Any]]:
    authors = work["crossref"].get("authors") or work["authors"]
    out: list[dict[str, Any]] = []
    for i, author in enumerate(authors):
        entry: dict[str, Any] = {}
        if "name" in author:
            entry["name"] = author["name"]
        else:
            if author.get("given"):
                entry["given"] = author["given"]
            entry["family"] = author["family"]
        entry["sequence"] = "first" if i == 0 else "additional"
        entry["affiliation"] = []
        out.append(entry)
    return out


def _date(parts: list[int] | None) -> dict[str, Any] | None:
    return {"date-parts": [parts]} if parts else None


def crossref_csl(work: Mapping[str, Any], *, rest: bool = False) -> dict[str, Any]:
    """Crossref's CSL answer (transform) for a work; `rest=True` gives the REST `/works` message
    shape instead (title and container-title as lists)."""
    cr = work["crossref"]
    container = cr.get("container")
    containers = [container] if isinstance(container, str) else list(container or [])
    title = cr.get("title") or work["title"]
    prefix = cr["doi"].split("/", 1)[0]
    data: dict[str, Any] = {
        "indexed": {"date-parts": [[2026, 6, 3]], "date-time": "2026-06-03T07:20:50Z"},
        "reference-count": 0,
        "publisher": cr.get("publisher"),
        "issue": cr.get("issue"),
        "published-print": _date(cr.get("published_print")),
        "published-online": _date(cr.get("published_online")),
        "DOI": cr["doi"],
        "type": cr["type"],
        "page": cr.get("page"),
        "source": "Crossref",
        "title": [title] if rest else title,
        "prefix": prefix,
        "volume": cr.get("volume"),
        "author": _crossref_authors(work),
        "member": "0",
        "event": cr.get("event"),
        "container-title": containers if rest or len(containers) > 1 else "".join(containers),
        "original-title": [],
        "language": "en",
        "subtitle": cr.get("subtitle", []),
        "short-title": [],
        "issued": _date(cr.get("issued")) or {"date-parts": [[None]]},
        # The transform says dx.doi.org over http, the REST message https://doi.org.
        "URL": f"https://doi.org/{cr['doi']}" if rest else f"http://dx.doi.org/{cr['doi']}",
        "ISSN": cr.get("ISSN"),
        "ISBN": cr.get("ISBN"),
        "published": _date(cr.get("issued")),
    }
    if not containers:
        data["container-title"] = [] if rest else ""
    data.update(cr.get("csl", {}))
    return {k: v for k, v in data.items() if v is not None and v != ""}


def crossref_json(data: Any) -> bytes:
    """Crossref's JSON: compact, ASCII-escaped, `/` escaped as `\\/`."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")


def crossref_bibtex(work: Mapping[str, Any]) -> str:
    """Crossref's current BibTeX: one line, leading space, `month=` unbraced, en dash in pages."""
    cr, csl = work["crossref"], crossref_csl(work)
    authors = csl["author"]
    first = authors[0].get("family") or authors[0].get("name", "")
    year = str(csl["issued"]["date-parts"][0][0])
    key = re.sub(r"[^A-Za-z0-9]", "_", first) + "_" + year
    kind = _CROSSREF_BIBTEX_TYPE.get(cr["type"], "misc")
    title = csl["title"] + (f": {csl['subtitle'][0]}" if csl.get("subtitle") else "")
    fields: list[str] = [f"title={{{title}}}"]
    if "volume" in csl:
        fields.append(f"volume={{{csl['volume']}}}")
    if csl.get("ISSN"):
        fields.append(f"ISSN={{{csl['ISSN'][-1]}}}")
    fields += [f"url={{http://dx.doi.org/{cr['doi']}}}", f"DOI={{{cr['doi']}}}"]
    if "issue" in csl:
        fields.append(f"number={{{csl['issue']}}}")
    container = csl.get("container-title")
    container = container[0] if isinstance(container, list) and container else container
    if container:
        fields.append(f"{'journal' if kind == 'article' else 'booktitle'}={{{container}}}")
    if "publisher" in csl:
        fields.append(f"publisher={{{csl['publisher']}}}")
    names = [a["name"] if "name" in a else f"{a['family']}, {a.get('given', '')}" for a in authors]
    fields += [f"author={{{' and '.join(n.strip(', ') for n in names)}}}", f"year={{{year}}}"]
    parts = csl["issued"]["date-parts"][0]
    if len(parts) > 1:
        fields.append(f"month={_MONTHS[parts[1] - 1]}")
    if "page" in csl:
        fields.append(f"pages={{{csl['page'].replace('-', '–')}}}")
    return f" @{kind}{{{key}, {', '.join(fields)} }}"


def datacite_csl(work: Mapping[str, Any]) -> dict[str, Any]:
    """DataCite's CSL for arXiv's DOI: standard CSL `article`, upper-cased DOI, year only."""
    ax = work["arxiv"]
    authors: list[dict[str, str]] = []
    for author in ax.get("authors") or work["authors"]:
        if "name" in author:
            authors.append({"literal": author["name"]})
        else:
            authors.append({"family": author["family"], "given": author.get("given", "")})
    return {
        "type": "article",
        "id": f"https://doi.org/10.48550/arxiv.{ax['id']}",
        "categories": _datacite_subjects(ax),
        "author": authors,
        "issued": {"date-parts": [[int(ax["versions"][0][:4])]]},
        "abstract": ax.get("summary") or f"Abstract of {work['title']}.",
        "DOI": f"10.48550/ARXIV.{ax['id'].upper()}",
        "publisher": "arXiv",
        "title": ax.get("title") or work["title"],
        "URL": f"https://arxiv.org/abs/{ax['id']}",
        "copyright": ax.get("license", _DEFAULT_LICENSE),
    }


def _datacite_subjects(ax: Mapping[str, Any]) -> list[str]:
    """`Name (term)` per category, primary first, then one FOS field per category (repeats kept,
    as DataCite writes them)."""
    categories = ax.get("categories") or [ax["primary"]]
    subjects = [f"{_ARXIV_SUBJECTS.get(cat, cat)} ({cat})" for cat in categories]
    return subjects + [_FOS.get(cat.split(".")[0], "FOS: Physical sciences") for cat in categories]


def datacite_bibtex(work: Mapping[str, Any]) -> str:
    """DataCite's BibTeX: multi-line, 2-space indent, the DOI URL as key, upper-cased DOI."""
    csl = datacite_csl(work)
    ax = work["arxiv"]
    names = [a.get("literal") or f"{a['family']}, {a['given']}" for a in csl["author"]]
    lines = [
        f"  doi = {{{csl['DOI']}}}",
        f"  url = {{{csl['URL']}}}",
        f"  author = {{{' and '.join(names)}}}",
        f"  keywords = {{{', '.join(csl['categories'])}}}",
        f"  title = {{{csl['title']}}}",
        "  publisher = {arXiv}",
        f"  year = {{{csl['issued']['date-parts'][0][0]}}}",
        f"  copyright = {{{csl['copyright']}}}",
    ]
    return f"@misc{{https://doi.org/10.48550/arxiv.{ax['id']},\n" + ",\n".join(lines) + "\n}\n"


class _Agency(FakeServer):
    """Common part of the registration agencies: an index of DOIs, and `hide()` to make one DOI
    unknown to the agency even though doi.org still redirects to it."""

    def __init__(self, world: World, *, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.world = world
        self._index: dict[str, dict[str, Any]] = {}
        self._hidden: set[str] = set()

    def _build_index(self) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def start(self) -> Self:
        self._index = self._build_index()
        return super().start()

    def knows(self, doi: str) -> bool:
        return doi.lower() in self._index

    def hide(self, doi: str) -> None:
        self._hidden.add(doi.lower())

    def lookup(self, doi: str) -> dict[str, Any] | None:
        doi = doi.lower()
        return None if doi in self._hidden else self._index.get(doi)


class FakeCrossref(_Agency):
    """api.crossref.org: `/[v1/]works/<doi>/transform` (content negotiation by Accept, where
    doi.org redirects), `/works/<doi>/transform/<mime>`, `/works/<doi>` (the REST message),
    `/works/<doi>/agency`, and the `/works` list route (`work-list` envelope): `filter=doi:a,doi:b`
    (the same filter repeated is OR), `query.bibliographic` / `query.author` (keyword relevance
    over title, authors, container and year; each item carries a `score`), `rows` (default 20,
    max 1000), `offset`, `select`. `reject_filter(doi)` makes list requests whose filter names that
    DOI answer 400 `validation-failure` (fault injection)."""

    throttle_body = (
        "<html><body><h1>429 Too Many Requests</h1>"
        "You have sent too many requests in a given amount of time.</body></html>"
    )
    _SELECTABLE_TEXT = """abstract URL resource member posted score created degree update-policy
        short-title license ISSN container-title issued update-to issue prefix approved indexed
        article-number accepted author group-title DOI is-referenced-by-count updated-by event
        chair standards-body original-title funder translator archive published-print
        alternative-id subject subtitle published-online publisher-location content-domain
        reference title link type publisher volume references-count ISBN issn-type assertion
        deposited page content-created short-container-title relation editor"""
    SELECTABLE: ClassVar[frozenset[str]] = frozenset(_SELECTABLE_TEXT.split())
    _rejected: set[str]

    def reject_filter(self, doi: str) -> None:
        if not hasattr(self, "_rejected"):
            self._rejected = set()
        self._rejected.add(doi.lower())

    def _failure(self, status: int, kind: str, value: str, message: str) -> Reply:
        body = {
            "status": "failed",
            "message-type": "validation-failure" if status == 400 else "resource-failure",
            "message": [{"type": kind, "value": value, "message": message}],
        }
        return Reply(status, crossref_json(body), [("Content-Type", "application/json")])

    def _list(self, request: LoggedRequest, pool: list[tuple[str, str]]) -> Reply:
        q = request.query
        rows_raw, offset_raw = q.get("rows", "20"), q.get("offset", "0")
        for value in (rows_raw, offset_raw):
            if not value.isdigit() or (value is rows_raw and int(value) > 1000):
                text = f"Integer specified as {value} but must be a positive integer less than or equal to 1000."  # noqa: E501
                return self._failure(400, "integer-not-valid", value, text)
        rows, offset = int(rows_raw), int(offset_raw)
        select = [f for f in q.get("select", "").split(",") if f]
        for name in select:
            if name not in self.SELECTABLE:
                text = f"Field specified as {name} but this is not a valid select field."
                return self._failure(400, "select-not-allowed", name, text)
        works = [w for doi, w in self._index.items() if doi not in self._hidden]
        dois: list[str] = []
        for part in (p for p in q.get("filter", "").split(",") if p):
            name, _, value = part.partition(":")
            if name != "doi":
                text = f"Filter {name} specified but there is no such filter for this route."
                return self._failure(400, "filter-not-available", name, text)
            dois.append(value.lower())
        if set(dois) & getattr(self, "_rejected", set()):
            bad = next(d for d in dois if d in self._rejected)
            text = f"Filter doi specified as {bad} but it is not a valid DOI."
            return self._failure(400, "filter-value-invalid", bad, text)
        if dois:
            works = [w for w in works if w["crossref"]["doi"].lower() in dois]
        terms = " ".join(q.get(k, "") for k in ("query", "query.bibliographic")).split()
        author = q.get("query.author", "")
        scored = [(self._score(w, terms, author), i, w) for i, w in enumerate(works)]
        if terms or author:
            scored = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
        items = []
        for score, _, work in scored[offset : offset + rows]:
            item = crossref_csl(work, rest=True)
            item["score"] = score if terms or author else 1.0
            items.append({k: v for k, v in item.items() if k in select} if select else item)
        search_terms = " ".join(terms) or None
        message = {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": len(scored),
                "items": items,
                "items-per-page": rows,
                "query": {"start-index": offset, "search-terms": search_terms},
            },
        }
        return Reply(200, crossref_json(message), [("Content-Type", "application/json"), *pool])

    @staticmethod
    def _score(work: Mapping[str, Any], terms: list[str], author: str) -> float:
        """Keyword relevance: query words found in the work's bibliographic text, half a point
        per query.author word found among the authors. Works matching under half the title
        words score 0 (not listed)."""

        def words(text: str) -> set[str]:
            return set(re.findall(r"[a-z0-9]+", text.lower()))

        cr = work["crossref"]
        names = " ".join(author_name(a) for a in (cr.get("authors") or work["authors"]))
        container = cr.get("container") or ""
        container = " ".join(container) if isinstance(container, list) else container
        year = str((cr.get("issued") or [""])[0])
        text = words(f"{cr.get('title') or work['title']} {names} {container} {year}")
        wanted = [w for t in terms for w in words(t)]
        hits = sum(1 for w in wanted if w in text)
        if wanted and hits * 2 < len(wanted):
            return 0.0
        bonus = sum(0.5 for w in words(author) if w in words(names))
        return round(hits * 4.5 + bonus, 4)

    def _build_index(self) -> dict[str, dict[str, Any]]:
        return self.world.crossref()

    def _pool_headers(self, request: LoggedRequest) -> list[tuple[str, str]]:
        polite = "mailto:" in request.headers.get("user-agent", "") or "mailto" in request.query
        limit, concurrency = ("10", "3") if polite else ("5", "1")
        return [
            ("x-api-pool", "polite" if polite else "public"),
            ("x-rate-limit-limit", limit),
            ("x-rate-limit-interval", "1s"),
            ("x-concurrency-limit", concurrency),
        ]

    def handle(self, request: LoggedRequest) -> Reply:
        path = request.path.removeprefix("/v1")
        if path in {"/works", "/works/"}:
            return self._list(request, self._pool_headers(request))
        if not path.startswith("/works/"):
            return Reply.text(404, "Resource not found.")
        rest = path.removeprefix("/works/")
        pool = self._pool_headers(request)
        mime: str | None = None
        if "/transform/" in rest:
            rest, mime = rest.split("/transform/", 1)
            mime = unquote(mime)
        elif rest.endswith("/transform"):
            rest = rest.removesuffix("/transform")
            accept = request.headers.get("accept", "")
            mime = (
                ACCEPT_CSL
                if ACCEPT_CSL in accept
                else ACCEPT_BIBTEX
                if ACCEPT_BIBTEX in accept
                else accept
            )
        elif rest.endswith("/agency"):
            return self._agency(unquote(rest.removesuffix("/agency")), pool)
        doi = unquote(rest)
        work = self.lookup(doi)
        if work is None:
            ctype = "text/plain;charset=utf-8" if mime else "text/plain"
            return Reply(404, b"Resource not found.", [("Content-Type", ctype), *pool])
        if mime is None:
            message = {
                "status": "ok",
                "message-type": "work",
                "message-version": "1.0.0",
                "message": crossref_csl(work, rest=True),
            }
            return Reply(200, crossref_json(message), [("Content-Type", "application/json"), *pool])
        vary = [("Vary", "Accept")]
        if mime == ACCEPT_CSL:
            body = crossref_json(crossref_csl(work))
            return Reply(200, body, [("Content-Type", ACCEPT_CSL), *vary, *pool])
        if mime == ACCEPT_BIBTEX:
            body = crossref_bibtex(work).encode("utf-8")
            return Reply(200, body, [("Content-Type", ACCEPT_BIBTEX), *vary, *pool])
        return Reply(406, b"Not acceptable.", [("Content-Type", "text/plain"), *vary, *pool])

    def _agency(self, doi: str, pool: list[tuple[str, str]]) -> Reply:
        if self.lookup(doi) is not None:
            agency = {"id": "crossref", "label": "Crossref"}
        elif doi.lower() in self.world.datacite():
            agency = {"id": "datacite", "label": "DataCite"}
        else:
            return Reply(
                404,
                b"Resource not found.",
                [("Content-Type", "application/json;charset=utf-8"), *pool],
            )
        message = {
            "status": "ok",
            "message-type": "work-agency",
            "message-version": "1.0.0",
            "message": {"DOI": doi.lower(), "agency": agency},
        }
        return Reply(
            200, crossref_json(message), [("Content-Type", "application/json;charset=utf-8"), *pool]
        )


class FakeDataCite(_Agency):
    """api.datacite.org-like content negotiation for arXiv's DOIs: `GET /dois/<doi>` with Accept."""

    def _build_index(self) -> dict[str, dict[str, Any]]:
        return self.world.datacite()

    def handle(self, request: LoggedRequest) -> Reply:
        doi = unquote(request.path.removeprefix("/dois/"))
        work = self.lookup(doi) if request.path.startswith("/dois/") else None
        if work is None:
            body = {
                "errors": [
                    {"status": "404", "title": "The resource you are looking for doesn't exist."}
                ]
            }
            return Reply(
                404,
                json.dumps(body).encode(),
                [("Content-Type", "application/json; charset=utf-8")],
            )
        if _accepts(request, ACCEPT_CSL):
            body_text = json.dumps(datacite_csl(work), indent=2, ensure_ascii=False)
            return Reply(
                200, body_text.encode("utf-8"), [("Content-Type", f"{ACCEPT_CSL}; charset=utf-8")]
            )
        if _accepts(request, ACCEPT_BIBTEX):
            return Reply(
                200,
                datacite_bibtex(work).encode("utf-8"),
                [("Content-Type", f"{ACCEPT_BIBTEX}; charset=utf-8")],
            )
        return Reply(406, b"Not acceptable.", [("Content-Type", "text/plain")])


def _doi_page(title: str, heading: str, text: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en-us">\n<head>\n    <meta charset="UTF-8">\n'
        f'    <title>{title}</title>\n</head>\n<body class="generic-page">\n<main>\n'
        f"    <h2>{heading}</h2>\n    <p>{text}</p>\n</main>\n</body>\n</html>\n"
    )


class FakeDoi(FakeServer):
    """doi.org: `GET /<doi>` 302-redirects to the agency that registered it (Crossref or DataCite,
    each its own fake server, started and stopped with this one), keeping nothing but the Location;
    unknown DOIs 404 ("DOI Not Found" page), non-DOIs 400 ("Not a DOI"). A request that asks for
    HTML (no metadata Accept) is redirected to a landing page on this same fake."""

    def __init__(self, world: World, *, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.world = world
        self.crossref = FakeCrossref(world, latency=latency)
        self.datacite = FakeDataCite(world, latency=latency)

    def start(self) -> Self:
        self.crossref.start()
        self.datacite.start()
        return super().start()

    def stop(self) -> None:
        super().stop()
        self.crossref.stop()
        self.datacite.stop()

    @property
    def servers(self) -> Iterator[FakeServer]:
        yield from (self, self.crossref, self.datacite)

    def handle(self, request: LoggedRequest) -> Reply:
        if request.path.startswith("/landing/"):
            doi = escape(unquote(request.path.removeprefix("/landing/")))
            page = f"<html><head><title>{doi}</title></head><body>{doi}</body></html>\n"
            return Reply.text(200, page, "text/html;charset=utf-8")
        doi = unquote(request.path.removeprefix("/"))
        if not doi.startswith("10."):
            page = _doi_page(
                "Error: Not a DOI",
                "Not a DOI",
                f"You have attempted to resolve {escape(doi)}, which is not a DOI.",
            )
            return Reply.text(400, page, "text/html;charset=UTF-8", Vary="Origin")
        agency: _Agency | None = None
        if self.crossref.knows(doi):
            location = f"{self.crossref.root}/v1/works/{quote(doi, safe='')}/transform"
            agency = self.crossref
        elif self.datacite.knows(doi):
            location = f"{self.datacite.root}/dois/{quote(doi, safe='')}"
            agency = self.datacite
        if agency is None:
            page = _doi_page(
                "Error: DOI Not Found", "DOI Not Found", f"{escape(doi)} could not be found."
            )
            return Reply.text(404, page, "text/html;charset=utf-8", Vary="Origin")
        accept = request.headers.get("accept", "")
        if "text/html" in accept or not any(
            m in accept for m in ("application/", "text/x-", "text/turtle")
        ):
            location = f"{self.root}/landing/{quote(doi, safe='/')}"
        page = (
            "<html><head><title>Handle Redirect</title></head>\n"
            f'<body><a href="{location}">{location}</a></body></html>'
        )
        headers = [
            ("Content-Type", "text/html;charset=utf-8"),
            ("Location", location),
            ("Vary", "Origin, Accept"),
        ]
        return Reply(302, page.encode("utf-8"), headers)


def all_requests(servers: Iterable[FakeServer]) -> list[LoggedRequest]:
    return [r for s in servers for r in s.requests]
