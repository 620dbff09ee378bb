"""The summary: counts per topic, one line per shared service failure, unresolved entries listed."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console

from list2bib.model import ListEntry, Record, Reference, RunResult, Status, WorkKind
from list2bib.report.summary import (
    counts_by_topic,
    needs_attention,
    print_summary,
    service_failures,
)


def ref(
    key: str, kind: WorkKind, status: Status, topics: tuple[str, ...], *problems: str
) -> Reference:
    entry = ListEntry("list.md", 3, topics, "T")
    record = Record(source="t", entry_type="misc", title=f"Title {key}", kind=kind)
    return Reference(key, record, (entry,), status, problems)


RESULT = RunResult(
    references=(
        ref("a", WorkKind.PUBLISHED, Status.RESOLVED, ("Papers",)),
        ref("b", WorkKind.PREPRINT, Status.RESOLVED, ("Papers",)),
        ref(
            "c",
            WorkKind.UNRESOLVED,
            Status.UNRESOLVED,
            ("Papers",),
            "arxiv:1: arxiv: down (HTTP 503)",
        ),
        ref(
            "d",
            WorkKind.UNRESOLVED,
            Status.UNRESOLVED,
            ("Survey", "x"),
            "arxiv:2: arxiv: down (HTTP 503)",
        ),
        ref("e", WorkKind.WEB, Status.UNRESOLVED, ("Survey", "x"), "a web page: kept as listed"),
        ref("f", WorkKind.PREPRINT, Status.RESOLVED, ("Papers",), "the list's title differs"),
    ),
    output="refs.bib",
    written=True,
    requests_by_host={"h": 3},
    kept=("mine",),
)


def test_counts_by_topic() -> None:
    counts = counts_by_topic(RESULT)
    assert dict(counts["Papers"]) == {"published": 1, "preprint": 2, "works": 4, "unresolved": 1}
    assert dict(counts["Survey > x"]) == {"unresolved": 2, "works": 2}


def test_a_shared_service_failure_is_one_line() -> None:
    assert service_failures(RESULT) == ["2 entries: arxiv: down (HTTP 503)"]


def test_needs_attention_lists_unresolved_then_warnings() -> None:
    lines = needs_attention(RESULT)
    assert [line.split()[1] for line in lines] == ["c", "d", "e", "f"]
    assert lines[0].startswith("unresolved c (list.md:3): Title c - arxiv:1")
    assert lines[-1].startswith("warning f (list.md:3)")


def test_printed_summary() -> None:
    console = Console(record=True, width=200)
    print_summary(RESULT, console)
    text = console.export_text()
    assert "6 works -> refs.bib" in text
    assert "service failure, 2 entries: arxiv: down (HTTP 503)" in text
    assert "kept 1 entry of refs.bib that no list produces: mine" in text
    assert "refs.bib: written; 3 network requests" in text
    assert "warning f (list.md:3): the list's title differs" in text


def test_findings_on_the_list_are_counted_and_shown_with_v() -> None:
    ref = RESULT.references[0]
    linted = replace(ref, lint=("list.md:1: list says ICML 2017, sources say NeurIPS 2017",))
    result = replace(RESULT, references=(linted, *RESULT.references[1:]))
    quiet = Console(record=True, width=200)
    print_summary(result, quiet)
    assert "1 findings on the list itself" in quiet.export_text()
    assert "sources say NeurIPS" not in quiet.export_text()
    loud = Console(record=True, width=200)
    print_summary(result, loud, verbose=True)
    assert "finding list.md:1: list says ICML 2017" in loud.export_text()
