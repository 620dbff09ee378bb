"""Metadata written into a web page's HTML: Highwire `citation_*`, JSON-LD, a BibTeX block, Dublin
Core, Open Graph, `<meta name=author>` and `<title>`, each read by a pure stdlib-based parser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from list2bib.bibtex.parse import parse_string
from list2bib.errors import InputError
from list2bib.text.names import split_authors
from list2bib.text.titles import latex_to_text

# Meta names (lower-cased `name`, `property` or `itemprop`) per PageMeta field, most trusted first.
META_SOURCES: dict[str, tuple[str, ...]] = {
    "title": ("citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title"),
    "date": (
        "citation_publication_date", "citation_online_date", "citation_date", "dc.date",
        "dcterms.issued", "dcterms.created", "dcterms.date", "article:published_time",
        "datepublished",
    ),
    "journal_title": ("citation_journal_title",),
    "conference_title": ("citation_conference_title",),
    "doi": ("citation_doi", "dc.identifier", "prism.doi"),
    "arxiv_id": ("citation_arxiv_id",),
    "firstpage": ("citation_firstpage",),
    "lastpage": ("citation_lastpage",),
    "volume": ("citation_volume",),
    "issue": ("citation_issue",),
    "publisher": ("citation_publisher", "dc.publisher", "dcterms.publisher"),
    "site_name": ("og:site_name",),
    "og_url": ("og:url",),
    # Not og:description: sites fill it with a teaser (the Anthology: authors and venue).
    "abstract": ("citation_abstract", "dc.description", "dcterms.abstract"),
}  # fmt: skip
# Author sources in order of trust: Highwire `citation_author`, JSON-LD, a page's BibTeX block, then
# these.
LATER_AUTHOR_TAGS = ("dc.creator", "dcterms.creator", "article:author", "author", "twitter:creator")
JSONLD_TYPES = (
    "ScholarlyArticle", "Article", "BlogPosting", "NewsArticle", "TechArticle", "Report",
    "WebPage",
)  # fmt: skip
_BIBTEX_BLOCK = re.compile(r"@\s*(?:article|misc|inproceedings|techreport|online)\s*\{", re.I)
_CONTEXT_CHARS = 80
_SKIP_TEXT = frozenset({"script", "style", "noscript", "svg", "template"})
# Only these open elements are tracked: real pages leave many <p>/<li> unclosed, and a stack of
# those would make each end tag a long search.
_TRACKED = _SKIP_TEXT | {"pre", "code", "title"}


@dataclass(frozen=True, slots=True)
class PageLink:
    """An `<a href>` of the page (absolute), its text and the text just before it."""

    url: str
    text: str
    before: str


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a page says about itself. Strings are '' when absent; authors as written."""

    title: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""
    journal_title: str = ""
    conference_title: str = ""
    doi: str = ""
    arxiv_id: str = ""
    firstpage: str = ""
    lastpage: str = ""
    volume: str = ""
    issue: str = ""
    publisher: str = ""
    site_name: str = ""
    canonical_url: str = ""
    og_url: str = ""
    abstract: str = ""
    bibtex_venue: str = ""  # journal/howpublished of a BibTeX block the page offers for citing
    links: tuple[PageLink, ...] = field(default=())
    not_a_work: str = ""  # what the page says it is when that is no work (`a profile page`)


