"""Builds against services that throttle, time out, cut answers short and answer garbage.

Every fake can fail a seeded share of its requests (`FakeServer.fault_mode`) with every kind a
real service shows. Retries must turn such a run into the clean run's file; when retries run out,
good entries keep their previous content, the run names them and exits 5 (partial).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fakes import FAULT_KINDS, FakeClock, FakeServices
from list2bib import pipeline
from list2bib.cli import main
from list2bib.config import Config
from list2bib.errors import EXIT_PARTIAL
from list2bib.model import RunResult, Status, WorkKind
from synthetic import synthetic_list, synthetic_world

# 100 entries: 65 arXiv papers (5 of them by title alone), 25 DOIs, 10 blog pages.
SHAPE = {"arxiv": 65, "dois": 25, "titles": 5, "pages": 10}
TIMEOUT = 0.3  # the client's; a "timeout" fault holds the connection longer than this


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeServices]:
    world = synthetic_world(arxiv=SHAPE["arxiv"], dois=SHAPE["dois"], pages=SHAPE["pages"])
    with FakeServices(world) as services:
        services.stall_for(2 * TIMEOUT)
        yield services


@pytest.fixture(autouse=True)
def no_faults_left(fakes: FakeServices) -> Iterator[None]:
    yield
    fakes.clear_faults()


@pytest.fixture(scope="module")
def clean(fakes: FakeServices, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The list, and the bib a run without faults writes."""
    folder = tmp_path_factory.mktemp("clean")
    listed = synthetic_list(folder, **SHAPE)
    result = run(fakes, listed, config(fakes, folder))
    assert not result.incomplete
    assert all(r.status is Status.RESOLVED for r in result.references)
    return listed, Path(result.output).read_text(encoding="utf-8")


def config(fakes: FakeServices, folder: Path, **changes: object) -> Config:
    return fakes.config(folder, **{"timeout": TIMEOUT, "retries": 4, **changes})


def run(fakes: FakeServices, listed: Path, settings: Config) -> RunResult:
    return pipeline.build([listed], settings, clock=FakeClock())


def every_server_fails(fakes: FakeServices, share: float, seed: int, kinds: object = None) -> None:
    for n, server in enumerate(fakes.servers()):
        chosen = FAULT_KINDS if kinds is None else kinds
        server.fault_mode(share, seed=seed * 100 + n, kinds=chosen)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_two_faults_of_any_kind_on_every_service_change_nothing(
    fakes: FakeServices, clean: tuple[Path, str], tmp_path: Path, kind: str
) -> None:
    listed, expected = clean
    asked_before = {id(s): len(s.requests) for s in fakes.servers()}
    served_before = {id(s): s.faults_served[kind] for s in fakes.servers()}
    # A page cut short can only be suspected (HTML may leave out `</html>`): it is asked once
    # more and then taken, so the web gets one such fault, every API two.
    faults = {id(s): 1 if s is fakes.web and kind == "malformed" else 2 for s in fakes.servers()}
    for server in fakes.servers():
        server.fail_next(faults[id(server)], kind)
    result = run(fakes, listed, config(fakes, tmp_path))
    assert Path(result.output).read_text(encoding="utf-8") == expected
    assert not result.incomplete
    for server in fakes.servers():  # each server asked failed its first answers
        asked = len(server.requests) - asked_before[id(server)]
        assert server.faults_served[kind] - served_before[id(server)] == min(
            faults[id(server)], asked
        )
    assert sum(len(s.requests) - asked_before[id(s)] >= 3 for s in fakes.servers()) >= 4


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ten_percent_faults_everywhere_give_the_clean_file(
    fakes: FakeServices, clean: tuple[Path, str], tmp_path: Path, seed: int
) -> None:
    listed, expected = clean
    before = sum(sum(s.faults_served.values()) for s in fakes.servers())
    every_server_fails(fakes, 0.1, seed)
    result = run(fakes, listed, config(fakes, tmp_path))
    served = sum(sum(s.faults_served.values()) for s in fakes.servers()) - before
    assert served > 0, "the faults must have happened for the test to mean anything"
    assert Path(result.output).read_text(encoding="utf-8") == expected
    assert not result.incomplete


