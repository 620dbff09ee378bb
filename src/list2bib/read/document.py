"""Markdown paper lists -> `ListEntry` values, read through markdown-it-py tokens (not line
patterns): headings as topics; paragraphs, list items, table rows and HTML blocks as entries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

from list2bib.model import IdKind, Link, ListEntry
from list2bib.read import hints
from list2bib.text import identifiers
from list2bib.text.dates import find_date
from list2bib.text.identifiers import is_paper_link, split_url, url_host

# A Markdown inline run is flattened to one string in which each link, badge and bold marker is a
# single private-use character, so title, hint and author rules can look at what surrounds them.
_LINK0, _BADGE0 = 0xE000, 0xE800
_BOLD_ON, _BOLD_OFF = "\uf000", "\uf001"
_LINK_RE = re.compile("[\ue000-\ue7ff]")
_BADGE_RE = re.compile("[\ue800-\uefff]")
_MARK_RE = re.compile("[\ue000-\uf001]")
_GROUP_RE = re.compile(r"\[([^\[\]\n]*)\]|[(（]([^()（）\n]*)[)）]")
_BARE_URL = re.compile(r"https?://[^\s<>\"\[\]]+")
_URL_NOISE = re.compile(r"[\t\n\r]")
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_PAPER_BADGES = frozenset({"arxiv", "paper", "pdf", "doi", "openreview"})
# Boilerplate sections, skipped with their subsections; a table of contents only up to the next
# heading, since lists often put their real sections one level below it.
_SKIPPED_SECTIONS = re.compile(
    r"^(?:contribut\w*|licen[cs]e|citation|cit(?:e|ing)|how to cite|star history|stargazers|"
    r"acknowledge?ments?|news|updates?)\b",
    re.IGNORECASE,
)
_NAVIGATION = re.compile(r"^(?:(?:table of )?contents|toc|quick links?)\b", re.IGNORECASE)
# An identifier written as text ends the title: `Title arXiv:2101.00001`, `Title (doi:10.1/x)`.
_WRITTEN_ID = re.compile(
    r"[(（]?\s*(?:\barxiv\s*:?\s*(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})"
    r"|\bdoi\s*:\s*10\.|\b10\.\d{4,9}/\S|https?://)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _RawLink:
    url: str
    text: str


@dataclass(slots=True)
class _Flat:
    """A flattened inline run: text with markers, the links and badges they index, line offsets."""

    parts: list[str] = field(default_factory=list)
    links: list[_RawLink] = field(default_factory=list)
    badges: list[hints.Hint] = field(default_factory=list)
    offsets: list[int] = field(default_factory=lambda: [0])

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def newline(self, offset: int | None = None) -> None:
        self.parts.append("\n")
        self.offsets.append(self.offsets[-1] if offset is None else offset)

    def add_text(self, text: str) -> None:
        text = _unmark(text)
        pos = 0
        for m in _BARE_URL.finditer(text):
            url = _trim_url(m.group(0))
            self.parts.append(text[pos : m.start()])
            self.add_link(_RawLink(url, ""))
            pos = m.start() + len(url)
        self.parts.append(text[pos:])

    def add_link(self, link: _RawLink) -> None:
        self.parts.append(chr(_LINK0 + len(self.links)))
        self.links.append(link)

    def add_badge(self, hint: hints.Hint) -> None:
        self.parts.append(chr(_BADGE0 + len(self.badges)))
        self.badges.append(hint)

    def link_at(self, marker: str) -> _RawLink:
        return self.links[ord(marker) - _LINK0]


def _unmark(text: str) -> str:
    """Text from the document, without emoji and without characters that could pass for markers."""
    return _MARK_RE.sub("", hints.strip_emoji(text))


def _href(value: str) -> str:
    """A link target as browsers read it: tabs and line breaks dropped, outer spaces trimmed."""
    return _URL_NOISE.sub("", value).strip()


def _trim_url(url: str) -> str:
    url = url.rstrip(".,;:!?'\"")
    return url[:-1] if url.endswith(")") and url.count("(") < url.count(")") else url


def _flatten(children: Sequence[Token], flat: _Flat | None = None) -> _Flat:
    flat = _Flat() if flat is None else flat
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
            link = (_href(target), [], [])
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
            flat.parts.append(_BOLD_ON if tok.type == "strong_open" else _BOLD_OFF)
        elif tok.type == "image" and (badge := hints.decode_badge(str(tok.attrs.get("src", "")))):
            flat.add_badge(badge)
    if link is not None:
        _finish_link(flat, *link)
    return flat


def _finish_link(flat: _Flat, href: str, texts: list[str], images: list[Token]) -> None:
    """Add a link to `flat`. Image-only links are decoration (star badges, logos) unless the image
    is a paper badge (`[![arXiv](…)](https://arxiv.org/abs/…)`); venue badges still give hints."""
    text = hints.collapse(_unmark("".join(texts)))
    for image in images:
        if badge := hints.decode_badge(str(image.attrs.get("src", ""))):
            flat.add_badge(badge)
    if text:
        flat.add_link(_RawLink(href, text)) if href else flat.add_text(text)
    elif href and any(_is_paper_badge(image) for image in images):
        flat.add_link(_RawLink(href, ""))


def _is_paper_badge(image: Token) -> bool:
    src = str(image.attrs.get("src", ""))
    label = src.split("/badge/", 1)[1] if "/badge/" in src else image.content
    return re.split(r"[\W_]", label.casefold(), maxsplit=1)[0] in _PAPER_BADGES


@dataclass(slots=True)
class _Parsed:
    """What one entry's inline text says."""

    title: str = ""
    links: list[_RawLink] = field(default_factory=list)
    venue: str | None = None
    date: str | None = None
    tags: list[str] = field(default_factory=list)
    authors: tuple[str, ...] = ()
    prose: bool = False  # a sentence with a link in it, not a listed paper
    wordy: bool = False  # words after the title that are neither hints nor authors

    def add_hint(self, hint: hints.Hint) -> None:
        if hint.kind == "tag" and hint.value not in self.tags:
            self.tags.append(hint.value)
        elif hint.kind == "venue":
            self.venue = self.venue or hint.value
        elif hint.kind == "date":
            self.date = self.date or hint.value


