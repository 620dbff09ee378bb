"""An HTML element as one entry's inline text (a `Flat`): `<a href>` become links (an image-only
link is one when its badge names a paper), `<strong>`/`<b>` bold spans, badges hints, block
elements and `<br>` line breaks.
"""

from __future__ import annotations

from list2bib.read import hints
from list2bib.read.htmltree import BLOCKS, Node, parse_html
from list2bib.read.inline import Flat, RawLink, is_paper_badge, linked_badge, unmark
from list2bib.read.links import repair_href


def flatten_html(html: str) -> Flat:
    """An HTML block as a `Flat` (line offsets count from its first line)."""
    return flatten_node(parse_html(html), 0)


def flatten_node(node: Node, base: int, flat: Flat | None = None) -> Flat:
    """`node` and what it holds as a `Flat`; line offsets count from source line `base`."""
    flat = Flat() if flat is None else flat
    for child in node.children:
        _flatten(child, base, flat)
    return flat


def _flatten(node: Node, base: int, flat: Flat) -> None:
    if not node.tag:
        flat.add_text(node.text.replace("\n", " "))  # in HTML a newline is a space
    elif node.tag == "a":
        _link(node, flat)
    elif node.tag == "img":
        if badge := hints.decode_badge(node.attrs.get("src", "")):
            flat.add_badge(badge)
    elif node.tag == "br":
        flat.newline(node.line - base)
    elif node.tag in ("strong", "b"):
        flat.bold(True)
        flatten_node(node, base, flat)
        flat.bold(False)
    else:
        if node.tag in BLOCKS and flat.parts:
            flat.newline(node.line - base)
        flatten_node(node, base, flat)


def _link(node: Node, flat: Flat) -> None:
    href = repair_href(node.attrs.get("href", ""))
    images = [n for n in _descendants(node) if n.tag == "img"]
    for image in images:
        if badge := linked_badge(image.attrs.get("src", ""), href):
            flat.add_badge(badge)
    text = hints.collapse(unmark(node.text_content().replace("\n", " ")))
    if href and text:
        flat.add_link(RawLink(href, text))
    elif text:
        flat.add_text(text)
    elif href and any(
        is_paper_badge(image.attrs.get("src", ""), image.attrs.get("alt", "")) for image in images
    ):
        flat.add_link(RawLink(href, ""))


def _descendants(node: Node) -> list[Node]:
    found: list[Node] = []
    for child in node.children:
        found.append(child)
        found += _descendants(child)
    return found
