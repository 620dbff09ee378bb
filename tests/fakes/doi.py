"""A fake of doi.org: redirects each DOI to the fake of the agency that registered it (Crossref or
DataCite), which it starts and stops with itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Self
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.crossref import FakeCrossref, _Agency
from fakes.datacite import FakeDataCite
from fakes.world import World


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
