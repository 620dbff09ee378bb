"""A fake of DBLP (`FakeDblp`), serving the fixture world.

World section (in `tests/data/world.d/*.json`; optional)
-------------------------------------------------------
    dblp    [{...}, ...] DBLP records of the work, in the order DBLP ranks them:
        key                        `conf/nips/MengBAB22`, `journals/corr/abs-2202-05262`
        type                       search hit type: "Conference and Workshop Papers",
                                   "Journal Articles", "Informal and Other Publications"
        venue                      search hit venue ("NeurIPS", "ACL (1)", "CoRR")
        booktitle / journal        the BibTeX field of `/rec/<key>.bib` (DBLP's long booktitle)
        volume, number, pages, year, doi, ee ([urls]), publisher, title, authors
        toc                        the table of contents the record is listed in (its volume:
                                   `db/conf/iclr/iclr2022.bht`); only such records answer `toc:`
        proceedings                the volume's own record: {key (`conf/iclr/2022`), title,
                                   editors [names], series, volume, publisher, ee}; its fields
                                   are in the paper's `.bib` too, as DBLP's standard export has them

`FakeS2`: `POST /graph/v1/paper/batch`, `GET /graph/v1/paper/<id>`, `/paper/search`,
`/paper/search/match`; 400 for unknown fields; 429 throttling with S2's JSON body and no

`FakeDblp`: `/search/publ/api` (JSON only; words, or `toc:<name>:` for a whole volume, its
`Editorship` record first, `h` hits from `f`; `max_hits` caps a page the way DBLP sometimes sends
fewer than asked), and `/rec/<key>.bib` (papers and volumes); 429 with `Retry-After`
(`fail_next(n, "429")`).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping
from typing import Any, ClassVar, Self
from urllib.parse import unquote

from fakes.base import FakeServer, LoggedRequest, Reply
from fakes.s2 import _digest, _words
from fakes.world import World, author_name

_DBLP_BIB_TYPE = {
    "Conference and Workshop Papers": "inproceedings",
    "Journal Articles": "article",
    "Informal and Other Publications": "article",
    "Informal Publications": "article",
    "Parts in Books or Collections": "incollection",
    "Books and Theses": "book",
}
_TOC = re.compile(r"\btoc:(\S+?):(?:\s|$)")
DBLP_THROTTLE = (
    "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1>"
    "The vast number of requests from your side has led to a temporary block.</body></html>"
)


class FakeDblp(FakeServer):
    """dblp.org: `/search/publ/api?q=&format=json&h=&f=` and `/rec/<key>.bib?param=`."""

    throttle_body: ClassVar[str] = DBLP_THROTTLE

    def __init__(self, world: World, *, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.world = world
        self._records: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.max_hits = 1000  # the most hits a page carries, whatever `h` asks

    def start(self) -> Self:
        self._records = [(w, r) for w in self.world.works for r in w.get("dblp", [])]
        return super().start()

    def _volume(self, key: str) -> dict[str, Any] | None:
        """A volume's own record (`conf/iclr/2022`) as its papers name it."""
        for _, record in self._records:
            if (proceedings := record.get("proceedings")) and proceedings["key"] == key:
                return {"year": record["year"], **proceedings}
        return None

    def fault_reply(self, kind: str) -> Reply:
        if kind == "429":
            return Reply.text(429, DBLP_THROTTLE, "text/html", Retry_After="1")
        return super().fault_reply(kind)

    def handle(self, request: LoggedRequest) -> Reply:
        if request.path == "/search/publ/api":
            return self._search(request)
        if request.path.startswith("/rec/") and request.path.endswith(".bib"):
            key = unquote(request.path.removeprefix("/rec/").removesuffix(".bib"))
            for work, record in self._records:
                if record["key"] == key:
                    body = dblp_bibtex(work, record)
                    return Reply.text(200, body, "application/x-bibtex; charset=utf-8")
            if (volume := self._volume(key)) is not None:
                body = proceedings_bibtex(volume)
                return Reply.text(200, body, "application/x-bibtex; charset=utf-8")
        page = "<html><head><title>Error 404: not found</title></head></html>\n"
        return Reply.text(404, page, "text/html; charset=utf-8")

    def _search(self, request: LoggedRequest) -> Reply:
        q = request.query
        if q.get("format", "xml") != "json":
            return Reply.text(400, "this fake answers format=json only")
        query = q.get("q", "")
        toc = _TOC.search(query)
        words = _words(_TOC.sub(" ", query))
        first, hits_wanted = int(q.get("f") or 0), min(int(q.get("h") or 30), 1000)
        matches: list[tuple[int, int, dict[str, Any]]] = []
        if toc is not None:  # a volume in its table-of-contents order, the front matter first
            matches = self._toc_hits(toc.group(1), words)
        else:
            for i, (work, record) in enumerate(self._records):
                title = _words(record.get("title") or work["title"])
                # Prefix matching of every word, ANDed.
                if words and all(any(t.startswith(w) for t in title) for w in words):
                    matches.append((len(title) - len(words), i, dblp_info(work, record)))
            matches.sort(key=lambda m: m[:2])
        page = matches[first : first + min(hits_wanted, self.max_hits)]
        hits: dict[str, Any] = {
            "@total": str(len(matches)),
            "@computed": str(len(matches)),
            "@sent": str(len(page)),
            "@first": str(first),
        }
        if page:
            hits["hit"] = [
                {"@score": "1", "@id": str(1000 + i), "info": info, "url": f"URL#{1000 + i}"}
                for _, i, info in page
            ]
        result = {
            "result": {
                "query": (f"toc:{toc.group(1)}:" if toc else "") + " ".join(f"{w}*" for w in words),
                "status": {"@code": "200", "text": "OK"},
                "time": {"@unit": "msecs", "text": "2.93"},
                "completions": {"@total": "0", "@computed": "0", "@sent": "0"},
                "hits": hits,
            }
        }
        body = json.dumps(result, indent=0, ensure_ascii=False)
        return Reply.text(200, body, "application/json; charset=utf-8")

    def _toc_hits(self, toc: str, words: list[str]) -> list[tuple[int, int, dict[str, Any]]]:
        listed = [(i, w, r) for i, (w, r) in enumerate(self._records) if r.get("toc") == toc]
        hits: list[tuple[int, int, dict[str, Any]]] = []
        front = next((r["proceedings"] for _, _, r in listed if r.get("proceedings")), None)
        if front is not None:
            hits.append((0, 0, editorship_info(front, listed[0][2]["year"])))
        for i, work, record in listed:
            title = _words(record.get("title") or work["title"])
            if all(any(t.startswith(w) for t in title) for w in words):
                hits.append((0, 1 + i, dblp_info(work, record)))
        return hits


