"""A fake of Semantic Scholar's Graph API (`FakeS2`), serving the fixture world.

World section (in `tests/data/world.d/*.json`; optional)
-------------------------------------------------------
    s2      {...} how Semantic Scholar shows the work, or `false` when S2 does not know it.
        paperId, corpusId          default: derived from the work's key
        title, authors             overrides ([{"name": ...}] as S2 writes names)
        venue                      S2's venue string ("Neural Information Processing Systems")
        publicationVenue           {"id", "name", "type": "conference"|"journal", "alternate_names"}
        publicationTypes           ["JournalArticle", "Conference", ...]
        year, publicationDate      default: the arXiv v1 date, else Crossref's `issued`
        journal                    {"name", "volume", "pages"}
        externalIds                merged over the derived ones (ArXiv, DOI, CorpusId): DBLP, ACL
      Without a section S2 still knows the work: an arXiv work shows as arXiv.org (journal ArXiv,
      DOI 10.48550/arXiv.<id>), a Crossref work under its container title.

`FakeS2`: `POST /graph/v1/paper/batch`, `GET /graph/v1/paper/<id>`, `/paper/search`,
`/paper/search/match`; 400 for unknown fields; 429 throttling with S2's JSON body and no
Retry-After (`fail_next(n, "429")`); an optional API key (`FakeS2(world, api_key=...)`) answered
with 403 when a request sends another one.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Self
from urllib.parse import unquote

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.world import World, author_name

S2_ROOT = "/graph/v1"
_S2_FIELD_NAMES = """paperId corpusId externalIds url title abstract venue publicationVenue year
    referenceCount citationCount influentialCitationCount isOpenAccess openAccessPdf fieldsOfStudy
    s2FieldsOfStudy publicationTypes publicationDate journal citationStyles authors"""
S2_FIELDS = frozenset(_S2_FIELD_NAMES.split())
S2_THROTTLE = (
    '{"message": "Too Many Requests. Please wait and try again or apply for a key for higher '
    'rate limits. https://www.semanticscholar.org/product/api#api-key-form", "code": "429"}'
)
S2_ARXIV_VENUE = {
    "id": "1901e811-ee72-4b20-8f7e-de08cd395a10",
    "name": "arXiv.org",
    "alternate_names": ["ArXiv"],
    "issn": "2331-8422",
    "url": "https://arxiv.org",
}
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _digest(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()


def s2_paper(work: Mapping[str, Any]) -> dict[str, Any]:
    """Every field S2 has for a world work (the fake then keeps the requested ones)."""
    sec: Mapping[str, Any] = work.get("s2") or {}
    ax, cr = work.get("arxiv"), work.get("crossref")
    paper_id = sec.get("paperId") or _digest(work["key"])
    corpus = sec.get("corpusId") or int(paper_id[:7], 16)
    ext: dict[str, Any] = {}
    if ax:
        ext["ArXiv"] = ax["id"]
    ext["DOI"] = cr["doi"] if cr else (f"10.48550/arXiv.{ax['id']}" if ax else None)
    ext.update(sec.get("externalIds", {}))
    ext["CorpusId"] = corpus
    ext = {k: v for k, v in ext.items() if v is not None}
    container = cr.get("container") if cr else None
    container = container[0] if isinstance(container, list) else container
    if cr and "venue" not in sec:
        venue, pub_venue = container or "", None
        journal: dict[str, Any] | None = {"name": container or ""}
        if cr.get("volume"):
            journal["volume"] = cr["volume"]
        if cr.get("page"):
            journal["pages"] = cr["page"].replace("-", " - ")
    else:
        venue = sec.get("venue", "arXiv.org")
        pub_venue = sec.get("publicationVenue", S2_ARXIV_VENUE if venue == "arXiv.org" else None)
        journal = sec.get("journal", {"name": "ArXiv", "volume": f"abs/{ax['id']}"} if ax else None)
    date = sec.get("publicationDate")
    if date is None and ax:
        date = ax["versions"][0][:10]
    elif date is None and cr and cr.get("issued"):
        parts = cr["issued"]
        date = "-".join(f"{p:02d}" for p in parts) if len(parts) == 3 else None
    year = sec.get("year") or (int(date[:4]) if date else (cr["issued"][0] if cr else None))
    authors = sec.get("authors") or [{"name": author_name(a)} for a in work["authors"]]
    return {
        "paperId": paper_id,
        "corpusId": corpus,
        "externalIds": ext,
        "url": f"https://www.semanticscholar.org/paper/{paper_id}",
        "title": sec.get("title") or (ax or {}).get("title") or work["title"],
        "abstract": (ax or {}).get("summary"),
        "venue": venue,
        "publicationVenue": pub_venue,
        "year": year,
        "referenceCount": 0,
        "citationCount": 0,
        "influentialCitationCount": 0,
        "isOpenAccess": bool(ax),
        "openAccessPdf": {"url": f"https://arxiv.org/pdf/{ax['id']}", "status": "GREEN"}
        if ax
        else None,
        "fieldsOfStudy": ["Computer Science"],
        "s2FieldsOfStudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
        "publicationTypes": sec.get("publicationTypes", ["JournalArticle"]),
        "publicationDate": date,
        "journal": journal,
        "authors": [
            {"authorId": str(int(_digest(a["name"])[:8], 16)), "name": a["name"]} for a in authors
        ],
    }


class FakeS2(FakeServer):
    """api.semanticscholar.org/graph/v1 for the world's works (see the module docstring)."""

    def __init__(self, world: World, *, api_key: str = "", latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.world = world
        self.api_key = api_key
        self._papers: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}

    @property
    def base_url(self) -> str:
        return f"{self.root}{S2_ROOT}"

    def start(self) -> Self:
        self._papers, self._by_id = [], {}
        for work in self.world.works:
            if work.get("s2") is False:
                continue
            paper = s2_paper(work)
            self._papers.append(paper)
            ext = paper["externalIds"]
            ids = [paper["paperId"], f"corpusid:{paper['corpusId']}"]
            ids += [f"doi:{ext['DOI'].lower()}", ext["DOI"].lower()] if "DOI" in ext else []
            ids += [f"arxiv:{ext['ArXiv'].lower()}"] if "ArXiv" in ext else []
            ids += [f"acl:{ext['ACL'].lower()}"] if "ACL" in ext else []
            if "ArXiv" in ext:  # S2 also answers the arXiv DataCite DOI
                ids.append(f"doi:10.48550/arxiv.{ext['ArXiv'].lower()}")
            self._by_id.update(dict.fromkeys(ids, paper))
        return super().start()

    def fault_reply(self, kind: str) -> Reply:
        # S2 throttles with a JSON body and never sends Retry-After or rate-limit headers.
        if kind in {"429", "429-no-retry-after"}:
            return Reply.text(429, S2_THROTTLE, "application/json")
        return super().fault_reply(kind)

    def handle(self, request: LoggedRequest) -> Reply:
        sent_key = request.headers.get("x-api-key")
        if sent_key is not None and sent_key != self.api_key:
            return _json(403, {"message": "Forbidden"})
        path = request.path.removeprefix(S2_ROOT)
        if not request.path.startswith(S2_ROOT):
            return _json(404, {"message": "Not Found"})
        fields, bad = _fields(request.query.get("fields"))
        if bad:
            return _json(400, {"error": f"Unrecognized or unsupported fields: [{', '.join(bad)}]"})
        if path == "/paper/batch" and request.method == "POST":
            return self._batch(request, fields)
        if path == "/paper/search":
            return self._search(request, fields)
        if path == "/paper/search/match":
            return self._match(request, fields)
        if path.startswith("/paper/"):
            raw = unquote(path.removeprefix("/paper/"))
            paper = self._by_id.get(raw.lower())
            if paper is None:
                return _json(404, {"error": f"Paper with id {raw} not found"})
            return _json(200, _pick(paper, fields))
        return _json(404, {"message": "Not Found"})

    def _batch(self, request: LoggedRequest, fields: Sequence[str]) -> Reply:
        try:
            ids = json.loads(request.body or b"{}").get("ids")
        except (ValueError, AttributeError):
            ids = None
        if not isinstance(ids, list) or not ids:
            return _json(400, {"error": "Body must contain a non-empty list of ids"})
        if len(ids) > 500:
            return _json(400, {"error": "Cannot process more than 500 ids"})
        answer = []
        for raw in ids:
            paper = self._by_id.get(str(raw).lower())
            answer.append(_pick(paper, fields) if paper else None)
        return _json(200, answer)

    def _ranked(self, query: str) -> list[dict[str, Any]]:
        """Keyword relevance: papers with at least half the query's words, most words first.
        A hyphenated term makes S2's keyword search find nothing."""
        if re.search(r"\w-\w", query):
            return []
        wanted = set(_words(query))
        scored = []
        for i, paper in enumerate(self._papers):
            title = set(_words(paper["title"]))
            hits = len(wanted & title)
            if wanted and hits * 2 >= len(wanted):
                scored.append((-hits, len(title - wanted), i, paper))
        return [paper for *_, paper in sorted(scored, key=lambda s: s[:3])]

    def _search(self, request: LoggedRequest, fields: Sequence[str]) -> Reply:
        q = request.query
        offset, limit = int(q.get("offset") or 0), int(q.get("limit") or 10)
        if limit > 100 or offset + limit > 1000:
            return _json(400, {"error": "Requested limit exceeds maximum of 100"})
        found = self._ranked(q.get("query", ""))
        page = found[offset : offset + limit]
        body: dict[str, Any] = {"total": len(found), "offset": offset}
        if offset + limit < len(found):
            body["next"] = offset + limit
        body["data"] = [_pick(p, fields) for p in page]
        return _json(200, body)

    def _match(self, request: LoggedRequest, fields: Sequence[str]) -> Reply:
        query = " ".join(_words(request.query.get("query", "")))
        best, best_ratio = None, 0.0
        for paper in self._papers:
            ratio = difflib.SequenceMatcher(None, query, " ".join(_words(paper["title"]))).ratio()
            if ratio > best_ratio:
                best, best_ratio = paper, ratio
        if best is None or best_ratio < 0.85:
            return _json(404, {"error": "Title match not found"})
        return _json(200, {"data": [{**_pick(best, fields), "matchScore": 100 * best_ratio}]})


def _fields(raw: str | None) -> tuple[list[str], list[str]]:
    names = [f.strip() for f in (raw or "").split(",") if f.strip()]
    return names, [f for f in names if f not in S2_FIELDS]


def _pick(paper: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """S2 answers paperId plus the asked fields (paperId and title when none are asked)."""
    wanted = list(fields) or ["title"]
    return {"paperId": paper["paperId"], **{f: paper.get(f) for f in wanted if f != "paperId"}}


def _json(status: int, data: Any) -> Reply:
    return Reply(status, json.dumps(data).encode("utf-8"), [("Content-Type", "application/json")])