def test_when_retries_run_out_good_entries_keep_their_previous_content(
    fakes: FakeServices, clean: tuple[Path, str], tmp_path: Path
) -> None:
    listed, expected = clean
    settings = config(fakes, tmp_path, retries=1)
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    settings.output.write_text(expected, encoding="utf-8")
    for server in (fakes.arxiv, fakes.s2, fakes.crossref, fakes.doi):
        server.fault_mode(1.0, kinds={"503", "malformed", "reset"})
    fakes.web.fault_mode(1.0, kinds={"503", "html-200", "reset"})
    result = run(fakes, listed, settings)
    assert settings.output.read_text(encoding="utf-8") == expected
    assert len(result.incomplete) >= 90  # all but the title searches that DBLP answered
    kept = [r for r in result.incomplete if any("kept the previous entry" in p for p in r.problems)]
    assert len(kept) == len(result.incomplete)


def test_a_partial_run_is_completed_by_the_next_refresh(
    fakes: FakeServices, clean: tuple[Path, str], tmp_path: Path
) -> None:
    """No previous file: what could be checked is written, the rest is marked in the state and
    asked again by the next refresh, which then writes the clean file."""
    listed, expected = clean
    settings = config(fakes, tmp_path, retries=1)
    fakes.crossref.fault_mode(1.0, kinds={"503"})
    fakes.doi.fault_mode(1.0, kinds={"503"})
    partial = run(fakes, listed, settings)
    assert partial.incomplete
    text = settings.output.read_text(encoding="utf-8")
    assert text != expected
    saved = json.loads(Path(f"{settings.output}.list2bib.json").read_text(encoding="utf-8"))
    marked = [w for w in saved["works"].values() if w.get("incomplete")]
    assert len(marked) == len(partial.incomplete)

    fakes.crossref.fault_mode(0.0)
    fakes.doi.fault_mode(0.0)
    done = pipeline.build([listed], settings, clock=FakeClock(), refresh=True)
    assert not done.incomplete
    assert done.asked == len(partial.incomplete)
    # The clean file, plus `ids` keeping the placeholders' keys citable.
    final = settings.output.read_text(encoding="utf-8")
    aliases = re.findall(r"^  ids = \{(.*)\},$", final, flags=re.MULTILINE)
    placeholders = set(re.findall(r"^@misc\{(\w+),", text, flags=re.MULTILINE))
    assert aliases and {a for line in aliases for a in line.split(", ")} <= placeholders
    assert re.sub(r"^  ids = .*\n", "", final, flags=re.MULTILINE) == expected


def test_the_breaker_stops_asking_a_dead_service_and_others_stand_in(
    fakes: FakeServices, clean: tuple[Path, str], tmp_path: Path
) -> None:
    listed, _ = clean
    services = dict(fakes.service_configs(real_intervals=True))
    services["arxiv"] = replace(services["arxiv"], batch_size=5)  # 13 batches for 65 ids
    fakes.arxiv.fault_mode(1.0, kinds={"503"})
    fakes.arxiv.clear_log()
    result = run(fakes, listed, config(fakes, tmp_path, services=services))
    # Without the breaker: 13 batches x 5 attempts. With it: one batch's attempts and a few more.
    assert len(fakes.arxiv.requests) <= 6
    arxiv_works = [r for r in result.references if r.record.arxiv_id]
    assert len(arxiv_works) >= 60
    # Semantic Scholar's records of the preprints stand in: same titles and published versions.
    assert all(r.status is Status.RESOLVED for r in arxiv_works)
    assert sum(r.record.kind is WorkKind.PUBLISHED for r in arxiv_works) >= 20


def cli(fakes: FakeServices, tmp_path: Path, *args: str) -> Result:
    env, config = fakes.cli_settings(tmp_path, network="retries = 0\ntimeout = 1")
    return CliRunner().invoke(main, [*args, "--config", str(config)], env=env)


def test_the_cli_exits_5_on_a_partial_run_and_names_the_works(
    fakes: FakeServices, clean: tuple[Path, str], tmp_path: Path
) -> None:
    listed, expected = clean
    out, report = tmp_path / "refs.bib", tmp_path / "review.json"
    out.write_text(expected, encoding="utf-8")
    fakes.crossref.fault_mode(1.0, kinds={"503"})
    fakes.doi.fault_mode(1.0, kinds={"503"})
    result = cli(fakes, tmp_path, "build", str(listed), "-o", str(out), "--report", str(report))
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "partial run" in result.stderr
    assert out.read_text(encoding="utf-8") == expected
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["incomplete"]
    flagged = [w["key"] for t in data["topics"] for w in t["works"] if w["incomplete"]]
    assert sorted(set(flagged)) == data["incomplete"]
