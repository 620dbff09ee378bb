"""Monotone knowledge: starting from a good bib, builds and refreshes with half of all requests
failing (every fault kind, several seeds) change no entry's type, DOI, eprint, venue or year;
a work a failing run cannot confirm keeps its entry, is named, and the run is partial."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.bibtex.parse import read_file
from list2bib.config import Config
from list2bib.model import Person, Record, WorkKind
from list2bib.works.monotone import entry_facts, lost_facts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "papers.md"
TIMEOUT = 0.3


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as services:
        services.stall_for(2 * TIMEOUT)
        yield services


@pytest.fixture(autouse=True)
def no_faults_left(fakes: FakeServices) -> Iterator[None]:
    yield
    fakes.clear_faults()


def _config(fakes: FakeServices, folder: Path) -> Config:
    return fakes.config(folder, timeout=TIMEOUT, retries=2)


@pytest.fixture(scope="module")
def good(fakes: FakeServices, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a clean build: its bib and state, the good file every test starts from."""
    folder = tmp_path_factory.mktemp("good")
    result = pipeline.build([EXAMPLE], _config(fakes, folder), clock=FakeClock())
    assert result.written and not result.incomplete
    return folder


def _facts(bib: Path) -> dict[str, dict[str, str]]:
    return {e.key: entry_facts(e.entry_type, e.fields) for e in read_file(bib).entries}


SERVICES = ["FakeArxiv", "FakeDoi", "FakeCrossref", "FakeDataCite", "FakeS2", "FakeDblp",
            "FakeOpenReview", "FakeAcl", "FakeWeb"]  # fmt: skip


@pytest.mark.parametrize("refresh", [False, True], ids=["build", "refresh"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_half_of_all_requests_failing_changes_no_verified_fact(
    fakes: FakeServices, good: Path, tmp_path: Path, seed: int, refresh: bool
) -> None:
    for n, server in enumerate(fakes.servers()):
        server.fault_mode(0.5, seed=seed * 100 + n)
    _run_from_the_good_file(fakes, good, tmp_path, refresh=refresh)


@pytest.mark.parametrize("down", SERVICES)
def test_a_service_that_is_down_changes_no_verified_fact(
    fakes: FakeServices, good: Path, tmp_path: Path, down: str
) -> None:
    servers = [s for s in fakes.servers() if type(s).__name__ == down]
    for server in servers:
        server.fault_mode(1.0, kinds=("503",))
    result = _run_from_the_good_file(fakes, good, tmp_path, refresh=False)
    if any(server.faults_served["503"] for server in servers):
        assert result.incomplete or not result.written  # a run that lacked a service says so


def _run_from_the_good_file(
    fakes: FakeServices, good: Path, tmp_path: Path, *, refresh: bool
) -> pipeline.BuildResult:
    shutil.copytree(good / "out", tmp_path / "out")  # the good bib and its state; no cache
    config = _config(fakes, tmp_path)
    before = _facts(config.output)
    result = pipeline.build([EXAMPLE], config, clock=FakeClock(), refresh=refresh)
    after = _facts(config.output)
    assert set(after) >= set(before)  # no entry lost
    changed = {
        key: (before[key], after[key])
        for key in before
        if {k: v for k, v in before[key].items() if k != "authors"}
        != {k: v for k, v in after[key].items() if k != "authors"}
    }
    assert not changed, changed
    held = [r for r in result.references if r.incomplete]
    assert all(ref.problems for ref in held)  # each is named with why
    for ref in held:
        if ref.key in before and before[ref.key] != after[ref.key]:
            raise AssertionError(f"{ref.key} changed although held")
    return result


def test_a_healthy_run_after_a_failing_one_is_the_clean_file(
    fakes: FakeServices, good: Path, tmp_path: Path
) -> None:
    shutil.copytree(good / "out", tmp_path / "out")
    config = _config(fakes, tmp_path)
    for n, server in enumerate(fakes.servers()):
        server.fault_mode(0.5, seed=7 + n)
    pipeline.build([EXAMPLE], config, clock=FakeClock())
    for server in fakes.servers():
        server.fault_mode(0.0)
    healthy = pipeline.build([EXAMPLE], config, clock=FakeClock(), refresh=True)
    assert not healthy.incomplete
    assert _facts(config.output) == _facts(good / "out" / "references.bib")


VERIFIED = {"type": "published", "doi": "10.1/x", "eprint": "2101.00001", "venue": "iclr",
            "year": "2024", "authors": "2"}  # fmt: skip
AUTHORS = (Person("Doe", "Jane"), Person("Roe", "Rick"))


def test_what_counts_as_a_lost_fact() -> None:
    same = Record("dblp", "inproceedings", "T", AUTHORS, "2024", doi="10.1/X",
                  arxiv_id="2101.00001v2", venue={"booktitle": "ICLR"})  # fmt: skip
    assert lost_facts(VERIFIED, same) == []
    earlier = Record("s2", "inproceedings", "T", AUTHORS, "2023", doi="10.1/x",
                     arxiv_id="2101.00001", venue={"booktitle": "ICLR"})  # fmt: skip
    assert lost_facts(VERIFIED, earlier) == ["year '2024' -> '2023'"]
    page = Record("page", "misc", "T", (), None, kind=WorkKind.WEB)
    assert {f.split()[0] for f in lost_facts(VERIFIED, page)} == {
        "type",
        "doi",
        "eprint",
        "venue",
        "year",
        "authors",
    }


def test_a_preprint_found_published_is_an_upgrade() -> None:
    preprint = {"type": "preprint", "doi": "10.48550/arxiv.2101.00001", "eprint": "2101.00001",
                "venue": "", "year": "2021", "authors": "2"}  # fmt: skip
    published = Record("dblp", "inproceedings", "T", AUTHORS, "2022", doi="10.1/x",
                       arxiv_id="2101.00001", venue={"booktitle": "ICLR"})  # fmt: skip
    assert lost_facts(preprint, published) == []
    other = Record("dblp", "inproceedings", "T", AUTHORS, "2022", doi="10.1/x",
                   arxiv_id="2202.00002", venue={"booktitle": "ICLR"})  # fmt: skip
    assert lost_facts(preprint, other)  # another eprint is no upgrade
