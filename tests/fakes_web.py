"""Local fakes for OpenReview, the ACL Anthology and arbitrary web sites, serving the fixture world.

World sections (in `tests/data/world.d/web.json`; the common fields are documented in fakes.py)
------------------------------------------------------------------------------------------------
    openreview  {...}  the work's OpenReview forum:
        id          forum id (= the submission note's id)
        api         1 (served only by API v1, content unwrapped) or 2 (API v2, values wrapped)
        venue, venueid      as OpenReview stores them (`ICLR 2024 poster`,
                    `ICLR.cc/2024/Conference`; `Submitted to ICLR 2025`, `.../Rejected_Submission`)
        bibtex_type inproceedings | article | misc;  booktitle / journal / editor / issn / note
        bibtex_title        optional: the title as the `_bibtex` writes it (`Lo{RA}: ...`)
        under_review, anonymous   bool: `note={under review}` / `author={Anonymous}` and no authors
        year        `_bibtex` year;  cdate, pdate    ISO dates (rendered as ms timestamps)
    acl         {...}  the work's ACL Anthology entry, rendered as the Anthology's `.bib`:
        id, key     anthology id (`N19-1423`, `2021.naacl-main.208`) and BibTeX key
        style       "2023" (editor, abstract, url with trailing slash), "2022" (trailing comma, url
                    without slash) or "old" (no 10.18653 DOI, `month = jul # ...` style macros)
        title       optional: as the Anthology writes it (`{BERT}: ...`)
        booktitle, month (macro) or month_raw (verbatim), year, address, pages, editor [names]
        doi         true: `10.18653/v1/<id>`;  doi_value: another DOI verbatim;  abstract
    web         [{...}]  pages of the work on some web site, served by `FakeWeb` under one server:
        path        `/<site>/<path>` (e.g. `/transformer-circuits.pub/2022/toy_model/index.html`);
                    a test links to `FakeWeb.url(path)`
        html        the page (UTF-8, text/html)
        status      instead of html: 404, 410, or a 30x with `location` (a path here, or a URL)
        content_type    instead of html: a non-HTML answer (application/pdf)

`FakeOpenReview` serves API v2 under `/api2` and API v1 under `/api` of one server, so
`openreview.v1_base_url` finds v1 beside v2 as it does for the real hosts; `/v2` is v2 again,
under a name from which no v1 address can be derived (a mirror).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import quote

from fakes import FakeServer, LoggedRequest, Reply, World, author_name

JSON_TYPE = "application/json; charset=utf-8"


def _ms(day: str | None) -> int | None:
    if not day:
        return None
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000)


def _error(status: int, name: str, message: str) -> Reply:
    body = {"name": name, "message": message, "status": status, "details": {}}
    return Reply(status, json.dumps(body).encode(), [("Content-Type", JSON_TYPE)])


def openreview_bibtex(work: Mapping[str, Any]) -> str:
    """The `_bibtex` OpenReview generates: one field per line, no indentation, braces."""
    section = work["openreview"]
    names = [author_name(a) for a in work["authors"]]
    author = "Anonymous" if section.get("anonymous") else " and ".join(names)
    first = (work["authors"][0].get("family") or "anonymous").lower().replace(" ", "")
    lines = [
        f"title={{{section.get('bibtex_title', work['title'])}}}",
        f"author={{{author}}}",
    ]
    for name in ("booktitle", "journal", "editor", "issn"):
        if section.get(name):
            lines.append(f"{name}={{{section[name]}}}")
    lines.append(f"year={{{section['year']}}}")
    lines.append(f"url={{https://openreview.net/forum?id={section['id']}}}")
    if section.get("under_review"):
        lines.append("note={under review}")
    elif section.get("note"):
        lines.append(f"note={{{section['note']}}}")
    key = f"{first}{section['year']}{section['id'][:4].lower()}"
    head = f"@{section.get('bibtex_type', 'inproceedings')}{{\n{key},\n"
    return head + ",\n".join(lines) + "\n}"


def openreview_note(work: Mapping[str, Any], *, wrapped: bool) -> dict[str, Any]:
    """A submission note as API v2 (`wrapped`) or v1 returns it."""
    section = work["openreview"]
    venueid = section.get("venueid", "")
    domain = "/".join(venueid.split("/")[:3]) if "/" in venueid else venueid
    content: dict[str, Any] = {
        "title": work["title"],
        "venue": section.get("venue", ""),
        "venueid": venueid,
        "pdf": f"/pdf/{section['id'].lower()}0000.pdf",
        "_bibtex": openreview_bibtex(work),
        "abstract": work.get("abstract", f"Abstract of {work['title']}."),
    }
    if not section.get("anonymous"):
        content["authors"] = [author_name(a) for a in work["authors"]]
        content["authorids"] = [f"~{author_name(a).replace(' ', '_')}1" for a in work["authors"]]
    cdate, pdate = _ms(section.get("cdate")), _ms(section.get("pdate"))
    note: dict[str, Any] = {
        "id": section["id"],
        "forum": section["id"],
        "number": 1,
        "cdate": cdate,
    }
    note["tcdate"] = note["mdate"] = note["tmdate"] = cdate
    if wrapped:
        note.update(
            content={k: {"value": v} for k, v in content.items()},
            domain=domain,
            invitations=[f"{domain}/-/Submission", f"{domain}/-/Post_Submission"],
            odate=cdate,
            signatures=[f"{domain}/Submission1/Authors"],
            readers=["everyone"],
            writers=[domain],
        )
        if pdate is not None:
            note["pdate"] = pdate
    else:
        note.update(
            content=content,
            original=None,
            ddate=None,
            replyto=None,
            invitation=f"{domain}/-/Blind_Submission",
            signatures=[domain],
            readers=["everyone"],
            nonreaders=[],
            writers=[domain],
        )
    return note


class FakeOpenReview(FakeServer):
    """api2.openreview.net (`/api2`: `GET /notes?id=|forum=`, `POST /notes/search {"ids"}`) and
    api.openreview.net (`/api`: `GET /notes?id=`). Unknown ids: 404 `NotFoundError` JSON for
    `id=`, an empty `notes` list for searches; v2 never serves v1 notes and vice versa."""

    def __init__(self, world: World, *, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.world = world
        self._notes: dict[int, dict[str, Mapping[str, Any]]] = {1: {}, 2: {}}
        # False: `POST /notes/search` is not routed (404), as on a server without it.
        self.search_enabled = True

    def start(self) -> Self:
        for work in self.world.works:
            section = work.get("openreview")
            if section:
                self._notes[int(section.get("api", 2))][section["id"]] = work
        return super().start()

    @property
    def base_url(self) -> str:
        return f"{self.root}/api2"

    @property
    def v1_url(self) -> str:
        return f"{self.root}/api"

    def fault_reply(self, kind: str) -> Reply:
        if kind.startswith("429"):
            reply = _error(429, "RateLimitError", "Too many requests, please try again later")
            if kind == "429":
                reply.headers.append(("Retry-After", "1"))
            return reply
        return super().fault_reply(kind)

    def handle(self, request: LoggedRequest) -> Reply:
        version, _, rest = request.path.lstrip("/").partition("/")
        api = {"api2": 2, "api": 1, "v2": 2}.get(version)  # /v2: a mirror not named api2
        if api is None or rest not in ("notes", "notes/search"):
            return _error(404, "NotFoundError", f"Route {request.path} not found")
        notes = self._notes[api]
        if rest == "notes/search" and api == 2 and request.method == "POST" and self.search_enabled:
            try:
                ids = json.loads(request.body or b"{}").get("ids") or []
            except ValueError:
                return _error(400, "ValidationError", "Request body must be JSON")
            return self._answer([notes[i] for i in ids if i in notes], api)
        if rest == "notes/search" and not self.search_enabled:
            return _error(404, "NotFoundError", f"Route {request.path} not found")
        if request.method != "GET" or rest != "notes":
            return _error(405, "MethodNotAllowedError", f"{request.method} {request.path}")
        if "id" in request.query:
            work = notes.get(request.query["id"])
            if work is None:
                return _error(404, "NotFoundError", f"The Note {request.query['id']} was not found")
            return self._answer([work], api)
        if "forum" in request.query:
            return self._answer([w for i, w in notes.items() if i == request.query["forum"]], api)
        return _error(400, "ValidationError", "Missing filter: id, forum or invitation")

    @staticmethod
    def _answer(works: Sequence[Mapping[str, Any]], api: int) -> Reply:
        notes = [openreview_note(w, wrapped=api == 2) for w in works]
        body = json.dumps({"notes": notes, "count": len(notes)}).encode()
        return Reply(200, body, [("Content-Type", JSON_TYPE)])


def acl_bibtex(work: Mapping[str, Any]) -> str:
    """The Anthology's `.bib` for a work (styles documented at the top of this module)."""
    s = work["acl"]
    style = s.get("style", "2023")

    def names(people: Sequence[str]) -> str:
        return "  and\n      ".join(people)

    authors = [
        a["name"] if "name" in a else f"{a['family']}, {a['given']}".strip(", ")
        for a in work["authors"]
    ]
    month = s.get("month_raw") or s.get("month")
    fields: list[tuple[str, str]] = [
        ("title", f'"{s.get("title", work["title"])}"'),
        ("author", f'"{names(authors)}"'),
    ]
    if style == "2023" and s.get("editor"):
        fields.append(("editor", f'"{names(s["editor"])}"'))
    fields.append(("booktitle", f'"{s["booktitle"]}"'))
    if month:
        fields.append(("month", str(month)))
    fields += [
        ("year", f'"{s["year"]}"'),
        ("address", f'"{s["address"]}"'),
        ("publisher", '"Association for Computational Linguistics"'),
        ("url", f'"https://aclanthology.org/{s["id"]}{"/" if style == "2023" else ""}"'),
    ]
    if s.get("doi"):
        fields.append(("doi", f'"10.18653/v1/{s["id"]}"'))
    elif s.get("doi_value"):
        fields.append(("doi", f'"{s["doi_value"]}"'))
    fields.append(("pages", f'"{s["pages"]}"'))
    if style == "2023" and s.get("abstract"):
        fields.append(("abstract", f'"{s["abstract"]}"'))
    body = ",\n".join(f"    {name} = {value}" for name, value in fields)
    return f"@inproceedings{{{s['key']},\n{body}{',' if style == '2022' else ''}\n}}\n"


