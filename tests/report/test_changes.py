"""changes: what a run changed, by kind, as terminal lines, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from list2bib.bibtex.parse import BibEntry
from list2bib.errors import ConfigError
from list2bib.model import ListEntry, Record, Reference, Status, WorkKind
from list2bib.report.changes import check_path, compute, summary_lines, to_markdown, write

LISTED = (ListEntry("list.md", 4, ("Papers",), "x"),)


def ref(key: str, title: str = "T", evidence: tuple[str, ...] = ()) -> Reference:
    record = Record("arxiv", "inproceedings", title, year="2022", kind=WorkKind.PUBLISHED)
    return Reference(key, record, LISTED, Status.RESOLVED, evidence=evidence)


def old(key: str, entry_type: str = "misc", **fields: str) -> BibEntry:
    return BibEntry(key, entry_type, dict(fields), 1)


def test_each_kind_is_found() -> None:
    refs = [
        ref("added"),
        ref("up", evidence=("arXiv names doi:10.1/x",)),
        ref("same"),
        ref("moved"),
    ]
    new = {
        "added": {"title": "T"},
        "up": {"title": "T", "booktitle": "NeurIPS"},
        "same": {"title": "T"},
        "moved": {"title": "New"},
    }
    types = {"added": "misc", "up": "inproceedings", "same": "misc", "moved": "misc"}
    before = {
        "up": old("up", eprint="2202.05262", title="T"),
        "same": old("same", title="T"),
        "moved": old("moved", title="Old", note="n"),
    }
    found = compute(
        before,
        refs,
        new,
        types,
        merged={"up": ["oldup"]},
        edits={"same": ["note"]},
        kept=["mine"],
        removed=[old("gone", title="Gone")],
    )
    assert [(c.kind, c.key) for c in found] == [
        ("added", "added"),
        ("upgraded", "up"),
        ("changed", "moved"),
        ("merged", "up"),
        ("edited", "same"),
        ("kept", "mine"),
        ("removed", "gone"),
    ]
    changed = next(c for c in found if c.kind == "changed")
    assert changed.fields == ("note", "title")
    upgraded = next(c for c in found if c.kind == "upgraded")
    assert "NeurIPS" in upgraded.detail and "arXiv names" in upgraded.detail
    assert summary_lines(found)[0] == "added 1: added"


def test_entries_written_verbatim_are_not_changes() -> None:
    assert compute({"a": old("a", title="T")}, [ref("a")], {}, {}) == []


def test_markdown_and_json(tmp_path: Path) -> None:
    found = compute({}, [ref("meng2022locating")], {"meng2022locating": {"title": "T"}}, {})
    write(tmp_path / "c.md", found, "refs.bib")
    markdown = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Changes to refs.bib\n")
    assert "## Added (1)\n\n- `meng2022locating`: T - listed at list.md:4" in markdown
    write(tmp_path / "c.json", found, "refs.bib")
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert data["counts"]["added"] == 1 and data["changes"][0]["key"] == "meng2022locating"
    assert to_markdown([], "x.bib").endswith("Nothing changed.\n")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\.md or \.json"):
        check_path(Path("changes.txt"))
