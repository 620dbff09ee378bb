"""The JSON summary's data: entries that need a look by file and line, findings split into file,
line and message, counts per topic."""

from __future__ import annotations

import json
from dataclasses import replace

from test_review import AMBIGUOUS, PUBLISHED, RESULT

from list2bib.model import Link, ListEntry
from list2bib.report.changes import Change
from list2bib.report.json_summary import summary_document, to_json


def test_entries_findings_and_topics() -> None:
    warned = replace(PUBLISHED, problems=("check the link: it points to another paper",))
    result = replace(RESULT, references=(warned, AMBIGUOUS, *RESULT.references[2:]))
    data = summary_document(
        result, command="build", exit_code=3, changes=[Change("added", "emergentnd", "new")]
    )
    assert data["exit_code"] == 3 and data["totals"]["works"] == 3
    assert [(e["file"], e["line"], e["status"], e["key"]) for e in data["entries"]] == [
        ("list.md", 5, "ambiguous", "emergentnd"),
        ("list.md", 3, "warning", "meng2022locating"),
        ("list.md", 9, "warning", "meng2022locating"),
    ]
    assert data["entries"][0]["candidates"] == ["Emergent abilities"]
    assert data["findings"] == [
        {"file": "list.md", "line": 3, "message": "list says ICML 2022, sources say NeurIPS 2022"}
    ]
    editing = next(t for t in data["topics"] if t["topic"] == "Editing")
    assert editing["works"] == 2 and editing["ambiguous"] == 1 and editing["published"] == 1
    assert data["changes"] == [
        {"kind": "added", "key": "emergentnd", "detail": "new", "fields": []}
    ]
    assert json.loads(to_json(data)) == data


def test_links_left_out_are_listed_with_their_reason() -> None:
    chat = ListEntry(
        "list.md",
        12,
        ("Groups",),
        "EleutherAI",
        links=(Link("https://discord.com/invite/x"),),
        not_a_work="a chat invite (discord.com)",
    )
    data = summary_document(replace(RESULT, left_out=(chat,)), command="build", exit_code=0)
    assert data["left_out"] == [
        {
            "file": "list.md",
            "line": 12,
            "title": "EleutherAI",
            "reason": "a chat invite (discord.com)",
        }
    ]
    assert summary_document(RESULT, command="build", exit_code=0)["left_out"] == []