def _plain(text: str, flat: _Flat) -> str:
    """`text` without markers; links shown by their text."""
    text = _LINK_RE.sub(lambda m: flat.link_at(m[0]).text, text)
    return _MARK_RE.sub("", text)


def _split_title(text: str, flat: _Flat) -> tuple[str, str, str]:
    """(title, rest, kind): the title is a leading non-generic link's text, a leading bold span, or
    the plain text before the first link, bracket group or dated parenthesis."""
    text = text.lstrip()
    m = re.match(f"{_BOLD_ON}?\\s*([\ue000-\ue7ff])\\s*{_BOLD_OFF}?", text)
    if m and not hints.is_generic_link_text(flat.link_at(m[1]).text):
        return flat.link_at(m[1]).text, text[m.end() :], "link"
    if text.startswith(_BOLD_ON):
        end = text.find(_BOLD_OFF) if _BOLD_OFF in text else len(text)
        inner = _plain(text[1:end], flat).strip()
        if inner.endswith(":") and len(inner.split()) <= 3:  # `**Paper:** [Title](…)`
            return _split_title(text[end + 1 :], flat)
        return inner, text[end + 1 :], "bold"
    stops = (
        _LINK_RE.search(text),
        re.search(r"\[|[(（]\s*(?:19|20)\d\d\b", text),
        _WRITTEN_ID.search(text),
    )
    cut = min((m.start() for m in stops if m), default=len(text))
    for group in re.finditer(r"[(（]([^()（）\n]*)[)）]", text[:cut]):
        if find_date(group[1]) or hints.classify(group[1], bracketed=False):
            cut = group.start()
            break
    return text[:cut], text[cut:], "plain"