def _dblp_authors(work: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    return list(record.get("authors") or [author_name(a) for a in work["authors"]])


def dblp_info(work: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """A search hit's `info`: one author is an object, several a list; `ee` a string or list."""
    authors = [
        {"@pid": f"{int(_digest(n)[:4], 16) % 300}/{int(_digest(n)[4:8], 16)}", "text": n}
        for n in _dblp_authors(work, record)
    ]
    info: dict[str, Any] = {
        "authors": {"author": authors[0] if len(authors) == 1 else authors},
        "title": (record.get("title") or work["title"]).rstrip(".") + ".",
        "venue": record["venue"],
    }
    for name in ("volume", "number", "pages"):
        if record.get(name):
            info[name] = record[name]
    info["year"] = str(record["year"])
    info["type"] = record["type"]
    info["access"] = "open" if record["venue"] == "CoRR" else "closed"
    info["key"] = record["key"]
    if record.get("doi"):
        info["doi"] = record["doi"]
    ee = list(record.get("ee") or [])
    if record.get("doi"):
        ee.insert(0, f"https://doi.org/{record['doi']}")
    if ee:
        info["ee"] = ee[0] if len(ee) == 1 else ee
    info["url"] = f"https://dblp.org/rec/{record['key']}"
    return info


def editorship_info(volume: Mapping[str, Any], year: object) -> dict[str, Any]:
    """The hit of a volume's own record: its editors as `authors`, no series or publisher."""
    info: dict[str, Any] = {}
    editors = [{"@pid": "00/0", "text": n} for n in volume.get("editors", [])]
    if editors:
        info["authors"] = {"author": editors[0] if len(editors) == 1 else editors}
    info["title"] = volume["title"].rstrip(".") + "."
    info["venue"] = volume.get("venue", "")
    info["year"] = str(year)
    info["type"] = "Editorship"
    info["access"] = "open"
    info["key"] = volume["key"]
    if volume.get("ee"):
        info["ee"] = volume["ee"]
    info["url"] = f"https://dblp.org/rec/{volume['key']}"
    return info


def proceedings_bibtex(volume: Mapping[str, Any]) -> str:
    """`/rec/<volume key>.bib`: the `@proceedings` entry."""
    fields: list[tuple[str, str]] = []
    if volume.get("editors"):
        fields.append(("editor", " and\n".join(volume["editors"])))
    fields.append(("title", volume["title"]))
    for name in ("series", "volume", "publisher"):
        if volume.get(name):
            fields.append((name, str(volume[name])))
    fields.append(("year", str(volume["year"])))
    if volume.get("ee"):
        fields.append(("url", volume["ee"]))
    return _bib_text("proceedings", volume["key"], fields)


def dblp_bibtex(work: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """`/rec/<key>.bib?param=1` in DBLP's current style: names padded to 12, long values wrapped
    with the continuation aligned under the value, `_` escaped in urls and DOIs."""
    ax = work.get("arxiv") or {}
    corr = record["venue"] == "CoRR"
    volume = record.get("proceedings") or {}
    fields: list[tuple[str, str]] = [("author", " and\n".join(_dblp_authors(work, record)))]
    if volume.get("editors"):
        fields.append(("editor", " and\n".join(volume["editors"])))
    fields.append(("title", record.get("title") or work["title"]))
    if corr:
        fields += [("journal", "CoRR"), ("volume", f"abs/{ax['id']}")]
    else:
        for name in ("booktitle", "journal", "series", "volume", "number", "pages", "publisher"):
            value = str(record.get(name) or (volume.get(name) if name != "booktitle" else "") or "")
            if name == "booktitle" and volume and not value:
                value = volume["title"]
            if value:
                fields.append((name, value.replace("-", "--") if name == "pages" else value))
    fields.append(("year", str(record["year"])))
    url = (
        f"https://doi.org/{record['doi']}"
        if record.get("doi")
        else (record.get("ee") or [f"https://arxiv.org/abs/{ax.get('id')}"])[0]
    )
    fields.append(("url", url.replace("_", "\\_")))
    if record.get("doi"):
        fields.append(("doi", record["doi"].replace("_", "\\_")))
    if corr:
        fields += [("eprinttype", "arXiv"), ("eprint", ax["id"])]
    fields += [
        ("timestamp", "Mon, 15 Jan 2024 10:00:00 +0100"),
        ("biburl", f"https://dblp.org/rec/{record['key']}.bib"),
        ("bibsource", "dblp computer science bibliography, https://dblp.org"),
    ]
    kind = "article" if corr else _DBLP_BIB_TYPE[record["type"]]
    return _bib_text(kind, record["key"], fields)


def _bib_text(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    if not any(name == "timestamp" for name, _ in fields):
        fields = [
            *fields,
            ("timestamp", "Mon, 15 Jan 2024 10:00:00 +0100"),
            ("biburl", f"https://dblp.org/rec/{key}.bib"),
            ("bibsource", "dblp computer science bibliography, https://dblp.org"),
        ]
    lines = [f"@{kind}{{DBLP:{key},"]
    indent = " " * 17
    for i, (name, value) in enumerate(fields):
        if name in ("author", "editor"):
            value = value.replace("\n", "\n" + indent)
        else:
            value = textwrap.fill(value, 64, subsequent_indent=indent, break_on_hyphens=False)
        end = "," if i < len(fields) - 1 else ""
        lines.append(f"  {name:<12} = {{{value}}}{end}")
    return "\n".join(lines) + "\n}\n\n"
