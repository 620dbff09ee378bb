"""A fake of the OpenAlex works API (`FakeOpenAlex`), serving the fixture world.

World section (in `tests/data/world.d/*.json`; optional)
-------------------------------------------------------
    openalex    false when OpenAlex does not know the work; otherwise it shows every work of the
                world as one OpenAlex work joining the preprint and the published version: `doi`
                the Crossref DOI (else arXiv's DataCite DOI), the primary location the Crossref
                container (a journal, a conference for proceedings articles, a repository for
                posted content, which is then a `preprint` too) else arXiv, the
                arXiv copy among `locations`, `publication_year`, `authorships`, `biblio`.
                "apart": OpenAlex keeps the preprint and the published version as two works
                (the preprint's: arXiv's DOI, type `preprint`, the year of its first version;
                the other the Crossref DOI and container, no arXiv location), as it sometimes does.

`FakeOpenAlex`: `GET /works` with `filter=title.search:<words>` (works whose title holds every
word, best first) or `filter=doi:a|b|...` (up to 100 values), `per-page` (default 25, max 200),
`select`; the `{"meta", "results"}` envelope; an unknown filter or parameter answers 400 JSON
(`{"error", "message"}`); past its limit 429 JSON with Retry-After (`fail_next(n, "429")`).
A work joining a preprint to its published version also answers the preprint's arXiv DOI; a
preprint kept apart answers it with its own work only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.world import World, author_name

_WORD = re.compile(r"[a-z0-9]+")
_ARXIV_SOURCE = {
    "id": "https://openalex.org/S4306400194",
    "display_name": "arXiv (Cornell University)",
    "type": "repository",
}
_PARAMETERS = frozenset({"filter", "per-page", "select", "page", "mailto", "api_key"})


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _error(message: str) -> Reply:
    body = {"error": "Invalid query parameters error.", "message": message}
    return Reply.text(400, json.dumps(body), "application/json")


def openalex_work(work: Mapping[str, Any]) -> dict[str, Any]:
    """How OpenAlex shows a world work."""
    ax, cr = work.get("arxiv"), work.get("crossref")
    digest = hashlib.sha1(work["key"].encode()).hexdigest()
    arxiv_location = None
    if ax:
        abs_url = f"https://arxiv.org/abs/{ax['id']}"
        arxiv_location = {"landing_page_url": abs_url, "source": _ARXIV_SOURCE}
    locations = [arxiv_location] if arxiv_location else []
    doi = f"https://doi.org/{cr['doi']}" if cr else None
    if cr:
        container = cr.get("container")
        container = container[0] if isinstance(container, list) else container
        # Crossref's posted-content (Research Square, SSRN) is a preprint server: a repository.
        kinds = {"proceedings-article": "conference", "posted-content": "repository"}
        kind = kinds.get(cr.get("type", ""), "journal")
        home = {"display_name": container or "", "type": kind}
        locations.insert(0, {"landing_page_url": doi, "source": home})
    elif ax:
        doi = f"https://doi.org/10.48550/arxiv.{ax['id'].lower()}"
    year = (cr["issued"][0] if cr and cr.get("issued") else None) or (
        int(ax["versions"][0][:4]) if ax else None
    )
    pages = (cr or {}).get("page", "")
    first, _, last = pages.partition("-")
    return {
        "id": f"https://openalex.org/W{int(digest[:9], 16)}",
        "doi": doi,
        "title": work["title"],
        "display_name": work["title"],
        "publication_year": year,
        "publication_date": f"{year}-01-01" if year else None,
        "type": "article" if cr and cr.get("type") != "posted-content" else "preprint",
        "primary_location": locations[0] if locations else None,
        "locations": locations,
        "authorships": [
            {"author_position": "middle", "author": {"display_name": author_name(a)}}
            for a in work.get("authors", ())
        ],
        "biblio": {
            "volume": (cr or {}).get("volume"),
            "issue": None,
            "first_page": first or None,
            "last_page": last or None,
        },
    }


def _shown(work: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The OpenAlex works of a world work: one, or the preprint's and the published one apart."""
    if work.get("openalex") != "apart":
        return [openalex_work(work)]
    preprint = {k: v for k, v in work.items() if k != "crossref"}
    published = {k: v for k, v in work.items() if k != "arxiv"} | {"key": f"{work['key']}/pub"}
    return [openalex_work(preprint), openalex_work(published)]


class FakeOpenAlex(FakeServer):
    """`GET /works` like api.openalex.org (title search and DOI filter)."""

    def __init__(self, world: World, *, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        known = [w for w in world.works if w.get("openalex", True) is not False]
        known = [w for w in known if "arxiv" in w or "crossref" in w]
        self._works = [(w, o) for w in known for o in _shown(w)]
        self._by_doi = {
            str(o["doi"]).removeprefix("https://doi.org/").lower(): o
            for _, o in self._works
            if o["doi"]
        }
        # A work joining a preprint to its published version is found by the preprint's
        # DataCite DOI too (OpenAlex merged that DOI's work into it).
        for w, o in self._works:
            if "arxiv" in w and "crossref" in w and w.get("openalex") != "apart":
                self._by_doi.setdefault(f"10.48550/arxiv.{w['arxiv']['id'].lower()}", o)

    def fault_reply(self, kind: str) -> Reply:
        if kind.startswith("429"):
            body = json.dumps({"error": "Rate limit exceeded", "message": "Too many requests"})
            return Reply.text(429, body, "application/json", Retry_After="1")
        return super().fault_reply(kind)

    def handle(self, request: LoggedRequest) -> Reply:
        if request.path.rstrip("/") != "/works":
            return Reply.text(404, "<html><body>Not Found</body></html>", "text/html")
        unknown = set(request.query) - _PARAMETERS
        if unknown:
            return _error(f"{sorted(unknown)[0]} is not a valid parameter")
        name, _, value = request.query.get("filter", "").partition(":")
        if name == "title.search":
            wanted = _words(value)
            found = [o for w, o in self._works if wanted and set(wanted) <= set(_words(w["title"]))]
            found.sort(key=lambda o: len(_words(o["title"])))
        elif name == "doi":
            values = [v.strip().lower().removeprefix("https://doi.org/") for v in value.split("|")]
            if len(values) > 100:
                return _error(
                    "Maximum number of values exceeded for doi. Decrease values to 100 or below."
                )
            found = [self._by_doi[v] for v in values if v in self._by_doi]
        else:
            return _error(f"{name or 'filter'} is not a valid filter")
        per_page = int(request.query.get("per-page") or 25)
        shown = found[: min(per_page, 200)]
        fields = [f for f in request.query.get("select", "").split(",") if f]
        if fields:
            shown = [{f: o.get(f) for f in fields} for o in shown]
        meta = {"count": len(found), "db_response_time_ms": 12, "page": 1, "per_page": per_page}
        body = {"meta": meta, "results": shown, "group_by": []}
        return Reply.text(200, json.dumps(body), "application/json")
