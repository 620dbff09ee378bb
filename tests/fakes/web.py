"""Arbitrary web sites on one fake server: the fixture world's pages, and pages a test adds.

World section (in `tests/data/world.d/web.json`; the common fields are documented in world.py)
-----------------------------------------------------------------------------------------------
    web         [{...}]  pages of the work on some web site, served by `FakeWeb` under one server:
        path        `/<site>/<path>` (e.g. `/transformer-circuits.pub/2022/toy_model/index.html`);
                    a test links to `FakeWeb.url(path)`
        html        the page (UTF-8, text/html)
        status      instead of html: 404, 410, or a 30x with `location` (a path here, or a URL)
        content_type    instead of html: a non-HTML answer (application/pdf)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import quote

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.world import World


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
