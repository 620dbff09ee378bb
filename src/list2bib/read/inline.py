"""One entry's inline text: a Markdown inline run or an HTML block flattened to text with a marker
per link, badge and bold span, and what that text says (title, links, hints, authors, identifiers
written as text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from list2bib.model import IdKind
from list2bib.read import hints
from list2bib.read.links import repair_href
from list2bib.text import identifiers
from list2bib.text.dates import find_date
from list2bib.text.identifiers import is_paper_link, split_url, url_host

# A Markdown inline run is flattened to one string in which each link, badge and bold marker is a
# single private-use character, so title, hint and author rules can look at what surrounds them.
# 2,048 of each fit in the Basic Multilingual Plane; more (a long paragraph of links) continue in
# the supplementary private-use planes, 15 for links and 16 for badges, so the ranges never meet.
_LINK0, _BADGE0 = 0xE000, 0xE800
_BMP_SLOTS = 0x800
_LINK_MORE, _BADGE_MORE = 0xF0000, 0x100000
_BOLD_ON, _BOLD_OFF = "\uf000", "\uf001"
_EMPTY_LINK = "\uf002"  # `[paper]()`: the list names a paper here but gives no target
LINK_RE = re.compile("[\ue000-\ue7ff\U000f0000-\U000ffffd]")
BADGE_RE = re.compile("[\ue800-\uefff\U00100000-\U0010fffd]")
_MARK_RE = re.compile("[\ue000-\uf002\U000f0000-\U0010fffd]")
_GROUP_RE = re.compile(r"\[([^\[\]\n]*)\]|[(（]([^()（）\n]*)[)）]")
_BARE_URL = re.compile(r"https?://[^\s<>\"\[\]]+")
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_PAPER_BADGES = frozenset({"arxiv", "paper", "pdf", "doi", "openreview"})
# An identifier written as text ends the title: `Title arXiv:2101.00001`, `Title (doi:10.1/x)`.
_WRITTEN_ID = re.compile(
    r"[(（]?\s*(?:\barxiv\s*:?\s*(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})"
    r"|\bdoi\s*:\s*10\.|\b10\.\d{4,9}/\S|https?://)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class RawLink:
    url: str
    text: str


@dataclass(slots=True)
class Flat:
    """A flattened inline run: text with markers, the links and badges they index, line offsets."""

    parts: list[str] = field(default_factory=list)
    links: list[RawLink] = field(default_factory=list)
    badges: list[hints.Hint] = field(default_factory=list)
    offsets: list[int] = field(default_factory=lambda: [0])

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def newline(self, offset: int | None = None) -> None:
        self.parts.append("\n")
        self.offsets.append(self.offsets[-1] if offset is None else offset)

    def add_text(self, text: str) -> None:
        text = unmark(text)
        pos = 0
        for m in _BARE_URL.finditer(text):
            url = _trim_url(m.group(0))
            self.parts.append(text[pos : m.start()])
            self.add_link(RawLink(url, ""))
            pos = m.start() + len(url)
        self.parts.append(text[pos:])

    def add_link(self, link: RawLink) -> None:
        self.parts.append(_marker(len(self.links), _LINK0, _LINK_MORE))
        self.links.append(link)

    def bold(self, on: bool) -> None:
        self.parts.append(_BOLD_ON if on else _BOLD_OFF)

    def add_badge(self, hint: hints.Hint) -> None:
        self.parts.append(_marker(len(self.badges), _BADGE0, _BADGE_MORE))
        self.badges.append(hint)

    def link_at(self, marker: str) -> RawLink:
        return self.links[_index(marker, _LINK0, _LINK_MORE)]

    def badge_at(self, marker: str) -> hints.Hint:
        return self.badges[_index(marker, _BADGE0, _BADGE_MORE)]


def _marker(index: int, first: int, more: int) -> str:
    """The private-use character that stands for the `index`-th link or badge of a run."""
    return chr(first + index if index < _BMP_SLOTS else more + index - _BMP_SLOTS)


def _index(marker: str, first: int, more: int) -> int:
    code = ord(marker)
    return code - more + _BMP_SLOTS if code >= more else code - first


def unmark(text: str) -> str:
    """Text from the document, without emoji and without characters that could pass for markers."""
    return _MARK_RE.sub("", hints.strip_emoji(text))


def _trim_url(url: str) -> str:
    url = url.rstrip(".,;:!?'\"")
    return url[:-1] if url.endswith(")") and url.count("(") < url.count(")") else url


def flatten(children: Sequence[Token], flat: Flat | None = None) -> Flat:
    flat = Flat() if flat is None else flat
    link: tuple[str, list[str], list[Token]] | None = None
    for tok in children:
        html = tok.content.strip().lower() if tok.type == "html_inline" else ""
        if tok.type == "link_close" or (link is not None and html.startswith("</a")):
            if link is not None:
                _finish_link(flat, *link)
            link = None
        elif tok.type == "link_open" or html.startswith("<a "):
            m = _HREF.search(tok.content)
            target = m[1] if m else ""
            if tok.type == "link_open":
                target = str(tok.attrs.get("href", ""))
            link = (repair_href(target), [], [])
        elif link is not None and tok.type == "image":
            link[2].append(tok)
        elif link is not None:
            link[1].append(tok.content if tok.type in ("text", "code_inline") else " ")
        elif tok.type in ("text", "code_inline"):
            flat.add_text(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            flat.newline(flat.offsets[-1] + 1)
        elif html.startswith("<br"):
            flat.newline()
        elif tok.type in ("strong_open", "strong_close"):
            flat.bold(tok.type == "strong_open")
        elif tok.type == "image" and (badge := hints.decode_badge(str(tok.attrs.get("src", "")))):
            flat.add_badge(badge)
    if link is not None:
        _finish_link(flat, *link)
    return flat


def _finish_link(flat: Flat, href: str, texts: list[str], images: list[Token]) -> None:
    """Add a link to `flat`. Image-only links are decoration (star badges, logos) unless the image
    is a paper badge (`[![arXiv](…)](https://arxiv.org/abs/…)`); venue badges still give hints."""
    text = hints.collapse(unmark("".join(texts)))
    for image in images:
        if badge := linked_badge(str(image.attrs.get("src", "")), href):
            flat.add_badge(badge)
    if text and href:
        flat.add_link(RawLink(href, text))
    elif text:
        flat.parts.append(_EMPTY_LINK)
        if not hints.is_generic_link_text(text):  # `[Title]()`: the text is still the title
            flat.add_text(text)
    elif href and any(_is_paper_badge(image) for image in images):
        flat.add_link(RawLink(href, ""))


def linked_badge(src: str, href: str) -> hints.Hint | None:
    """A badge inside a link to `href`. A topic badge is a tag only when the link goes to no web
    page (`[![Type](…)]()`, an anchor); one linked to a page is a button (`Twitter`, `Demo`)."""
    badge = hints.decode_badge(src)
    return None if badge and badge.kind == "tag" and is_http(href) else badge


def _is_paper_badge(image: Token) -> bool:
    return is_paper_badge(str(image.attrs.get("src", "")), image.content)


def is_paper_badge(src: str, alt: str) -> bool:
    """A badge image that names a paper link (`arXiv`, `Paper`, `PDF`, `DOI`, `OpenReview`)."""
    label = src.split("/badge/", 1)[1] if "/badge/" in src else alt
    return re.split(r"[\W_]", label.casefold(), maxsplit=1)[0] in _PAPER_BADGES


@dataclass(slots=True)
class Parsed:
    """What one entry's inline text says."""

    title: str = ""
    links: list[RawLink] = field(default_factory=list)
    venue: str | None = None
    date: str | None = None
    tags: list[str] = field(default_factory=list)
    # Tags from badges and a table's tag column: kept with the entry, but unlike a tag written
    # in brackets never its sub-topic (a row's attribute, not a section of the list).
    labels: list[str] = field(default_factory=list)
    authors: tuple[str, ...] = ()
    prose: bool = False  # a sentence with a link in it, not a listed paper
    wordy: bool = False  # words after the title that are neither hints nor authors
    empty_link: bool = False  # `[paper]()`: a listed paper whose link was left empty

    def add_hint(self, hint: hints.Hint) -> None:
        if hint.kind == "tag" and hint.value not in self.tags:
            self.tags.append(hint.value)
        elif hint.kind == "venue":
            self.venue = self.venue or hint.value
        elif hint.kind == "date":
            self.date = self.date or hint.value

    def add_badge(self, hint: hints.Hint) -> None:
        if hint.kind != "tag":
            self.add_hint(hint)
        elif hint.value not in self.labels:
            self.labels.append(hint.value)

    def all_tags(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.tags, *self.labels]))


