"""A paragraph may hold any number of links and badges: each stands for itself (the markers of
links and badges never meet), so 2,100 links read as 2,100 links and a badge after them still
gives its hint."""

from __future__ import annotations

from pathlib import Path

from list2bib.read import hints
from list2bib.read.dispatch import read_list
from list2bib.read.inline import BADGE_RE, LINK_RE, Flat, RawLink


def test_markers_past_the_first_2048_stay_apart() -> None:
    flat = Flat()
    for i in range(2100):
        flat.add_link(RawLink(f"https://example.org/{i}", f"link {i}"))
        flat.add_badge(hints.Hint("venue", f"V{i}"))
    links = LINK_RE.findall(flat.text)
    badges = BADGE_RE.findall(flat.text)
    assert len(links) == len(set(links)) == 2100
    assert len(badges) == len(set(badges)) == 2100
    assert not set(links) & set(badges)
    assert [flat.link_at(m).url for m in links] == [f"https://example.org/{i}" for i in range(2100)]
    assert [flat.badge_at(m).value for m in badges] == [f"V{i}" for i in range(2100)]


def test_a_paragraph_of_2100_links_is_read(tmp_path: Path) -> None:
    links = " ".join(f"[Paper number {i}](https://example.org/p{i})" for i in range(2100))
    badge = "![venue](https://img.shields.io/badge/Conference-ICLR'24-blue)"
    path = tmp_path / "list.md"
    path.write_text(f"# Papers\n\n{links} {badge}\n", encoding="utf-8")
    (entry,) = read_list(path)
    assert entry.title == "Paper number 0"
    assert [link.url for link in entry.links] == [f"https://example.org/p{i}" for i in range(2100)]
    assert entry.venue_hint == "ICLR 2024"
