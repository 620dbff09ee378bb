"""A fake of the arXiv API (export.arxiv.org `/api/query`) serving the fixture world's `arxiv`
sections, in the current and the classic Atom feed."""

from __future__ import annotations

import base64
import hashlib
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import parse_qsl, quote
from xml.sax.saxutils import escape, quoteattr

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.world import World, author_name

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

    limit_fault = "rate-exceeded-200"
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