def plain_text(text: str, flat: Flat) -> str:
    """`text` without markers; links shown by their text."""
    text = LINK_RE.sub(lambda m: flat.link_at(m[0]).text, text)
    return _MARK_RE.sub("", text)


def _split_title(text: str, flat: Flat) -> tuple[str, str, str]:
    """(title, rest, kind): the title is a leading non-generic link's text, a leading bold span, or
    the plain text before the first link, bracket group or dated parenthesis."""
    text = text.lstrip()
    m = re.match(f"{_BOLD_ON}?\\s*({LINK_RE.pattern})\\s*{_BOLD_OFF}?", text)
    if m and not hints.is_generic_link_text(flat.link_at(m[1]).text):
        return flat.link_at(m[1]).text, text[m.end() :], "link"
    if text.startswith(_BOLD_ON):
        end = text.find(_BOLD_OFF) if _BOLD_OFF in text else len(text)
        inner = plain_text(text[1:end], flat).strip()
        if inner.endswith(":") and len(inner.split()) <= 3:  # `**Paper:** [Title](…)`
            return _split_title(text[end + 1 :], flat)
        return inner, text[end + 1 :], "bold"
    stops = (
        LINK_RE.search(text),
        re.search(r"\[|[(（]\s*(?:19|20)\d\d\b", text),
        _WRITTEN_ID.search(text),
    )
    cut = min((m.start() for m in stops if m), default=len(text))
    for group in re.finditer(r"[(（]([^()（）\n]*)[)）]", text[:cut]):
        if find_date(group[1]) or hints.classify(group[1], bracketed=False):
            cut = group.start()
            break
    return text[:cut], text[cut:], "plain"