def _parse(text: str, flat: _Flat) -> _Parsed:
    parsed = _Parsed(links=[flat.link_at(c) for c in _LINK_RE.findall(text)])
    for marker in _BADGE_RE.findall(text):
        parsed.add_hint(flat.badges[ord(marker) - _BADGE0])
    title, rest, kind = _split_title(_BADGE_RE.sub("", text), flat)
    if kind == "plain":
        title_lines = [line for line in title.split("\n") if line.strip()]
        title = " ".join(title_lines[:1])
        for line in title_lines[1:]:  # a wrapped title, unless the next line is the author list
            parsed.authors = hints.parse_authors(_MARK_RE.sub("", line))
            if parsed.authors:
                break
            title += " " + line
        if parsed.links and (m := _LINK_RE.search(text)):
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
    parsed.links += _written_identifiers(rest, flat)
    _scan_groups(rest, parsed)
    parsed.authors = parsed.authors or _authors_after(rest)
    tail = hints.collapse(_MARK_RE.sub(" ", _GROUP_RE.sub(" ", rest))).strip(" .,;:-–—")
    parsed.wordy = bool(tail) and not hints.parse_authors(tail)
    return parsed


def _written_identifiers(text: str, flat: _Flat) -> list[_RawLink]:
    """arXiv ids and DOIs written as plain text (`arXiv:2101.00001`, `doi:10.1/x`), as links."""
    plain = _plain(_LINK_RE.sub(" ", text), flat)
    found: list[_RawLink] = []
    for ident in identifiers.find_identifiers_in_text(plain):
        if ident.kind is IdKind.ARXIV:
            found.append(_RawLink(identifiers.arxiv_abs_url(ident.value), str(ident)))
        elif ident.kind is IdKind.DOI:
            found.append(_RawLink(identifiers.doi_url(ident.value), str(ident)))
    return found


def _scan_groups(rest: str, parsed: _Parsed) -> None:
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
    unclosed = re.match(r"\s*[(（]([^()（）\n\ue000-\uf001]*+)(?![)）])", rest)
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


def _is_entry(parsed: _Parsed) -> bool:
    if parsed.prose:
        return False
    if parsed.links:
        return any(_is_paper(link.url) for link in parsed.links)
    # Without a link, only a title with hints and nothing else (`Title (2014), A. Author`) is one.
    return bool(parsed.title and (parsed.venue or parsed.date or parsed.tags)) and not parsed.wordy


def _starts_entry(line: str, flat: _Flat) -> bool:
    title, _, _ = _split_title(_BADGE_RE.sub("", line), flat)
    title = hints.clean_title(_MARK_RE.sub("", _GROUP_RE.sub("", title)))
    return bool(title) and not hints.parse_authors(title)


def _groups(flat: _Flat) -> list[tuple[int, str]]:
    """Split a run into (line offset, text) entries when more than one of its lines starts an entry
    (a title) and has a link; other lines belong to the entry above them."""
    lines = flat.text.split("\n")
    groups: list[tuple[int, list[str]]] = []
    for index, line in enumerate(lines):
        if not groups or _starts_entry(line, flat):
            groups.append((index, [line]))
        else:
            groups[-1][1].append(line)
    linked = [g for g in groups if any(_LINK_RE.search(line) for line in g[1])]
    if len(linked) < 2:
        return [(_first_text_line(lines, flat), flat.text)]
    return [(flat.offsets[index], "\n".join(group)) for index, group in groups]


def _first_text_line(lines: list[str], flat: _Flat) -> int:
    return next((flat.offsets[i] for i, line in enumerate(lines) if line.strip()), 0)


