"""Raw HTML in a list, as a tree the way browsers build it: end tags a README leaves out (`<p>`,
`<li>`, `<td>`, `<tr>`) are implied, void elements hold nothing, comments are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that never hold content.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# A start tag closes an open element of these kinds first (`<li>` after `<li>`, `<tr>` after a
# cell); the value lists the elements that stop the search (a nested list or table is kept).
_CLOSED_BY: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
}
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "details", "div", "dl", "figure", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip


@dataclass(slots=True)
class Node:
    """An element (`tag`, `attrs`, `children`) or a run of text (`tag` empty, `text`); `line` is
    the 0-based source line it starts on."""  # mutable: the builder appends children

    tag: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str = ""
    line: int = 0

    def elements(self) -> list[Node]:
        return [child for child in self.children if child.tag]

    def text_content(self) -> str:
        return self.text if not self.tag else "".join(c.text_content() for c in self.children)

    def is_block(self) -> bool:
        return self.tag in BLOCKS or any(child.is_block() for child in self.elements())


@dataclass(frozen=True, slots=True)
class Tree:
    """A parsed run of HTML: the root, the elements still open at its end (a `<details>` whose
    content is Markdown below) and the end tags that closed nothing (`</details>` after it)."""

    root: Node
    still_open: tuple[Node, ...]
    stray_ends: tuple[str, ...]


def parse_html(html: str, first_line: int = 0) -> Node:
    """The tree of `html`, under a root node tagged `#root`; lines count from `first_line`."""
    return parse_run(html, first_line).root


def parse_run(html: str, first_line: int = 0) -> Tree:
    """`parse_html`, and what the run leaves open or closes of the runs before it."""
    builder = _TreeBuilder(first_line)
    builder.feed(html)
    builder.close()
    return Tree(builder.root, tuple(builder.stack[1:]), tuple(builder.stray_ends))


class _TreeBuilder(HTMLParser):
    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.root = Node(tag="#root")
        self.stack = [self.root]
        self.stray_ends: list[str] = []

    def _line(self) -> int:
        return self.first_line + self.getpos()[0] - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" or tag in BLOCKS - {"li", "td", "th", "tr", "summary"}:
            self._close_open("p", frozenset({"td", "th", "li", "div", "details", "blockquote"}))
        if tag in _CLOSED_BY:
            closes, stops = _CLOSED_BY[tag]
            for name in closes:
                self._close_open(name, stops)
        node = Node(tag=tag, attrs={k: v or "" for k, v in attrs}, line=self._line())
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return
        self.stray_ends.append(tag)  # nothing opened it: ignored here, as browsers do

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Node(text=data, line=self._line()))

    def _close_open(self, tag: str, stops: frozenset[str]) -> None:
        """Close the innermost open `tag`, unless an element in `stops` is opened after it."""
        for depth in range(len(self.stack) - 1, 0, -1):
            name = self.stack[depth].tag
            if name == tag:
                del self.stack[depth:]
                return
            if name in stops:
                return