def parse_inline(text: str, flat: Flat) -> Parsed:
    """What one entry's text says; `text` is part of `flat`, whose links and badges its markers
    index."""
    parsed = Parsed(links=[flat.link_at(c) for c in LINK_RE.findall(text)])
    parsed.empty_link = _EMPTY_LINK in text
    for marker in BADGE_RE.findall(text):
        parsed.add_badge(flat.badge_at(marker))
    title, rest, kind = _split_title(BADGE_RE.sub("", text), flat)
    if kind == "plain":
        title_lines = [line for line in title.split("\n") if line.strip()]
        title = " ".join(title_lines[:1])
        for line in title_lines[1:]:  # a wrapped title, unless the next line is the author list
            parsed.authors = hints.parse_authors(_MARK_RE.sub("", line))
            if parsed.authors:
                break
            title += " " + line
        if parsed.links and (m := LINK_RE.search(text)):
            first = flat.link_at(m[0])
            bracketed = re.search(r"\[\s*$", text[: m.start()]) is not None
            parsed.prose = not (bracketed or hints.is_generic_link_text(first.text))
    if kind == "plain" and not parsed.authors:
        title, parsed.authors = hints.split_trailing_authors(title)
    title, venue = hints.split_trailing_venue(hints.clean_title(_MARK_RE.sub("", title)))
    if group := re.search(r"\s*\[([^\[\]]+)\]$", title):  # `Title [Redwood Research]`
        title = title[: group.start()]
        if hint := hints.classify(group[1], bracketed=True):
            parsed.add_hint(hint)
    parsed.title = hints.clean_title(title)
    if venue:
        parsed.add_hint(hints.Hint("venue", venue))
    parsed.prose = parsed.prose or len(parsed.title) > 300
    parsed.links += written_identifiers(rest, flat)
    _scan_groups(rest, parsed)
    parsed.authors = parsed.authors or _authors_after(rest)
    tail = hints.collapse(_MARK_RE.sub(" ", _GROUP_RE.sub(" ", rest))).strip(" .,;:-–—")
    parsed.wordy = bool(tail) and not hints.parse_authors(tail)
    return parsed