class _Collector(HTMLParser):
    """One pass over a page: meta tags, `<title>`, canonical link, JSON-LD, `<pre>` text, links."""

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.meta: dict[str, list[str]] = {}
        self.title_parts: list[str] | None = None
        self.title = ""
        self.canonical = ""
        self.jsonld: list[str] = []
        self.blocks: list[str] = []
        self.links: list[PageLink] = []
        self._stack: list[str] = []
        self._script: list[str] | None = None
        self._block: list[str] | None = None
        self._anchor: tuple[str, list[str], str] | None = None
        self._recent = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            name = (a.get("name") or a.get("property") or a.get("itemprop") or "").strip().lower()
            if name and "content" in a:
                self.meta.setdefault(name, []).append(a["content"].strip())
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canonical = self.canonical or urljoin(self.base_url, a.get("href", "").strip())
        elif tag == "title" and not self.title and "svg" not in self._stack:
            self.title_parts = []
        elif tag == "script" and "ld+json" in a.get("type", "").lower():
            self._script = []
        elif tag in ("pre", "code") and self._block is None:
            self._block = []
        elif tag == "a" and a.get("href"):
            self._anchor = (urljoin(self.base_url, a["href"].strip()), [], self._recent)
        if tag in _TRACKED:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title_parts is not None:
            self.title = " ".join("".join(self.title_parts).split())
            self.title_parts = None
        elif tag == "script" and self._script is not None:
            self.jsonld.append("".join(self._script))
            self._script = None
        elif tag in ("pre", "code") and self._block is not None and tag in self._stack[-1:]:
            self.blocks.append("".join(self._block))
            self._block = None
        elif tag == "a" and self._anchor is not None:
            url, parts, before = self._anchor
            self.links.append(PageLink(url, " ".join("".join(parts).split()), before))
            self._anchor = None
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
            return
        if self.title_parts is not None:
            self.title_parts.append(data)
        if self._block is not None:
            self._block.append(data)
        if self._anchor is not None:
            self._anchor[1].append(data)
        if not _SKIP_TEXT.intersection(self._stack):
            self._recent = " ".join((self._recent + " " + data).split())[-_CONTEXT_CHARS:]


def extract(html: str, url: str = "") -> PageMeta:
    """All metadata of one HTML page (`url` resolves relative links). Never raises on bad HTML."""
    collector = _Collector(url)
    try:
        collector.feed(html)
        collector.close()
    except (AssertionError, ValueError):  # html.parser's few hard failures: keep what was read
        pass
    meta = collector.meta
    ld = _jsonld_node(collector.jsonld)
    bib = _bibtex_block(collector.blocks)
    picked = {name: _clean(_first(meta, names)) for name, names in META_SOURCES.items()}
    ld_title = _text(ld.get("headline") or ld.get("name"))
    title = _first(meta, META_SOURCES["title"][:3]) or ld_title or bib.get("title", "")
    title = title or _first(meta, META_SOURCES["title"][3:]) or collector.title
    date = _first(meta, META_SOURCES["date"][:3]) or _text(ld.get("datePublished"))
    date = date or _first(meta, META_SOURCES["date"][3:]) or bib.get("year", "")
    return PageMeta(
        title=_clean(title),
        authors=_authors(meta, ld, bib),
        date=_clean(date),
        journal_title=picked["journal_title"],
        conference_title=picked["conference_title"],
        doi=picked["doi"],
        arxiv_id=picked["arxiv_id"],
        firstpage=picked["firstpage"],
        lastpage=picked["lastpage"],
        volume=picked["volume"],
        issue=picked["issue"],
        publisher=picked["publisher"],
        site_name=picked["site_name"] or _clean(_publisher_name(ld)),
        canonical_url=collector.canonical,
        og_url=picked["og_url"],
        abstract=picked["abstract"],
        bibtex_venue=bib.get("journal") or bib.get("howpublished") or "",
        links=tuple(collector.links),
        not_a_work=_declared_non_work(meta, collector.jsonld),
    )


# What a page may declare itself to be (Open Graph `og:type`, JSON-LD `@type`) that is no work.
_OG_NON_WORKS = {
    "profile": "a profile page",
    "product": "a product page",
    "business.business": "a business page",
    "music.song": "a song",
    "music.album": "an album",
}
_ARTICLE_TYPES = frozenset(JSONLD_TYPES) - {"WebPage"}
_LD_NON_WORKS = {
    "Person": "a person's page",
    "ProfilePage": "a profile page",
    "Organization": "an organisation's page",
    "SoftwareApplication": "a software page",
    "WebApplication": "a software page",
    "MobileApplication": "an app",
    "SoftwareSourceCode": "a code repository",
    "Product": "a product page",
    "Course": "a course",
    "Event": "an event page",
}


