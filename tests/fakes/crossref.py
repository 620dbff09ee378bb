"""A fake of the Crossref API (content negotiation, the REST `/works` routes), the answers it
builds from the fixture world's `crossref` sections, and what every registration agency shares."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Self
from urllib.parse import unquote

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.world import World, author_name

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

    limit_fault = "429-no-retry-after"
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