def written_identifiers(text: str, flat: Flat) -> list[RawLink]:
    """arXiv ids and DOIs written as plain text (`arXiv:2101.00001`, `doi:10.1/x`), as links."""
    plain = plain_text(LINK_RE.sub(" ", text), flat)
    found: list[RawLink] = []
    for ident in identifiers.find_identifiers_in_text(plain):
        if ident.kind is IdKind.ARXIV:
            found.append(RawLink(identifiers.arxiv_abs_url(ident.value), str(ident)))
        elif ident.kind is IdKind.DOI:
            found.append(RawLink(identifiers.doi_url(ident.value), str(ident)))
    return found


def _scan_groups(rest: str, parsed: Parsed) -> None:
    for m in _GROUP_RE.finditer(rest):
        inner = m[1] if m[1] is not None else m[2]
        if _MARK_RE.search(inner):
            continue
        hint = hints.classify(inner, bracketed=m[1] is not None)
        if hint is None and m[2] is not None and not rest[: m.start()].strip():
            date = find_date(inner)  # the dated parenthesis after a title: `(Book, Jan 2017)`
            hint = hints.Hint("date", date) if date else None
        if hint is not None:
            parsed.add_hint(hint)
    unclosed = re.match(r"\s*[(（]([^()（）\n\ue000-\uf002\U000f0000-\U0010fffd]*+)(?![)）])", rest)
    if parsed.date is None and unclosed:  # `(2014, C. Dong et al [[pdf]](…)`
        parsed.date = find_date(unclosed[1])


def _authors_after(rest: str) -> tuple[str, ...]:
    """Names on a line after the title: `<br>A. Author, B. Author`, `(2015), A. Author et al.`."""
    for line in _MARK_RE.sub(" ", _GROUP_RE.sub(" ", rest)).split("\n"):
        line = line.strip().lstrip(",;.]}) ")
        if (
            line
            and not line.startswith(("-", "–", "—", ":"))
            and (names := hints.parse_authors(line))
        ):
            return names
    return ()


def is_entry(parsed: Parsed) -> bool:
    if parsed.prose:
        return False
    if parsed.links and all(_NOT_WEB.match(link.url) for link in parsed.links):
        # Only an ftp:/file:/data:/javascript: target: nothing to fetch, but the link text
        # names a paper as a titled entry would (it is looked up by title).
        return bool(parsed.title) and not parsed.wordy
    if parsed.links:
        return any(_is_paper(link.url) for link in parsed.links)
    # Without a link, only a title with hints and nothing else (`Title (2014), A. Author`) is one,
    # or a title whose link was left empty (`Title [paper]()`): a title-only entry.
    hinted = parsed.venue or parsed.date or parsed.tags or parsed.empty_link
    return bool(parsed.title and hinted) and not parsed.wordy


def _starts_entry(line: str, flat: Flat) -> bool:
    title, _, _ = _split_title(BADGE_RE.sub("", line), flat)
    title = hints.clean_title(_MARK_RE.sub("", _GROUP_RE.sub("", title)))
    return bool(title) and not hints.parse_authors(title)


def entry_groups(flat: Flat) -> list[tuple[int, str]]:
    """Split a run into (line offset, text) entries when more than one of its lines starts an entry
    (a title) and has a link; other lines belong to the entry above them."""
    lines = flat.text.split("\n")
    groups: list[tuple[int, list[str]]] = []
    for index, line in enumerate(lines):
        if not groups or _starts_entry(line, flat):
            groups.append((index, [line]))
        else:
            groups[-1][1].append(line)
    linked = [g for g in groups if any(LINK_RE.search(line) for line in g[1])]
    if len(linked) < 2:
        return [(_first_text_line(lines, flat), flat.text)]
    return [(flat.offsets[index], "\n".join(group)) for index, group in groups]


def _first_text_line(lines: list[str], flat: Flat) -> int:
    return next((flat.offsets[i] for i, line in enumerate(lines) if line.strip()), 0)


_NOT_WEB = re.compile(r"\s*(?:ftp|ftps|file|data|javascript|vbscript):", re.IGNORECASE)


def _is_paper(url: str) -> bool:
    """A paper link, and not a site's home page (`https://www.lesswrong.com/`: a forum, a blog).
    A subdomain of its own (`https://rome.baulab.info/`) is a project's page, kept."""
    if not is_paper_link(url):
        return False
    parts = split_url(url)
    labels = url_host(url).split(".")
    own_site = len(labels) >= 3 and labels[0] != "www"
    return bool(parts.path.strip("/") or parts.query) or own_site


def is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))