def _declared_non_work(meta: Mapping[str, list[str]], scripts: list[str]) -> str:
    """`a profile page (og:type profile)` when the page declares itself no work, else ''. A page
    with `citation_*` tags or an article-like JSON-LD node is a work whatever else it declares (a
    paper's page names its authors' Person nodes and its publisher's Organization)."""
    if any(name.startswith("citation_") for name in meta):
        return ""
    og_type = _first(meta, ("og:type",)).strip().lower()
    typed: list[str] = []
    for script in scripts:
        try:
            nodes = list(_walk(json.loads(script)))
        except ValueError:
            continue
        for node in nodes:
            types = node.get("@type")
            typed += [
                t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
            ]
    if any(t in _ARTICLE_TYPES for t in typed) or og_type == "article":
        return ""
    if og_type in _OG_NON_WORKS:
        return f"{_OG_NON_WORKS[og_type]} (og:type {og_type})"
    # Person and Organization count only as the page's own (first) node: elsewhere they are
    # authors and publishers; the other kinds are never a work's side note.
    for index, name in enumerate(typed):
        if name in _LD_NON_WORKS and (index == 0 or name not in ("Person", "Organization")):
            return f"{_LD_NON_WORKS[name]} (JSON-LD {name})"
    return ""


def _first(meta: Mapping[str, list[str]], names: tuple[str, ...]) -> str:
    return next((v for name in names for v in meta.get(name, ()) if v.strip()), "")


def _authors(
    meta: Mapping[str, list[str]], ld: Mapping[str, Any], bib: Mapping[str, str]
) -> tuple[str, ...]:
    names = [v for v in meta.get("citation_author", ()) if v.strip()]
    if not names:
        names = list(_ld_people(ld.get("author")))
    if not names and bib.get("author"):
        names = split_authors(bib["author"])
    for tag in LATER_AUTHOR_TAGS:
        if names:
            break
        for value in meta.get(tag, ()):
            if value.strip() and not re.match(r"https?://|@", value.strip()):
                names.extend(_split_list(value))
    return tuple(dict.fromkeys(_clean(n) for n in names if _clean(n)))


def _split_list(value: str) -> list[str]:
    """`A, B and C` or `A; B`: several names only when every part looks like a full name (a
    comma alone may be `Family, Given`)."""
    parts = [p.strip() for p in re.split(r";|,|\band\b|&", value) if p.strip()]
    if len(parts) > 1 and all(" " in p for p in parts):
        return parts
    return [value]


def _ld_people(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _ld_people(item)
    elif isinstance(value, Mapping):
        if name := _text(value.get("name")):
            yield name
    elif isinstance(value, str) and value.strip():
        yield value


def _jsonld_node(scripts: list[str]) -> Mapping[str, Any]:
    """The most article-like JSON-LD node of the page ({} when none), searching `@graph` too."""
    nodes: list[Mapping[str, Any]] = []
    for script in scripts:
        try:
            nodes.extend(_walk(json.loads(script)))
        except ValueError:
            continue  # hand-written JSON-LD is often broken; the other sources still count
    for wanted in JSONLD_TYPES:
        for node in nodes:
            types = node.get("@type")
            if wanted == types or (isinstance(types, list) and wanted in types):
                return node
    return {}


def _walk(data: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, Mapping):
        yield data
        if "@graph" in data:
            yield from _walk(data["@graph"])


def _publisher_name(ld: Mapping[str, Any]) -> str:
    for key in ("isPartOf", "publisher"):
        value = ld.get(key)
        if isinstance(value, Mapping) and (name := _text(value.get("name"))):
            return name
    return ""


def _bibtex_block(blocks: list[str]) -> dict[str, str]:
    """Fields of the first BibTeX entry a `<pre>`/`<code>` block offers (transformer-circuits.pub
    and distill show one for citing the article), as plain text."""
    for block in blocks:
        match = _BIBTEX_BLOCK.search(block)
        if match is None:
            continue
        try:
            entries = parse_string(block[match.start() :], source="page BibTeX")
        except InputError:
            continue
        if entries:
            return {k: " ".join(latex_to_text(v).split()) for k, v in entries[0].fields.items()}
    return {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _clean(value: str) -> str:
    return " ".join(value.split())
