"""What a web page declares itself to be (Open Graph, JSON-LD): a profile, an app or a course is
no work; an article is one whatever people and organisations it also names."""

from __future__ import annotations

import json

import pytest

from list2bib.resolve.pagemeta import extract
from list2bib.resolve.sources.page import parse_page


def page(*, og_type: str = "", ld: object = None, citation: bool = False) -> str:
    head = ["<title>Jane Doe</title>"]
    if og_type:
        head.append(f'<meta property="og:type" content="{og_type}">')
    if citation:
        head.append('<meta name="citation_title" content="A paper">')
    if ld is not None:
        head.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    return f"<html><head>{''.join(head)}</head><body></body></html>"


@pytest.mark.parametrize(
    ("html", "declared"),
    [
        (page(og_type="profile"), "a profile page (og:type profile)"),
        (page(og_type="product"), "a product page (og:type product)"),
        (page(ld={"@type": "Person", "name": "Jane"}), "a person's page (JSON-LD Person)"),
        (
            page(ld={"@graph": [{"@type": "WebSite"}, {"@type": "ProfilePage"}]}),
            "a profile page (JSON-LD ProfilePage)",
        ),
        (
            page(ld={"@type": "SoftwareApplication"}),
            "a software page (JSON-LD SoftwareApplication)",
        ),
        (page(ld={"@type": "Course", "name": "CS224n"}), "a course (JSON-LD Course)"),
        # Works, whatever else the page names:
        (page(og_type="article", ld={"@type": "Person"}), ""),
        (page(ld=[{"@type": "BlogPosting"}, {"@type": "Person"}]), ""),
        (page(ld={"@graph": [{"@type": "WebPage"}, {"@type": "Person"}]}), ""),
        (page(og_type="profile", citation=True), ""),
        (page(og_type="website"), ""),
        (page(), ""),
    ],
)
def test_a_page_declares_what_it_is(html: str, declared: str) -> None:
    assert extract(html, "https://example.org/x").not_a_work == declared


def test_the_page_record_carries_it() -> None:
    record, _ = parse_page(page(og_type="profile"), "https://example.org/jane")
    assert record.not_a_work == "a profile page (og:type profile)"
    work, _ = parse_page(page(og_type="article"), "https://example.org/post")
    assert work.not_a_work is None
