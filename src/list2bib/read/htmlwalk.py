"""The document walk for raw HTML in a list: headings, `<details>` groups, tables (with `rowspan`
and `colspan`), lists and paragraphs, handed to the same reader the Markdown walk feeds, so an
entry written in HTML gets the same title, links, hints and topic path as one in Markdown.
"""

from __future__ import annotations

import re
from typing import Protocol

from list2bib.read import hints
from list2bib.read.htmlflat import flatten_node
from list2bib.read.htmltree import Node
from list2bib.read.inline import Flat, plain_text

_HEADING = re.compile(r"h([1-6])")
_LISTS = ("ul", "ol")


class Reader(Protocol):
    """What the walk tells the document reader (`read/document.py`)."""

    def html_heading(self, level: int, text: str, centered: bool) -> None: ...

    def emit_at(self, flat: Flat, base: int, extra: tuple[str, ...]) -> int: ...

    def table_rows(
        self, header: list[str], rows: list[tuple[int, list[Flat]]], extra: tuple[str, ...]
    ) -> None: ...


def walk_html(node: Node, reader: Reader, extra: tuple[str, ...]) -> None:
    """Walk the children of `node`: block elements by kind, runs of inline content as paragraphs."""
    run: list[Node] = []
    for child in node.children:
        if child.tag and child.is_block():
            _paragraph(run, reader, extra)
            run = []
            _block(child, reader, extra)
        else:
            run.append(child)
    _paragraph(run, reader, extra)


def node_text(node: Node) -> str:
    """An element's text as a heading shows it: whitespace collapsed, emoji and markers dropped."""
    flat = flatten_node(node, node.line)
    text = plain_text(flat.text, flat)  # a link shows its text
    return hints.collapse(hints.strip_emoji(text)).strip(" :-").lstrip("•·*_ ")


def summary_of(details: Node) -> str:
    summary = next((c for c in details.elements() if c.tag == "summary"), None)
    return node_text(summary) if summary is not None else ""


def _block(node: Node, reader: Reader, extra: tuple[str, ...]) -> None:
    if m := _HEADING.fullmatch(node.tag):
        centered = node.attrs.get("align", "").lower() == "center"
        reader.html_heading(int(m[1]), node_text(node), centered)
    elif node.tag == "details":
        group = summary_of(node)
        body = Node(tag="div", children=[c for c in node.children if c.tag != "summary"])
        walk_html(body, reader, extra + ((group,) if group else ()))
    elif node.tag == "table":
        _table(node, reader, extra)
    elif node.tag in _LISTS:
        _list(node, reader, extra)
    elif node.tag in ("tr", "td", "th", "li", "summary"):  # outside their parent: a paragraph
        _paragraph([node], reader, extra)
    elif any(child.tag and child.is_block() for child in node.children):
        walk_html(node, reader, extra)
    else:
        _paragraph([node], reader, extra)


def _paragraph(nodes: list[Node], reader: Reader, extra: tuple[str, ...]) -> None:
    if not any(n.tag or n.text.strip() for n in nodes):
        return
    base = nodes[0].line
    flat = flatten_node(Node(tag="span", children=nodes, line=base), base)
    reader.emit_at(flat, base, extra)


def _list(node: Node, reader: Reader, extra: tuple[str, ...]) -> None:
    for item in node.elements():
        if item.tag != "li":
            continue
        own = [c for c in item.children if c.tag not in _LISTS]
        nested = [c for c in item.children if c.tag in _LISTS]
        flat = flatten_node(Node(tag="span", children=own, line=item.line), item.line)
        made = reader.emit_at(flat, item.line, extra) if own else 0
        title = node_text(Node(tag="span", children=own)) if not made and not flat.links else ""
        for sublist in nested:  # under a bare category item, further entries
            _list(sublist, reader, extra + ((title,) if title else ()))


def _rows(table: Node) -> list[Node]:
    rows: list[Node] = []
    for child in table.elements():
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows += _rows(child)
    return rows


def _table(table: Node, reader: Reader, extra: tuple[str, ...]) -> None:
    """Rows as cell `Flat`s on one grid: a `rowspan` cell stands in each row it spans (a date
    shared by several papers), a `colspan` cell in its first column only."""
    header: list[str] = []
    rows: list[tuple[int, list[Flat]]] = []
    spanning: dict[int, tuple[Flat, int]] = {}  # column -> (cell, rows still to fill)
    for tr in _rows(table):
        cells = [c for c in tr.elements() if c.tag in ("td", "th")]
        if not rows and not header and cells and _is_header(cells):
            header = [node_text(c).casefold() for c in cells]
            continue
        grid: list[Flat] = []
        for cell in cells:
            _fill_spans(grid, spanning)
            flat = flatten_node(cell, cell.line)
            span = _span(cell, "rowspan")
            if span > 1:
                spanning[len(grid)] = (flat, span - 1)
            grid.append(flat)
            grid += [Flat() for _ in range(_span(cell, "colspan") - 1)]
        _fill_spans(grid, spanning)
        if grid:
            rows.append((tr.line, grid))
    reader.table_rows(header, rows, extra)


def _is_header(cells: list[Node]) -> bool:
    """`<th>` cells, or cells that hold only a short bold name (`<td><b>Title</b></td>`)."""
    if all(c.tag == "th" for c in cells):
        return True
    for cell in cells:
        inner = [c for c in cell.children if c.tag or c.text.strip()]
        if inner and not (
            len(inner) == 1
            and inner[0].tag in ("b", "strong")
            and len(inner[0].text_content().split()) <= 3
            and not any(n.tag == "a" for n in inner[0].elements())
        ):
            return False
    return True


def _fill_spans(grid: list[Flat], spanning: dict[int, tuple[Flat, int]]) -> None:
    while len(grid) in spanning:
        flat, left = spanning.pop(len(grid))
        grid.append(flat)
        if left > 1:
            spanning[len(grid) - 1] = (flat, left - 1)


def _span(cell: Node, name: str) -> int:
    value = cell.attrs.get(name, "1").strip()
    return max(1, min(int(value), 100)) if value.isdigit() else 1
