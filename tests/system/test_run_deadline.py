"""A run's deadline and a request's total time, end to end: a page dripping one byte at a time is
cut and its work named (exit 5); a run whose deadline passes half-way keeps every good entry,
marks the works it did not ask, exits 5 saying how to give more time, and the next refresh asks
exactly those."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fakes import FakeClock, FakeServices
from list2bib import pipeline
from list2bib.bibtex.parse import read_file
from list2bib.cli import main
from list2bib.errors import EXIT_OK, EXIT_PARTIAL
from list2bib.model import WorkKind
from list2bib.works.monotone import entry_facts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "papers.md"
DEADLINE_TEXT = re.compile(r"the run's deadline \((?P<minutes>[\d.]+) min for (?P<n>\d+) entries\)")


@pytest.fixture(scope="module")
def clean(services: FakeServices, tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    """A clean build (no deadline): the good bib and state tests start from."""
    folder = tmp_path_factory.mktemp("good")
    result = pipeline.build([EXAMPLE], services.config(folder, timeout=2.0), clock=FakeClock())
    assert result.written and not result.incomplete and not result.deadline
    return result


@pytest.fixture(scope="module")
def good(clean: pipeline.BuildResult) -> Path:
    return Path(clean.output).parents[1]


def _facts(bib: Path) -> dict[str, dict[str, str]]:
    return {e.key: entry_facts(e.entry_type, e.fields) for e in read_file(bib).entries}


def _cli(fakes: FakeServices, folder: Path, network: str, *args: str) -> Result:
    env, config = fakes.cli_settings(folder, network=network)
    return CliRunner().invoke(main, [*args, "--config", str(config)], env=env)


def test_a_dripping_page_is_cut_at_the_request_deadline_and_named(
    fakes: FakeServices, clean: pipeline.BuildResult, good: Path, tmp_path: Path
) -> None:
    shutil.copytree(good / "out", tmp_path / "out")
    out = tmp_path / "out" / "references.bib"
    before = out.read_text(encoding="utf-8")
    pages = {r.key for r in clean.references if r.record.kind is WorkKind.WEB}
    fakes.web.drip(0.05)  # every page: headers, then a byte every 50 ms (a minute for 1 kB)
    network = "retries = 0\ntimeout = 5\nrequest_deadline = 0.3"
    result = _cli(fakes, tmp_path, network, "build", str(EXAMPLE), "-o", str(out))
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "partial run: a service failed" in result.stderr
    named = re.findall(r"^\w+ (\w+) \(.*no complete answer within 0\.3 s", result.stdout, re.M)
    assert pages and set(named) == pages  # every work whose page dripped, and only those
    assert out.read_text(encoding="utf-8") == before  # the pages' works kept their entries
    state = json.loads((tmp_path / "out" / "references.bib.list2bib.json").read_text("utf-8"))
    assert {w["key"] for w in state["works"].values() if w.get("incomplete")} == pages


def test_a_run_past_its_deadline_keeps_good_entries_and_refresh_completes_it(
    fakes: FakeServices, good: Path, tmp_path: Path
) -> None:
    shutil.copytree(good / "out", tmp_path / "out")
    # The clean run takes some 3.5 s of waits on the fake clock; this one has 1.5 s.
    config = fakes.config(tmp_path, timeout=2.0, deadline_per_100=1.5 / 60)
    before = _facts(config.output)
    partial = pipeline.build([EXAMPLE], config, clock=FakeClock())
    found = DEADLINE_TEXT.search(partial.deadline)
    assert found and int(found["n"]) == sum(len(r.entries) for r in partial.references)
    assert partial.requests_by_host  # some were asked before the deadline
    assert partial.incomplete
    assert any("not asked: the run's deadline" in p for r in partial.incomplete for p in r.problems)
    after = _facts(config.output)
    assert after == before  # no entry degraded: every unasked work kept its entry
    done = pipeline.build(
        [EXAMPLE], replace(config, deadline_per_100=0.0), clock=FakeClock(), refresh=True
    )
    assert not done.incomplete and not done.deadline
    assert done.asked == sum(len(r.entries) for r in partial.incomplete)
    assert _facts(config.output) == _facts(good / "out" / "references.bib")


def test_the_cli_exits_5_naming_the_deadline_and_how_to_give_more_time(
    fakes: FakeServices, good: Path, tmp_path: Path
) -> None:
    """No previous bib: nothing is asked in time, every work is a marked placeholder; refresh
    with no deadline asks exactly those and writes the clean file."""
    out = tmp_path / "refs.bib"
    args = ("build", str(EXAMPLE), "-o", str(out), "--deadline-per-100", "0.00001")
    partial = _cli(fakes, tmp_path, "retries = 0", *args)
    assert partial.exit_code == EXIT_PARTIAL, partial.output
    line = partial.stderr.strip().splitlines()[-1]
    assert DEADLINE_TEXT.search(line) and "passed before" in line
    assert "--deadline-per-100 MINUTES" in line and "deadline_per_100" in line
    placeholders = set(re.findall(r"^@misc\{(\w+),", out.read_text("utf-8"), flags=re.M))
    assert placeholders
    refresh = ("refresh", str(EXAMPLE), "-o", str(out), "--deadline-per-100", "0")
    done = _cli(fakes, tmp_path, "retries = 0", *refresh)
    assert done.exit_code == EXIT_OK, done.output
    # The clean file, plus `ids` keeping the placeholders' keys citable.
    final = out.read_text(encoding="utf-8")
    expected = (good / "out" / "references.bib").read_text(encoding="utf-8")
    assert re.sub(r"^  ids = .*\n", "", final, flags=re.M) == expected


def test_help_and_readme_name_the_deadline() -> None:
    for command in ("build", "refresh"):
        shown = CliRunner().invoke(main, [command, "--help"]).output
        assert "--deadline-per-100 MINUTES" in shown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deadline_per_100" in readme and "request_deadline" in readme
