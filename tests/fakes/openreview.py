"""A fake of OpenReview's API (v1 and v2), serving the fixture world.

World section (in `tests/data/world.d/web.json`; the common fields are documented in world.py)
-----------------------------------------------------------------------------------------------
    openreview  {...}  the work's OpenReview forum:
        id          forum id (= the submission note's id)
        api         1 (served only by API v1, content unwrapped) or 2 (API v2, values wrapped)
        venue, venueid      as OpenReview stores them (`ICLR 2024 poster`,
                    `ICLR.cc/2024/Conference`; `Submitted to ICLR 2025`, `.../Rejected_Submission`)
        bibtex_type inproceedings | article | misc;  booktitle / journal / editor / issn / note
        bibtex_title        optional: the title as the `_bibtex` writes it (`Lo{RA}: ...`)
        under_review, anonymous   bool: `note={under review}` / `author={Anonymous}` and no authors
        year        `_bibtex` year;  cdate, pdate    ISO dates (rendered as ms timestamps)

`FakeOpenReview` serves API v2 under `/api2` and API v1 under `/api` of one server, so
`openreview.v1_base_url` finds v1 beside v2 as it does for the real hosts; `/v2` is v2 again,
under a name from which no v1 address can be derived (a mirror).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Self

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.world import World, author_name

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