class _AnchorFlattener(HTMLParser):
    """An HTML block as a `_Flat`: `<a href>` become links, block tags and `<br>` line breaks."""

    _BREAKS = frozenset(["br", "p", "div", "li", "tr", "td", "th", "ul", "ol", "table", "h1", "h2"])

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.flat = _Flat()
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            self._href, self._text = _href(values.get("href", "")), []
        elif tag in ("b", "strong") and self._href is None:
            self.flat.parts.append(_BOLD_ON)
        elif tag == "img" and (badge := hints.decode_badge(values.get("src", ""))):
            self.flat.add_badge(badge)
        elif tag in self._BREAKS:
            self.flat.newline(self.getpos()[0] - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            text = hints.collapse(_unmark("".join(self._text)))
            if self._href and text:
                self.flat.add_link(_RawLink(self._href, text))
            self._href = None
        elif tag in ("b", "strong") and self._href is None:
            self.flat.parts.append(_BOLD_OFF)

    def handle_data(self, data: str) -> None:
        data = data.replace("\n", " ")  # in HTML a newline is a space; breaks come from tags
        if self._href is not None:
            self._text.append(data)
        else:
            self.flat.add_text(data)


class _MarkdownReader:
    """Walks the block tokens of one document, keeping the heading chain, and collects entries."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.tokens = MarkdownIt("commonmark").enable("table").parse(text)
        self.entries: list[ListEntry] = []
        self.chain: list[tuple[int, str]] = []
        self.skip_below: int | None = None
        self.navigation = False
        levels = [(i, int(t.tag[1])) for i, t in enumerate(self.tokens) if t.type == "heading_open"]
        only_or_nested = len(levels) == 1 or any(level >= 2 for _, level in levels)
        self.title_at = levels[0][0] if levels and levels[0][1] == 1 and only_or_nested else None
        # Text before the first real heading (badges, a blurb, contact links) is not the list.
        self.preamble = any(i != self.title_at for i, _ in levels)

    def read(self) -> list[ListEntry]:
        self.walk(0, len(self.tokens), ())
        return self.entries

    def walk(self, lo: int, hi: int, extra: tuple[str, ...]) -> None:
        i = lo
        while i < hi:
            tok = self.tokens[i]
            end = _close(self.tokens, i) if tok.nesting == 1 else i
            if tok.type == "heading_open":
                self.heading(i)
            elif self.preamble or self.navigation or self.skip_below is not None:
                pass
            elif tok.type == "paragraph_open":
                self.emit(_flatten(self.children(i + 1)), tok, extra)
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                self.list_items(i, end, extra)
            elif tok.type == "table_open":
                self.table(i, end, extra)
            elif tok.type == "html_block":
                parser = _AnchorFlattener()
                parser.feed(tok.content)
                parser.close()
                self.emit(parser.flat, tok, extra)
            elif tok.type == "blockquote_open":
                self.walk(i + 1, end, extra)
            i = end + 1

    def children(self, i: int) -> list[Token]:
        return self.tokens[i].children or []

    def topics(self, extra: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(text for _, text in self.chain) + extra

    def heading(self, i: int) -> None:
        level, text = int(self.tokens[i].tag[1]), _heading_text(self.children(i + 1))
        if i == self.title_at:
            return
        self.preamble = False
        if self.skip_below is not None and level > self.skip_below:
            return
        self.skip_below = level if _SKIPPED_SECTIONS.match(text) else None
        self.navigation = bool(_NAVIGATION.match(text))
        self.chain = [(lvl, t) for lvl, t in self.chain if lvl < level]
        if not self.navigation and text:  # an empty heading (`## 🚀`) ends a section, names none
            self.chain.append((level, text))

    def emit(self, flat: _Flat, tok: Token, extra: tuple[str, ...]) -> int:
        """Add the entries in `flat` (a block starting at `tok`); return how many."""
        base = _first_line(tok)
        return sum(
            self.add(_parse(text, flat), base + offset + 1, extra) for offset, text in _groups(flat)
        )

    def add(self, parsed: _Parsed, line: int, extra: tuple[str, ...]) -> bool:
        if not _is_entry(parsed):
            return False
        topics = self.topics(extra) + (tuple(parsed.tags) if len(parsed.tags) == 1 else ())
        links: dict[str, Link] = {}
        for link in parsed.links:
            if _is_http(link.url):
                links.setdefault(link.url, Link(link.url, link.text))
        self.entries.append(
            ListEntry(
                source=self.source,
                line=line,
                topics=topics,
                title=parsed.title,
                links=tuple(links.values()),
                venue_hint=parsed.venue,
                date_hint=parsed.date,
                tags=tuple(parsed.tags),
                authors=parsed.authors,
            )
        )
        return True

    def list_items(self, lo: int, hi: int, extra: tuple[str, ...]) -> None:
        i = lo + 1
        while i < hi:
            end = _close(self.tokens, i) if self.tokens[i].nesting == 1 else i
            if self.tokens[i].type == "list_item_open":
                self.list_item(i, end, extra)
            i = end + 1

    def list_item(self, lo: int, hi: int, extra: tuple[str, ...]) -> None:
        """A list item is an entry; a nested list under it holds either that paper's details (author
        line, links) or, under a bare category item, further entries."""
        base = _first_line(self.tokens[lo])
        own, sublists, others = _Flat(), [], []
        i = lo + 1
        while i < hi:
            tok = self.tokens[i]
            end = _close(self.tokens, i) if tok.nesting == 1 else i
            if tok.type == "paragraph_open":
                if own.parts:
                    own.newline(_first_line(tok) - base)
                _flatten(self.children(i + 1), own)
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                sublists.append((i, end))
            elif tok.type != "list_item_close":
                others.append((i, end))
            i = end + 1
        title = _parse(own.text, own).title
        if title and sublists and all(self.is_detail(s, e) for s, e in sublists):
            for s, e in sublists:
                for k in range(s, e):
                    if self.tokens[k].type == "inline":
                        own.newline(_first_line(self.tokens[k]) - base)
                        _flatten(self.children(k), own)
            sublists = []
        made = self.emit(own, self.tokens[lo], extra)
        category = (title,) if title and not made and not own.links else ()
        for s, e in sublists:
            self.list_items(s, e, extra + category)
        for s, e in others:
            self.walk(s, e + 1, extra)

    def is_detail(self, lo: int, hi: int) -> bool:
        """True when every item of this nested list is a detail: links, author line, `Code: …`."""
        inlines = [t for t in self.tokens[lo:hi] if t.type == "inline"]
        for tok in inlines:
            flat = _flatten(tok.children or [])
            parsed = _parse(flat.text, flat)
            label = parsed.title.endswith(":") or (
                len(parsed.title.split()) <= 2 and bool(parsed.links)
            )
            if parsed.title and not (label or hints.parse_authors(parsed.title) or parsed.authors):
                return False
        return bool(inlines)

    def table(self, lo: int, hi: int, extra: tuple[str, ...]) -> None:
        header: list[str] = []
        rows: list[tuple[Token, list[_Flat]]] = []
        for i in range(lo, hi):
            tok = self.tokens[i]
            if tok.type == "tr_open" and header:
                rows.append((tok, []))
            elif tok.type == "inline" and self.tokens[i - 1].type == "th_open":
                header.append(_heading_text(tok.children or []).casefold())
            elif tok.type == "inline" and rows:
                rows[-1][1].append(_flatten(tok.children or []))
        roles = _column_roles(header, [cells for _, cells in rows])
        for tr, cells in rows:
            self.table_row(tr, cells, roles, extra)

    def table_row(
        self, tr: Token, cells: list[_Flat], roles: dict[str, int], extra: tuple[str, ...]
    ) -> None:
        line = _first_line(tr) + 1
        title_cell = cells[roles["title"]] if roles["title"] < len(cells) else _Flat()
        titled = [link for link in title_cell.links if not hints.is_generic_link_text(link.text)]
        leftover = _plain(_LINK_RE.sub("", _BADGE_RE.sub("", title_cell.text)), title_cell)
        if len(titled) > 1 and not re.sub(r"[\s,;&|/]|\band\b", "", leftover):
            for link in titled:  # a cell listing several papers by name: one entry each
                self.add(_Parsed(title=hints.clean_title(link.text), links=[link]), line, extra)
            return
        parsed = _parse(title_cell.text, title_cell)
        for index, cell in enumerate(cells):
            if index != roles["title"]:
                parsed.links += cell.links + _written_identifiers(cell.text, cell)
                for badge in cell.badges:
                    parsed.add_hint(badge)
        cell_text = {
            role: _plain(cells[i].text, cells[i]) for role, i in roles.items() if i < len(cells)
        }
        parsed.venue = _venue_cell(cell_text.get("venue", "")) or parsed.venue
        parsed.date = find_date(cell_text.get("date", "")) or parsed.date
        parsed.authors = hints.parse_authors(cell_text.get("authors", "")) or parsed.authors
        self.add(parsed, line, extra)


def _first_line(tok: Token) -> int:
    """The 0-based source line a block token starts on."""
    return tok.map[0] if tok.map else 0


def _close(tokens: Sequence[Token], i: int) -> int:
    depth = 0
    for k in range(i, len(tokens)):
        depth += tokens[k].nesting
        if depth == 0:
            return k
    return len(tokens) - 1


def _heading_text(children: Sequence[Token]) -> str:
    """A heading's text, without emoji or a parenthesis holding a link (`(see [here](#x))`)."""
    flat = _flatten(children)
    text = re.sub(r"\s*[(（][^()（）]*[\ue000-\ue7ff][^()（）]*[)）]", "", flat.text)
    return hints.collapse(_plain(text, flat)).strip(" :-").lstrip("•·*_ ")


