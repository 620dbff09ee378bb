"""venue_pages: a venue's page an earlier run wrote as `url` is kept only for the same published
version known this run with nothing but its arXiv copy; anything else takes this run's url."""

from __future__ import annotations

from dataclasses import replace

import pytest

from list2bib.bibtex.parse import BibEntry
from list2bib.model import Person, Record, Status, WorkKind
from list2bib.works.dedupe import Work
from list2bib.works.state import State, WorkState
from list2bib.works.venue_pages import kept

ARXIV_ID = "2301.00003"
PAGE = "https://proceedings.neurips.cc/paper_files/paper/2023/hash/abc-Abstract-Conference.html"
EDITORS = "Alice Oh and Tristan Naumann"


# A NeurIPS paper as Semantic Scholar gives it: published, no DOI, the arXiv page as url.
NEURIPS: dict[str, object] = {
    "source": "s2",
    "entry_type": "inproceedings",
    "title": "Scalable Attention",
    "authors": (Person("Tester", "Ada"),),
    "year": "2023",
    "arxiv_id": ARXIV_ID,
    "url": f"https://arxiv.org/abs/{ARXIV_ID}",
    "venue": {"booktitle": "Advances in Neural Information Processing Systems", "volume": "36"},
    "kind": WorkKind.PUBLISHED,
}


def record(**changes: object) -> Record:
    return Record(**{**NEURIPS, **changes})  # type: ignore[arg-type]


EARLIER = record(
    source="dblp",
    url=PAGE,
    venue={**record().venue, "editor": EDITORS},
)


def run(now: Record, earlier: Record = EARLIER, **work: object) -> Record:
    this = Work(f"arxiv:{ARXIV_ID}", now, (), Status.RESOLVED)
    this = replace(this, **work)  # type: ignore[arg-type]
    entry = BibEntry("tester2023scalable", "inproceedings", {}, 1)
    state = State({this.work_id: WorkState(entry.key, Status.RESOLVED, earlier, "2026-01-01")})
    return kept([this], {this.work_id: entry}, state)[0].record


def test_the_same_version_with_only_its_arxiv_copy_keeps_the_page_and_editors() -> None:
    result = run(record())
    assert result.url == PAGE
    assert result.venue["editor"] == EDITORS
    assert run(record(url=None)).url == PAGE


@pytest.mark.parametrize(
    "now",
    [
        record(year="2024"),  # another year: another version, or a corrected one
        record(venue={"booktitle": "International Conference on Machine Learning"}),
        record(doi="10.5555/x", url="https://doi.org/10.5555/x"),
        record(url="https://openreview.net/forum?id=abc"),  # a venue page of its own
        record(kind=WorkKind.PREPRINT, entry_type="misc", venue={}),
    ],
)
def test_anything_else_takes_this_runs_url(now: Record) -> None:
    assert run(now).url == now.url


@pytest.mark.parametrize(
    "earlier_url", [f"https://arxiv.org/abs/{ARXIV_ID}", "https://doi.org/10.5555/x", None]
)
def test_an_earlier_arxiv_or_doi_link_is_no_venue_page(earlier_url: str | None) -> None:
    assert run(record(), replace(EARLIER, url=earlier_url)).url == record().url


def test_an_unverified_or_incomplete_work_is_left_to_merge() -> None:
    assert run(record(), status=Status.UNRESOLVED).url == record().url
    assert run(record(), incomplete=True).url == record().url


def test_a_work_without_an_earlier_entry_is_unchanged() -> None:
    this = Work(f"arxiv:{ARXIV_ID}", record(), (), Status.RESOLVED)
    assert kept([this], {}, State())[0].record == record()
