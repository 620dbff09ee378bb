"""Markdown paper lists -> `ListEntry` values, read through markdown-it-py tokens (not line
patterns): headings as topics; paragraphs, list items, table rows and HTML blocks as entries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from list2bib.model import Link, ListEntry
from list2bib.read import hints
from list2bib.read.htmltree import parse_run
from list2bib.read.htmlwalk import summary_of, walk_html
from list2bib.read.inline import (
    BADGE_RE,
    LINK_RE,
    Flat,
    Parsed,
    entry_groups,
    flatten,
    is_entry,
    is_http,
    parse_inline,
    plain_text,
    written_identifiers,
)
from list2bib.read.kinds import non_work_reason
from list2bib.text.dates import find_date

# Boilerplate sections, skipped with their subsections; a table of contents only up to the next
# heading, since lists often put their real sections one level below it.
_SKIPPED_SECTIONS = re.compile(
    r"^(?:contribut\w*|licen[cs]e|citation|cit(?:e|ing)|how to cite|star history|stargazers|"
    r"acknowledge?ments?|news|updates?)\b",
    re.IGNORECASE,
)
_HTML_HEADING = re.compile(r"<h[1-6][\s>]", re.IGNORECASE)
_NAVIGATION = re.compile(r"^(?:(?:table of )?contents|toc|quick links?)\b", re.IGNORECASE)


class _MarkdownReader:
    """Walks the block tokens of one document, keeping the heading chain, and collects entries."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        parser = MarkdownIt("commonmark").enable("table")
        # Links with any target are links here: markdown-it's HTML safety check would turn
        # `[Title](javascript:…)` into plain text and the entry would vanish; no target is
        # followed or written unless it is http(s).
        parser.validateLink = lambda url: True  # type: ignore[method-assign]
        self.tokens = parser.parse(text)
        self.entries: list[ListEntry] = []
        self.chain: list[tuple[int, str]] = []
        self.skip_below: int | None = None
        self.navigation = False
        self.groups: list[str] = []  # open `<details>` groups, innermost last
        self.seen_heading = False
        levels = [(i, int(t.tag[1])) for i, t in enumerate(self.tokens) if t.type == "heading_open"]
        only_or_nested = len(levels) == 1 or any(level >= 2 for _, level in levels)
        self.title_at = levels[0][0] if levels and levels[0][1] == 1 and only_or_nested else None
        # Text before the first real heading (badges, a blurb, contact links) is not the list.
        in_html = sum(
            len(_HTML_HEADING.findall(t.content)) for t in self.tokens if t.type == "html_block"
        )
        self.preamble = any(i != self.title_at for i, _ in levels) or len(levels) + in_html >= 2

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
            elif tok.type == "html_block":  # may hold headings: walked even in a skipped part
                end = self.html_run(i, hi, extra)
            elif self.preamble or self.navigation or self.skip_below is not None:
                pass
            elif tok.type == "paragraph_open":
                self.emit(flatten(self.children(i + 1)), tok, extra)
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                self.list_items(i, end, extra)
            elif tok.type == "table_open":
                self.table(i, end, extra)
            elif tok.type == "blockquote_open":
                self.walk(i + 1, end, extra)
            i = end + 1

    def children(self, i: int) -> list[Token]:
        return self.tokens[i].children or []

    def topics(self, extra: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(text for _, text in self.chain) + tuple(self.groups) + extra

    def html_run(self, lo: int, hi: int, extra: tuple[str, ...]) -> int:
        """Walk the HTML blocks from `lo` on as one tree (a table with blank lines in it is several
        blocks); a `<details>` left open groups the Markdown below it until its `</details>`.
        Return the index of the run's last block."""
        end, text, line = lo, "", _first_line(self.tokens[lo])
        while end < hi and self.tokens[end].type == "html_block":
            tok = self.tokens[end]
            text += "\n" * max(0, _first_line(tok) - line) + tok.content
            line = tok.map[1] if tok.map else line
            end += 1
        tree = parse_run(text, _first_line(self.tokens[lo]))
        for tag in tree.stray_ends:
            if tag == "details" and self.groups:
                self.groups.pop()
        walk_html(tree.root, self, extra)
        self.groups += [summary_of(node) for node in tree.still_open if node.tag == "details"]
        return end - 1

    def html_heading(self, level: int, text: str, centered: bool) -> None:
        # A centred or level-1 heading before anything else is the document's own title.
        title = (centered or level == 1) and not self.seen_heading and not self.entries
        self.set_heading(level, text, title=title)

    def heading(self, i: int) -> None:
        level, text = int(self.tokens[i].tag[1]), _heading_text(self.children(i + 1))
        self.set_heading(level, text, title=i == self.title_at)

    def set_heading(self, level: int, text: str, *, title: bool) -> None:
        self.seen_heading = True
        if title:
            return
        self.groups = []
        self.preamble = False
        if self.skip_below is not None and level > self.skip_below:
            return
        self.skip_below = level if _SKIPPED_SECTIONS.match(text) else None
        self.navigation = bool(_NAVIGATION.match(text))
        self.chain = [(lvl, t) for lvl, t in self.chain if lvl < level]
        if not self.navigation and text:  # an empty heading (`## 🚀`) ends a section, names none
            self.chain.append((level, text))

    def emit(self, flat: Flat, tok: Token, extra: tuple[str, ...]) -> int:
        """Add the entries in `flat` (a block starting at `tok`); return how many."""
        return self.emit_at(flat, _first_line(tok), extra)

    def emit_at(self, flat: Flat, base: int, extra: tuple[str, ...]) -> int:
        """Add the entries in `flat` (a block starting on 0-based line `base`); return how many."""
        if self.preamble or self.navigation or self.skip_below is not None:
            return 0
        return sum(
            self.add(parse_inline(text, flat), base + offset + 1, extra)
            for offset, text in entry_groups(flat)
        )

    def add(self, parsed: Parsed, line: int, extra: tuple[str, ...]) -> bool:
        if not is_entry(parsed):
            return False
        topics = self.topics(extra) + (tuple(parsed.tags) if len(parsed.tags) == 1 else ())
        links: dict[str, Link] = {}
        for link in parsed.links:
            if is_http(link.url):
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
                tags=parsed.all_tags(),
                authors=parsed.authors,
                not_a_work=non_work_reason(topics, [link.url for link in links.values()]),
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
        own, sublists, others = Flat(), [], []
        i = lo + 1
        while i < hi:
            tok = self.tokens[i]
            end = _close(self.tokens, i) if tok.nesting == 1 else i
            if tok.type == "paragraph_open":
                if own.parts:
                    own.newline(_first_line(tok) - base)
                flatten(self.children(i + 1), own)
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                sublists.append((i, end))
            elif tok.type != "list_item_close":
                others.append((i, end))
            i = end + 1
        title = parse_inline(own.text, own).title
        if title and sublists and all(self.is_detail(s, e) for s, e in sublists):
            for s, e in sublists:
                for k in range(s, e):
                    if self.tokens[k].type == "inline":
                        own.newline(_first_line(self.tokens[k]) - base)
                        flatten(self.children(k), own)
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
            flat = flatten(tok.children or [])
            parsed = parse_inline(flat.text, flat)
            label = parsed.title.endswith(":") or (
                len(parsed.title.split()) <= 2 and bool(parsed.links)
            )
            if parsed.title and not (label or hints.parse_authors(parsed.title) or parsed.authors):
                return False
        return bool(inlines)

    def table(self, lo: int, hi: int, extra: tuple[str, ...]) -> None:
        header: list[str] = []
        rows: list[tuple[Token, list[Flat]]] = []
        for i in range(lo, hi):
            tok = self.tokens[i]
            if tok.type == "tr_open" and header:
                rows.append((tok, []))
            elif tok.type == "inline" and self.tokens[i - 1].type == "th_open":
                header.append(_heading_text(tok.children or []).casefold())
            elif tok.type == "inline" and rows:
                rows[-1][1].append(flatten(tok.children or []))
        self.table_rows(header, [(_first_line(tr), cells) for tr, cells in rows], extra)

    def table_rows(
        self, header: list[str], rows: list[tuple[int, list[Flat]]], extra: tuple[str, ...]
    ) -> None:
        """A table's rows (0-based line, cells) under its header's column names."""
        if self.preamble or self.navigation or self.skip_below is not None:
            return
        roles = _column_roles(header, [cells for _, cells in rows])
        for line, cells in rows:
            self.table_row(line + 1, cells, roles, extra)

    def table_row(
        self, line: int, cells: list[Flat], roles: dict[str, int], extra: tuple[str, ...]
    ) -> None:
        title_cell = cells[roles["title"]] if roles["title"] < len(cells) else Flat()
        titled = [link for link in title_cell.links if not hints.is_generic_link_text(link.text)]
        leftover = plain_text(LINK_RE.sub("", BADGE_RE.sub("", title_cell.text)), title_cell)
        tag_column = roles.get("tags", roles["title"])
        tagged = tag_column != roles["title"] and tag_column < len(cells)
        row_tags = _tag_cell(cells[tag_column]) if tagged else []
        if len(titled) > 1 and not re.sub(r"[\s,;&|/]|\band\b", "", leftover):
            labels = [tag.value for tag in row_tags]
            for link in titled:  # a cell listing several papers by name: one entry each
                title = hints.clean_title(link.text)
                self.add(Parsed(title=title, links=[link], labels=labels), line, extra)
            return
        parsed = parse_inline(title_cell.text, title_cell)
        for index, cell in enumerate(cells):
            if index == roles["title"]:
                continue
            if index != tag_column:  # a tag's link names a topic page, not the paper
                parsed.links += cell.links + written_identifiers(cell.text, cell)
            for badge in cell.badges:
                parsed.add_badge(badge)
        cell_text = {
            role: plain_text(cells[i].text, cells[i]) for role, i in roles.items() if i < len(cells)
        }
        for tag in row_tags:
            parsed.add_badge(tag)
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
    flat = flatten(children)
    text = re.sub(r"\s*[(（][^()（）]*[\ue000-\ue7ff][^()（）]*[)）]", "", flat.text)
    return hints.collapse(plain_text(text, flat)).strip(" :-").lstrip("•·*_ ")


def _column_roles(header: list[str], rows: list[list[Flat]]) -> dict[str, int]:
    """Which column holds the title, venue, date, authors (by header name; title falls back to the
    column with the most text)."""
    patterns = {
        "title": r"\b(title|papers?|name)\b",
        "date": r"\b(date|year|time|published|released?)\b",
        "venue": r"\b(venue|conference|publication|journal|booktitle)\b",
        "authors": r"\bauthors?\b",
        "tags": r"\b(tags?|topics?|keywords?|categor(y|ies)|type)\b",
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
            sum(len(plain_text(r[i].text, r[i])) for r in rows if i < len(r)) for i in range(width)
        ]
        roles["title"] = totals.index(max(totals)) if totals else 0
    return roles


def _tag_cell(cell: Flat) -> list[hints.Hint]:
    """The tags in a tag column's cell: its tag badges, and tags written as text
    (`Locate-then-edit, memory`, one per line); venue and date words there are no tags."""
    text = plain_text(cell.text, cell)
    pieces = (piece.strip(" []()#`*") for piece in re.split(r"[,;|\n•·]", text))
    found = cell.badges + [hints.classify(piece, bracketed=True) for piece in pieces]
    return [hint for hint in found if hint and hint.kind == "tag"]


_NO_VENUE = frozenset({"", "n/a", "none", "arxiv", "preprint", "corr"})


def _venue_cell(text: str) -> str | None:
    """A venue column's cell, unless it says `-`, `arXiv` or names a lab (`Anthropic`)."""
    text = hints.collapse(text)
    if text.strip("-–— ").casefold() in _NO_VENUE or hints.is_org(text):
        return None
    return hints.normalize_venue(text)


def parse_markdown(text: str, source: str) -> list[ListEntry]:
    """Entries of a Markdown paper list.

    Headings give the topic path (the document's own H1 title and boilerplate sections such as
    Contents, News, Contributing, License, Citation, Acknowledgements are left out, as is the
    preamble before the first section). Paragraphs, list items, table rows and HTML blocks give
    entries: title, links, `[Venue]`/`[2024.9]`/`[tag]` hints, badges, author lines. Text with no
    paper link and no hint, link-only navigation and repo-only lists give none.
    """
    return _MarkdownReader(text, source).read()
