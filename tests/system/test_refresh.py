"""Refresh end to end against the local fakes: only what changed is asked, keys never move, hand
edits survive, merges keep every citable key, --prune, TTL re-checks, --changes, crash safety."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fakes import FakeArxiv, FakeClock, FakeDoi, World
from list2bib import pipeline
from list2bib.bibtex.parse import read_entries
from list2bib.config import Config, ServiceConfig
from list2bib.works.renames import renames_path
from list2bib.works.state import load, state_path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "papers.md"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

LIST = """\
## Papers

- [Locating and Editing Factual Associations in GPT](https://arxiv.org/abs/2202.05262)
- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)
- [Long Short-Term Memory](https://doi.org/10.1162/neco.1997.9.8.1735)
- [Toy Models of Superposition](https://transformer-circuits.pub/2022/toy_model/index.html)
"""
NEW_FIRST = "- [Deep Residual Learning for Image Recognition](http://arxiv.org/abs/1512.03385v1)\n"


@dataclass
class Services:
    arxiv: FakeArxiv
    doi: FakeDoi

    def config(self, tmp_path: Path, **changes: object) -> Config:
        services = {
            "arxiv": ServiceConfig(self.arxiv.base_url, 3.0, 100),
            "doi": ServiceConfig(self.doi.base_url, 0.2),
            "crossref": ServiceConfig(self.doi.crossref.base_url, 0.2),
            "datacite": ServiceConfig(self.doi.datacite.base_url, 0.3),
        }
        config = Config(
            output=tmp_path / "out" / "references.bib",
            cache_dir=tmp_path / "cache",
            services=services,
            mailto="tester@example.org",
            retries=2,
        )
        return replace(config, **changes)  # type: ignore[arg-type]

    def requests(self) -> int:
        return len(self.arxiv.requests) + len(self.doi.requests)


@pytest.fixture
def services() -> Iterator[Services]:
    world = World.load()
    with FakeArxiv(world) as arxiv, FakeDoi(world) as doi:
        yield Services(arxiv, doi)


def write_list(tmp_path: Path, text: str = LIST) -> Path:
    path = tmp_path / "papers.md"
    path.write_text(text, encoding="utf-8")
    return path


def run(
    config: Config, lists: Path, *, when: datetime = T0, **kwargs: object
) -> pipeline.BuildResult:
    return pipeline.build([lists], config, clock=FakeClock(), now=when, **kwargs)  # type: ignore[arg-type]


def keys_by_identity(path: Path) -> dict[str, str]:
    return {
        (e.fields.get("eprint") or e.fields.get("doi") or e.fields.get("url", "")): e.key
        for e in read_entries(path)
    }


def test_second_refresh_is_byte_identical_and_asks_nobody(
    services: Services, tmp_path: Path
) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    first = run(config, lists, refresh=True)
    assert first.written and first.asked == 4
    bib, sidecar = config.output.read_bytes(), state_path(config.output).read_bytes()
    services.arxiv.clear_log()
    services.doi.clear_log()
    second = run(config, lists, refresh=True, when=T0 + timedelta(hours=1))
    assert not second.written and second.asked == 0
    assert sum(second.requests_by_host.values()) == 0 and services.requests() == 0
    assert config.output.read_bytes() == bib
    assert state_path(config.output).read_bytes() == sidecar
    assert [c for c in second.changes if c.kind != "kept"] == []


def test_build_twice_keeps_the_state_file_identical(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    run(config, EXAMPLE)
    sidecar = state_path(config.output).read_bytes()
    run(config, EXAMPLE, when=T0 + timedelta(days=3))
    assert state_path(config.output).read_bytes() == sidecar


def test_a_warm_refresh_works_without_the_http_cache(services: Services, tmp_path: Path) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    run(config, lists, refresh=True)
    before = config.output.read_bytes()
    shutil.rmtree(config.cache_dir)
    services.arxiv.clear_log()
    services.doi.clear_log()
    result = run(config, lists, refresh=True, when=T0 + timedelta(hours=2))
    assert result.asked == 0 and services.requests() == 0
    assert config.output.read_bytes() == before


def test_only_a_new_entry_is_resolved_and_old_keys_stay(services: Services, tmp_path: Path) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    run(config, lists, refresh=True)
    keys = keys_by_identity(config.output)
    write_list(tmp_path, LIST.replace("## Papers\n\n", "## Papers\n\n" + NEW_FIRST))
    services.arxiv.clear_log()
    result = run(config, lists, refresh=True, when=T0 + timedelta(hours=1))
    assert result.asked == 1
    asked = [r.query.get("id_list", "") for r in services.arxiv.requests]
    assert asked == ["1512.03385"]
    after = keys_by_identity(config.output)
    assert {k: v for k, v in after.items() if k in keys} == keys
    assert [c.key for c in result.changes if c.kind == "added"] == [after["1512.03385"]]


def test_keys_survive_a_lost_cache_and_state(services: Services, tmp_path: Path) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    run(config, lists)
    keys = keys_by_identity(config.output)
    shutil.rmtree(config.cache_dir)
    state_path(config.output).unlink()
    write_list(tmp_path, LIST.replace("## Papers\n\n", "## Papers\n\n" + NEW_FIRST))
    run(config, lists)
    after = keys_by_identity(config.output)
    assert {k: v for k, v in after.items() if k in keys} == keys


def edit(path: Path, key: str, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    head = text.index("{" + key + ",")
    end = text.index("\n}\n", head)
    block = text[head:end]
    assert old in block, block
    path.write_text(text[:head] + block.replace(old, new) + text[end:], encoding="utf-8")


def test_a_hand_edited_field_survives_and_is_reported(services: Services, tmp_path: Path) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    run(config, lists, refresh=True)
    edit(
        config.output,
        "vaswani2017attention",
        "  title = {",
        "  note = {Transformers},\n  title = {",
    )
    edit(config.output, "vaswani2017attention", "Attention Is All", "Attention is all")
    settled: list[bytes] = []
    for when, kwargs in ((1, {"refresh": True}), (2, {}), (3, {"refresh": True})):
        result = run(config, lists, when=T0 + timedelta(days=when), **kwargs)
        entry = {e.key: e for e in read_entries(config.output)}["vaswani2017attention"]
        assert entry.fields["note"] == "Transformers"
        assert entry.fields["title"].startswith("Attention is all")
        changes = [c for c in result.changes if c.kind == "edited"]
        assert [(c.key, c.fields) for c in changes] == [("vaswani2017attention", ("note", "title"))]
        settled.append(config.output.read_bytes())
    # The first run puts the user's field in the fixed order; after that nothing moves.
    assert settled[0] == settled[1] == settled[2]


def test_entries_in_no_list_are_kept_or_pruned(services: Services, tmp_path: Path) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    config.output.parent.mkdir(parents=True)
    config.output.write_text("@book{knuth1984,\n  title = {The TeXbook},\n}\n", encoding="utf-8")
    kept = run(config, lists)
    assert kept.kept == ("knuth1984",) and "knuth1984" in keys_by_identity(config.output).values()
    assert [c.key for c in kept.changes if c.kind == "kept"] == ["knuth1984"]
    pruned = run(replace(config, prune=True), lists, changes=tmp_path / "changes.json")
    assert pruned.removed == ("knuth1984",)
    assert "knuth1984" not in {e.key for e in read_entries(config.output)}
    report = json.loads((tmp_path / "changes.json").read_text(encoding="utf-8"))
    assert report["counts"]["removed"] == 1
    assert [c["key"] for c in report["changes"] if c["kind"] == "removed"] == ["knuth1984"]


TWO_OF_ONE = """\
@misc{valero2017preprint,
  title = {On Neuromechanical Approaches for the Study of Biological Grasp and Manipulation},
  eprint = {1710.08557},
  archivePrefix = {arXiv},
}

@article{vcjournal,
  title = {On neuromechanical approaches for the study of biological and robotic grasp and
    manipulation},
  doi = {10.1186/s12984-017-0305-3},
}
"""


def test_two_existing_entries_of_one_work_merge_and_keep_both_keys(
    services: Services, tmp_path: Path
) -> None:
    config = services.config(tmp_path)
    lists = write_list(tmp_path, "## Survey\n\n- [x](https://arxiv.org/pdf/1710.08557)\n")
    config.output.parent.mkdir(parents=True)
    config.output.write_text(TWO_OF_ONE, encoding="utf-8")
    result = run(config, lists, changes=tmp_path / "changes.md")
    entries = {e.key: e for e in read_entries(config.output)}
    assert set(entries) == {"valero2017preprint"}  # the survivor keeps its key
    assert entries["valero2017preprint"].fields["ids"] == "vcjournal"
    assert entries["valero2017preprint"].entry_type == "article"
    renames = json.loads(renames_path(config.output).read_text(encoding="utf-8"))
    assert renames == {"vcjournal": "valero2017preprint"}
    kinds = {c.kind for c in result.changes}
    assert {"merged", "upgraded"} <= kinds
    markdown = (tmp_path / "changes.md").read_text(encoding="utf-8")
    assert "## Merged" in markdown and "was vcjournal" in markdown
    assert "## Upgraded to the published version" in markdown
    before = config.output.read_bytes()
    run(config, lists)  # the alias stays, and the run is stable
    assert config.output.read_bytes() == before
    assert json.loads(renames_path(config.output).read_text(encoding="utf-8")) == renames


def test_preprints_are_rechecked_after_the_ttl_with_the_cache_bypassed(
    services: Services, tmp_path: Path
) -> None:
    config, lists = services.config(tmp_path, unresolved_days=100.0), write_list(tmp_path)
    run(config, lists, refresh=True)
    services.arxiv.clear_log()
    soon = run(config, lists, refresh=True, when=T0 + timedelta(days=6))
    assert soon.asked == 0 and services.arxiv.requests == []
    later = run(config, lists, refresh=True, when=T0 + timedelta(days=8))
    # Meng and Vaswani are preprints in the fixture world (LSTM is published; the web page waits
    # for its own TTL): two re-checks, in one arXiv request that bypasses the warm cache.
    assert later.asked == 2
    assert len(services.arxiv.requests) == 1
    assert "2202.05262" in services.arxiv.requests[0].query.get("id_list", "")
    again = run(config, lists, refresh=True, when=T0 + timedelta(days=8, hours=1))
    assert again.asked == 0


def test_unresolved_entries_are_retried_after_their_ttl(services: Services, tmp_path: Path) -> None:
    config, lists = services.config(tmp_path, preprint_days=100.0), write_list(tmp_path)
    run(config, lists, refresh=True)
    assert run(config, lists, refresh=True, when=T0 + timedelta(hours=12)).asked == 0
    assert run(config, lists, refresh=True, when=T0 + timedelta(days=2)).asked == 1


def test_check_writes_nothing_and_says_whether_the_file_would_change(
    services: Services, tmp_path: Path
) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    first = run(config, lists, check=True)
    assert first.would_change and not config.output.exists()
    assert not state_path(config.output).exists()
    run(config, lists)
    assert not run(config, lists, refresh=True, check=True).would_change
    write_list(tmp_path, LIST + NEW_FIRST)
    before = config.output.read_bytes()
    assert run(config, lists, refresh=True, check=True).would_change
    assert config.output.read_bytes() == before


def test_key_pattern_applies_to_new_works_only(services: Services, tmp_path: Path) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    run(config, lists)
    write_list(tmp_path, LIST + NEW_FIRST)
    run(replace(config, key_pattern="{Auth}{yy}{Shorttitle2}"), lists)
    keys = keys_by_identity(config.output)
    assert keys["1512.03385"] == "He15DeepResidual"
    assert keys["2202.05262"] == "meng2022locating"


def test_the_state_records_what_was_written(services: Services, tmp_path: Path) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    run(config, lists)
    saved = load(state_path(config.output))
    written = {w.key: w.written for w in saved.works.values()}
    entries = {e.key: e.fields for e in read_entries(config.output)}
    assert written == entries
    assert len(saved.entries) == 4


CHILD = """
import os, sys
from datetime import datetime, UTC
from pathlib import Path
sys.path.insert(0, {tests!r})
from fakes import FakeClock
from list2bib import pipeline
from list2bib.config import Config

real_fsync = os.fsync
def stuck_fsync(fd):
    print("writing", flush=True)
    sys.stdin.read()  # held here, mid-write, until killed
    real_fsync(fd)
os.fsync = stuck_fsync
config = Config(output=Path({output!r}), cache_dir=Path({cache!r}), offline=True)
pipeline.build([{lists!r}], config, clock=FakeClock())
"""


def test_a_refresh_killed_during_the_write_leaves_the_old_file(
    services: Services, tmp_path: Path
) -> None:
    config, lists = services.config(tmp_path), write_list(tmp_path)
    run(config, lists)
    before = config.output.read_bytes()
    write_list(tmp_path, LIST + NEW_FIRST)  # the child has something new to write
    code = CHILD.format(
        tests=str(ROOT / "tests"),
        output=str(config.output),
        cache=str(config.cache_dir),
        lists=str(lists),
    )
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert config.output.read_bytes() == before
    result = run(config, lists)  # the next run is not blocked by the dead one's lock
    assert result.written
