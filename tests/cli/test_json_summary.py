"""`--json`: the run's result as one JSON document on stdout, for scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from list2bib.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "papers.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def document(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)  # stdout holds the document and nothing else
    return data


def test_the_document_has_counts_entries_changes_and_the_exit_code(env: Path) -> None:
    result = run("build", str(EXAMPLE), "-o", "refs.bib", "--json")
    assert result.exit_code == 0, result.output
    data = document(result)
    assert data["schema"] == "list2bib-summary/1" and data["command"] == "build"
    assert data["exit_code"] == 0 and data["written"] is True and data["output"] == "refs.bib"
    totals = data["totals"]
    assert totals["works"] == sum(totals[k] for k in totals if k != "works") > 0
    assert sum(t["works"] for t in data["topics"]) >= totals["works"]
    unresolved = [e for e in data["entries"] if e["status"] == "unresolved"]
    assert unresolved, data["entries"]
    line22 = [e for e in unresolved if e["line"] == 22]
    assert line22 and line22[0]["file"].endswith("examples/papers.md") and line22[0]["reason"]
    assert {c["kind"] for c in data["changes"]} == {"added"}
    assert len(data["changes"]) == totals["works"]


def test_strict_puts_its_exit_code_in_the_document(env: Path) -> None:
    result = run("build", str(EXAMPLE), "-o", "refs.bib", "--strict", "--summary-json")
    assert result.exit_code == 3
    assert document(result)["exit_code"] == 3
    assert "unresolved entries (--strict)" in result.stderr  # messages stay on stderr


def test_check_reports_would_change_without_writing(env: Path) -> None:
    result = run("refresh", "arXiv:2202.05262", "-o", "refs.bib", "--check", "--json")
    assert result.exit_code == 1
    data = document(result)
    assert data["command"] == "refresh" and data["exit_code"] == 1
    assert data["would_change"] is True and data["written"] is False
    assert not (env / "refs.bib").exists()
    assert run("build", "arXiv:2202.05262", "-o", "refs.bib").exit_code == 0
    again = document(run("build", "arXiv:2202.05262", "-o", "refs.bib", "--json"))
    assert again["changes"] == [] and again["written"] is False and again["requests"] == 0


def test_bad_input_gives_no_document(env: Path) -> None:
    result = run("build", "missing.md", "--json")
    assert result.exit_code == 2 and result.stdout == ""
