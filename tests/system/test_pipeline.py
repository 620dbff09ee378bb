"""End to end: a list through the local fake services to references.bib (golden file), run twice,
keys kept from an existing file, failing services, bad input that must not touch the output."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.bibtex.parse import read_entries
from list2bib.config import Config
from list2bib.errors import InputError
from list2bib.model import RunResult, Status, WorkKind

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "papers.md"
GOLDEN = ROOT / "tests" / "data" / "golden" / "papers.bib"


Services = FakeServices


@pytest.fixture
def services() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as fakes:
        yield fakes


def build(config: Config, *lists: Path) -> RunResult:
    return pipeline.build(list(lists or [EXAMPLE]), config, clock=FakeClock())


def test_example_list_matches_the_golden_file(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the list's path, as given, is part of the file's comments
    config = services.config(tmp_path)
    # a fixed day: the web page's urldate is the day it was read
    day = datetime(2026, 1, 5, tzinfo=UTC)
    result = pipeline.build([Path("examples/papers.md")], config, clock=FakeClock(), now=day)
    text = config.output.read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert result.written
    kinds = {ref.key: (ref.status, ref.record.kind) for ref in result.references}
    # Semantic Scholar places it at NeurIPS: the published entry, arXiv fields kept.
    assert kinds["meng2022locating"] == (Status.RESOLVED, WorkKind.PUBLISHED)
    # arXiv names the journal DOI: the published record is written, the arXiv fields kept.
    assert kinds["valerocuevas2017neuromechanical"] == (Status.RESOLVED, WorkKind.PUBLISHED)
    assert kinds["elhage2022toy"] == (Status.RESOLVED, WorkKind.WEB)  # from its own metadata


def test_one_arxiv_request_for_the_whole_list(services: Services, tmp_path: Path) -> None:
    result = build(services.config(tmp_path))
    assert result.requests_by_host[services.arxiv.host] == 1
    asked = services.arxiv.requests[0].query
    assert int(asked["max_results"]) >= len(asked["id_list"].split(","))
    # Every DOI once: the list's own and those arXiv announced; none twice.
    paths = [r.path for r in services.doi.requests]
    assert len(paths) == len(set(paths))


def test_second_run_is_byte_identical_and_makes_no_request(
    services: Services, tmp_path: Path
) -> None:
    config = services.config(tmp_path)
    first = build(config)
    before = config.output.read_bytes()
    second = build(config)
    assert config.output.read_bytes() == before
    assert not second.written
    assert second.requests_by_host == {}
    assert [r.key for r in first.references] == [r.key for r in second.references]


def test_a_listed_twice_paper_is_one_entry_with_both_topics(
    services: Services, tmp_path: Path
) -> None:
    result = build(services.config(tmp_path))
    lora = [ref for ref in result.references if ref.record.arxiv_id == "2106.09685"]
    assert len(lora) == 1
    assert lora[0].topics == ("Papers", "Foundations")
    assert len(lora[0].entries) == 2


def test_keys_in_an_existing_file_are_kept(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    config.output.parent.mkdir(parents=True)
    config.output.write_text(
        "@misc{rome,\n  title = {Locating and Editing},\n  eprint = {2202.05262v5},\n"
        "  archivePrefix = {arXiv},\n}\n\n"
        "@article{lstm97,\n  title = {LSTM},\n  doi = {10.1162/NECO.1997.9.8.1735},\n}\n",
        encoding="utf-8",
    )
    build(config)
    keys = {e.key: e.fields for e in read_entries(config.output)}
    assert keys["rome"]["eprint"] == "2202.05262"
    assert keys["lstm97"]["doi"] == "10.1162/neco.1997.9.8.1735"
    assert "meng2022locating" not in keys and "hochreiter1997long" not in keys


def test_keys_survive_new_entries_and_a_lost_cache(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    build(config)
    first = {
        e.key: e.fields.get("eprint") or e.fields.get("doi") for e in read_entries(config.output)
    }
    extra = tmp_path / "first.md"
    extra.write_text(
        "## New\n\nLocating and Editing Factual Associations in GPT, again [[pdf]"
        "(https://arxiv.org/abs/2202.05262v1)]\n\n"
        "Deep Residual Learning. [[pdf](https://arxiv.org/abs/1512.03385)]\n",
        encoding="utf-8",
    )
    shutil.rmtree(config.cache_dir)
    build(config, extra, EXAMPLE)
    second = {
        e.key: e.fields.get("eprint") or e.fields.get("doi") for e in read_entries(config.output)
    }
    assert second == first


def test_arxiv_down_the_rest_still_resolves(services: Services, tmp_path: Path) -> None:
    # arXiv, and every other way to its papers (DataCite via doi.org, Semantic Scholar), down.
    for server in (services.arxiv, services.doi, services.s2):
        server.fail_next(100, "503")
    result = build(services.config(tmp_path))
    by_key = {ref.key: ref for ref in result.references}
    godel = by_key["godel1931uber"]
    assert godel.status is Status.RESOLVED
    meng = next(r for r in result.references if "2202.05262" in (r.record.url or ""))
    assert meng.status is Status.UNRESOLVED
    assert any("arxiv:2202.05262" in p and "503" in p for p in meng.problems)
    assert meng.record.title == "Locating and Editing Factual Associations in GPT"
    assert result.written  # the run completes and writes what it has


def test_throttled_arxiv_is_retried(services: Services, tmp_path: Path) -> None:
    services.arxiv.fail_next(1, "rate-exceeded-200")
    services.arxiv.fail_next(1, "429")
    result = build(services.config(tmp_path))
    assert all(r.status is Status.RESOLVED for r in result.references if r.record.arxiv_id)
    assert len(services.arxiv.requests) == 3


def test_offline_with_an_empty_cache_asks_nobody(services: Services, tmp_path: Path) -> None:
    result = build(services.config(tmp_path, offline=True))
    assert result.requests_by_host == {}
    assert services.arxiv.requests == [] and services.doi.requests == []
    assert all(r.status is Status.UNRESOLVED for r in result.references)


def test_offline_after_a_run_gives_the_same_file(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    build(config)
    before = config.output.read_bytes()
    config.output.unlink()
    build(replace(config, offline=True))
    assert config.output.read_bytes() == before


def test_broken_existing_bib_is_an_error_and_left_alone(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    config.output.parent.mkdir(parents=True)
    broken = "@article{ok,\n  title = {Fine},\n}\n\n@article{bad,\n  title = {Unclosed,\n"
    config.output.write_text(broken, encoding="utf-8")
    with pytest.raises(InputError) as err:
        build(config)
    assert str(config.output) in str(err.value)
    assert config.output.read_text(encoding="utf-8") == broken
    assert services.arxiv.requests == []


def test_unreadable_list_stops_before_any_request(services: Services, tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"## Papers\n\nA title \xff\xfe. [[pdf](https://arxiv.org/abs/2202.05262)]\n")
    config = services.config(tmp_path)
    with pytest.raises(InputError, match=r"bad\.md:3"):
        build(config, bad)
    assert not config.output.exists()
    assert services.arxiv.requests == []


def test_an_outage_keeps_the_previous_entries(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    build(config)
    before = config.output.read_text(encoding="utf-8")
    shutil.rmtree(config.cache_dir)  # a new machine: nothing cached, and arXiv is down
    for server in (services.arxiv, services.doi, services.s2):
        server.fail_next(100, "503")
    result = build(config)
    assert config.output.read_text(encoding="utf-8") == before  # nothing degraded
    meng = next(r for r in result.references if r.key == "meng2022locating")
    assert meng.status is Status.UNRESOLVED
    assert any("kept the previous entry" in p for p in meng.problems)


def test_entries_no_list_produces_are_kept_verbatim(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    config.output.parent.mkdir(parents=True)
    mine = (
        "@article{knuth1984,\n  author = {Knuth, Donald E.},\n  title = {Literate Programming},\n"
        "  journal = cj,\n  year = 1984,\n  month = may,\n}"
    )
    config.output.write_text(
        '@string{cj = "The Computer Journal"}\n\n% my own comment\n' + mine + "\n",
        encoding="utf-8",
    )
    result = build(config)
    text = config.output.read_text(encoding="utf-8")
    assert mine in text
    assert '@string{cj = "The Computer Journal"}' in text
    assert text.index("@string") < text.index("@article{knuth1984")
    assert result.kept == ("knuth1984",)
    assert {e.key for e in read_entries(config.output)} >= {"knuth1984", "meng2022locating"}


def test_a_placeholder_key_is_not_pinned(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    config.output.parent.mkdir(parents=True)
    config.output.write_text(
        "% list2bib: unresolved - built from papers.md:8, not verified\n"
        "@misc{locating2022,\n  title = {Locating and Editing Factual Associations in GPT},\n"
        "  url = {https://arxiv.org/pdf/2202.05262.pdf},\n}\n",
        encoding="utf-8",
    )
    build(config)
    keys = {e.key for e in read_entries(config.output)}
    assert "meng2022locating" in keys and "locating2022" not in keys


def test_prepare_writes_nothing_and_a_build_writes_the_sidecars(
    services: Services, tmp_path: Path
) -> None:
    config = services.config(tmp_path)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    prepared = pipeline.prepare([EXAMPLE], config, clock=FakeClock(), now=when)
    assert not config.output.parent.exists()
    assert prepared.asked > 0 and prepared.state_text.startswith("{")
    result = pipeline.build([EXAMPLE], config, clock=FakeClock(), now=when)
    assert result.written and result.would_change
    assert (config.output.parent / "references.bib.list2bib.json").read_text(
        encoding="utf-8"
    ) == prepared.state_text
    assert not (config.output.parent / "references.bib.renames.json").exists()  # nothing renamed
    assert not (config.output.parent / "references.bib.lock").exists()  # released and removed


def test_the_example_never_merges_look_alike_titles(services: Services, tmp_path: Path) -> None:
    result = build(services.config(tmp_path))
    keys = {ref.key for ref in result.references}
    assert {"meng2022locating", "sharma2024locating"} <= keys  # "... in GPT" / "... in Mamba"


def test_a_placeholder_first_in_the_file_keeps_its_mark_run_after_run(
    services: Services, tmp_path: Path
) -> None:
    listed = tmp_path / "l.md"
    listed.write_text(
        "# L\n\n## A\n\n- Aardvark Studies Nobody Wrote. [2021]\n"
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n",
        encoding="utf-8",
    )
    config = services.config(tmp_path, offline=True)
    build(config, listed)
    first = config.output.read_text(encoding="utf-8")
    assert first.count("% list2bib: unresolved") == 2
    build(config, listed)
    assert config.output.read_text(encoding="utf-8") == first


def test_the_users_comments_survive(services: Services, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    build(config)
    text = config.output.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines.insert(2, "% a note before the first entry")
    config.output.write_text(
        "\n".join(lines) + "\n% a trailing note\n@comment{KEEP ME}\n", encoding="utf-8"
    )
    build(config)
    after = config.output.read_text(encoding="utf-8")
    for kept in ("% a note before the first entry", "% a trailing note", "@comment{KEEP ME}"):
        assert kept in after
    assert after.count("Written by list2bib") == 1
    build(config)
    assert config.output.read_text(encoding="utf-8") == after


def test_fields_of_the_users_own_bib_survive_without_a_state_file(
    services: Services, tmp_path: Path
) -> None:
    listed = tmp_path / "l.md"
    listed.write_text(
        "# L\n\n## A\n\n- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n",
        encoding="utf-8",
    )
    config = services.config(tmp_path)
    config.output.parent.mkdir(parents=True)
    config.output.write_text(
        "@inproceedings{Vaswani17,\n  title = {Attention is all you need},\n"
        "  author = {Vaswani, Ashish},\n  note = {Seminal; read twice},\n"
        "  file = {papers/vaswani.pdf},\n  eprint = {1706.03762},\n  archivePrefix = {arXiv},\n}\n",
        encoding="utf-8",
    )
    for _ in range(3):
        build(config, listed)
        text = config.output.read_text(encoding="utf-8")
        assert "@inproceedings{Vaswani17," in text
        assert "note = {Seminal; read twice}" in text
        assert "file = {papers/vaswani.pdf}" in text
        assert "booktitle = {Advances in Neural Information Processing Systems}" in text