class FakeAcl(FakeServer):
    """aclanthology.org: `GET /<id>.bib`; unknown paths answer the site's 404 page."""

    def __init__(self, world: World, *, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.world = world
        self._by_id: dict[str, Mapping[str, Any]] = {}

    def start(self) -> Self:
        self._by_id = {w["acl"]["id"]: w for w in self.world.works if w.get("acl")}
        return super().start()

    def handle(self, request: LoggedRequest) -> Reply:
        name = request.path.lstrip("/")
        work = self._by_id.get(name.removesuffix(".bib")) if name.endswith(".bib") else None
        if work is None:
            page = "<!doctype html><html><head><title>Page not found - ACL Anthology</title></head>"
            return Reply.text(404, page + "<body><h2>404</h2></body></html>", "text/html")
        return Reply.text(200, acl_bibtex(work), "text/plain; charset=utf-8")


class FakeWeb(FakeServer):
    """Many web sites on one server: the world's `web` pages at their paths, plus pages a test
    adds with `add_page`. Unknown paths answer 404."""

    def __init__(self, world: World, *, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.world = world
        self._pages: dict[str, Mapping[str, Any]] = {}

    def start(self) -> Self:
        for work in self.world.works:
            for page in work.get("web", ()):
                self._pages.setdefault(page["path"], page)
        return super().start()

    def url(self, path: str) -> str:
        """The address of a world page on this server (`path` from the world's `web` section)."""
        return f"{self.root}{quote(path, safe='/~%')}"

    def add_page(
        self,
        path: str,
        body: str | bytes = b"",
        *,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        location: str = "",
    ) -> str:
        """Serve `body` at `path` (or a redirect to `location`); returns the page's URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._pages[path] = {"path": path, "raw": data, "content_type": content_type,
                             "status": status, "location": location}  # fmt: skip
        return self.url(path)

    def page(self, key: str, index: int = 0) -> str:
        """The URL of the `index`-th web page of world work `key`."""
        return self.url(self.world.work(key)["web"][index]["path"])

    def handle(self, request: LoggedRequest) -> Reply:
        page = self._pages.get(request.path)
        if page is None:
            return Reply.text(404, "<html><body><h1>404 Not Found</h1></body></html>", "text/html")
        status = int(page.get("status", 200))
        if 300 <= status < 400:
            location = str(page["location"])
            target = self.url(location) if location.startswith("/") else location
            return Reply(status, b"", [("Location", target), ("Content-Type", "text/html")])
        if status != 200:
            return Reply.text(status, "<html><body><h1>Gone</h1></body></html>", "text/html")
        if "raw" in page:
            return Reply(200, page["raw"], [("Content-Type", page["content_type"])])
        if "content_type" in page:
            return Reply(
                200, b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n", [("Content-Type", page["content_type"])]
            )
        return Reply.text(200, page["html"], "text/html; charset=utf-8")
