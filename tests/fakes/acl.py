"""A fake of the ACL Anthology's `.bib` pages, serving the fixture world.

World section (in `tests/data/world.d/web.json`; the common fields are documented in world.py)
-----------------------------------------------------------------------------------------------
    acl         {...}  the work's ACL Anthology entry, rendered as the Anthology's `.bib`:
        id, key     anthology id (`N19-1423`, `2021.naacl-main.208`) and BibTeX key
        style       "2023" (editor, abstract, url with trailing slash), "2022" (trailing comma, url
                    without slash) or "old" (no 10.18653 DOI, `month = jul # ...` style macros)
        title       optional: as the Anthology writes it (`{BERT}: ...`)
        booktitle, month (macro) or month_raw (verbatim), year, address, pages, editor [names]
        doi         true: `10.18653/v1/<id>`;  doi_value: another DOI verbatim;  abstract
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.world import World


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