def _column_roles(header: list[str], rows: list[list[_Flat]]) -> dict[str, int]:
    """Which column holds the title, venue, date, authors (by header name; title falls back to the
    column with the most text)."""
    patterns = {
        "title": r"\b(title|papers?|name)\b",
        "date": r"\b(date|year|time|published|released?)\b",
        "venue": r"\b(venue|conference|publication|journal|booktitle)\b",
        "authors": r"\bauthors?\b",
    }
    roles: dict[str, int] = {}
    for role, pattern in patterns.items():
        found = [
            i
            for i, name in enumerate(header)
            if re.search(pattern, name) and i not in roles.values()
        ]
        if found:
            roles[role] = found[0]
    if "title" not in roles:
        width = max((len(row) for row in rows), default=1)
        totals = [
            sum(len(_plain(r[i].text, r[i])) for r in rows if i < len(r)) for i in range(width)
        ]
        roles["title"] = totals.index(max(totals)) if totals else 0
    return roles


_NO_VENUE = frozenset({"", "n/a", "none", "arxiv", "preprint", "corr"})


def _venue_cell(text: str) -> str | None:
    """A venue column's cell, unless it says `-`, `arXiv` or names a lab (`Anthropic`)."""
    text = hints.collapse(text)
    if text.strip("-–— ").casefold() in _NO_VENUE or hints.is_org(text):
        return None
    return hints.normalize_venue(text)


def _is_paper(url: str) -> bool:
    """A paper link, and not a site's home page (`https://www.lesswrong.com/`: a forum, a blog).
    A subdomain of its own (`https://rome.baulab.info/`) is a project's page, kept."""
    if not is_paper_link(url):
        return False
    parts = split_url(url)
    labels = url_host(url).split(".")
    own_site = len(labels) >= 3 and labels[0] != "www"
    return bool(parts.path.strip("/") or parts.query) or own_site


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def parse_markdown(text: str, source: str) -> list[ListEntry]:
    """Entries of a Markdown paper list.

    Headings give the topic path (the document's own H1 title and boilerplate sections such as
    Contents, News, Contributing, License, Citation, Acknowledgements are left out, as is the
    preamble before the first section). Paragraphs, list items, table rows and HTML blocks give
    entries: title, links, `[Venue]`/`[2024.9]`/`[tag]` hints, badges, author lines. Text with no
    paper link and no hint, link-only navigation and repo-only lists give none.
    """
    return _MarkdownReader(text, source).read()
