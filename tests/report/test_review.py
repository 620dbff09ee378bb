"""The review report: the same facts in JSON, Markdown and HTML, escaped, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from list2bib.errors import ConfigError
from list2bib.model import (
    Candidate,
    ListEntry,
    Person,
    Record,
    Reference,
    RunResult,
    Status,
    WorkKind,
)
from list2bib.report.review import check_report_path, report_data, status_of, write_report


def entry(topics: tuple[str, ...], title: str, line: int) -> ListEntry:
    return ListEntry(source="list.md", line=line, topics=topics, title=title)


PUBLISHED = Reference(
    key="meng2022locating",
    record=Record(
        source="s2",
        entry_type="inproceedings",
        title="Locating and Editing Factual Associations in GPT",
        authors=(Person("Meng", "Kevin"), Person("Bau", "David")),
        year="2022",
        arxiv_id="2202.05262",
        venue={"booktitle": "Advances in Neural Information Processing Systems"},
    ),
    entries=(
        entry(("Editing",), "ROME", 3),
        entry(("Survey", "interpretability"), "Locating and editing", 9),
    ),
    status=Status.RESOLVED,
    evidence=("arXiv 2202.05262", "Semantic Scholar: published in NeurIPS 2022"),
    lint=("list.md:3: list says ICML 2022, sources say NeurIPS 2022",),
)
AMBIGUOUS = Reference(
    key="emergentnd",
    record=Record(source="list", entry_type="misc", title="Emergent <abilities> & *more*"),
    entries=(entry(("Editing",), "Emergent <abilities> & *more*", 5),),
    status=Status.AMBIGUOUS,
    problems=("2 different works have this title; none is chosen",),
    candidates=(
        Candidate(
            Record(source="s2", entry_type="misc", title="Emergent abilities", year="2022"),
            97.0,
            "title and hints agree",
        ),
    ),
)
WEB = Reference(
    key="olah2022blog",
    record=Record(
        source="page",
        entry_type="misc",
        title="A blog post",
        kind=WorkKind.WEB,
        url="https://example.org/post",
        venue={"howpublished": "example.org"},
    ),
    entries=(entry((), "A blog post", 12),),
    status=Status.RESOLVED,
)
RESULT = RunResult((PUBLISHED, AMBIGUOUS, WEB), "out/references.bib", True, {"arxiv": 1})


def test_statuses() -> None:
    assert [status_of(r) for r in RESULT.references] == ["published", "ambiguous", "web"]


def test_data_groups_by_topic_in_list_order_and_counts() -> None:
    data = report_data(RESULT)
    assert data["totals"] == {
        "published": 1, "preprint": 0, "web": 1, "ambiguous": 1, "unresolved": 0
    }  # fmt: skip
    assert [t["topic"] for t in data["topics"]] == [
        "Editing",
        "Survey > interpretability",
        "(no topic)",
    ]
    editing = data["topics"][0]["works"]
    assert [w["key"] for w in editing] == ["meng2022locating", "emergentnd"]
    assert editing[0]["evidence"][1].startswith("Semantic Scholar")
    assert editing[1]["candidates"][0]["score"] == 97.0
    assert data["lint"] == ["list.md:3: list says ICML 2022, sources say NeurIPS 2022"]


@pytest.mark.parametrize("suffix", [".json", ".md", ".html"])
def test_written_in_the_format_its_name_says(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"review{suffix}"
    write_report(path, RESULT)
    text = path.read_text(encoding="utf-8")
    if suffix == ".json":
        assert json.loads(text)["output"] == "out/references.bib"
    else:
        assert "meng2022locating" in text and "2 different works" in text
        assert "Semantic Scholar: published in NeurIPS 2022" in text
        assert "candidate (s2, 97.0)" in text


def test_markdown_and_html_escape_what_lists_contain(tmp_path: Path) -> None:
    write_report(tmp_path / "r.html", RESULT)
    html_text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<abilities>" not in html_text and "&lt;abilities&gt;" in html_text
    write_report(tmp_path / "r.md", RESULT)
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "\\*more\\*" in md and "\\<abilities\\>" in md


def test_unknown_format_is_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"review\.txt.*\.md, \.html, \.json"):
        check_report_path(tmp_path / "review.txt")
    (tmp_path / "x.md").mkdir()
    with pytest.raises(ConfigError, match="folder"):
        check_report_path(tmp_path / "x.md")
    check_report_path(None)
    check_report_path(tmp_path / "new.MD")
