"""Runs that share one output: an offline build completed by an online one (one entry per work,
the placeholders' keys kept as `ids`), and another list's run between two runs of a list (its
placeholders keep their marks and state records; the list's rerun writes what it wrote alone)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.bibtex.parse import read_file
from list2bib.config import Config
from list2bib.works.state import state_path

BERT = "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
FIRST = f"""\
## Papers

- [{BERT}](https://aclanthology.org/N19-1423/) (NAACL 2019)
- [Toy Models of Superposition](https://transformer-circuits.pub/2022/toy_model/index.html) [2022.9]
- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) (NeurIPS 2017)
- [Long Short-Term Memory](https://doi.org/10.1162/neco.1997.9.8.1735)
"""
OTHER = """\
- [GPT-4 Technical Report](https://arxiv.org/abs/2303.08774)
- [Deep learning](https://doi.org/10.1038/nature14539)
"""
KEY = re.compile(r"^@\w+\{([^,]+),", flags=re.MULTILINE)
IDS = re.compile(r"^  ids = \{(.*)\},\n", flags=re.MULTILINE)
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # one day for every run: pages get one urldate


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as services:
        yield services


def lists(folder: Path) -> tuple[Path, Path]:
    first, other = folder / "first.md", folder / "other.md"
    first.write_text(FIRST, encoding="utf-8")
    other.write_text(OTHER, encoding="utf-8")
    return first, other


def build(config: Config, listed: Path) -> pipeline.BuildResult:
    return pipeline.build([listed], config, clock=FakeClock(), now=T0)


def state_of(config: Config) -> dict[str, object]:
    data: dict[str, object] = json.loads(state_path(config.output).read_text(encoding="utf-8"))
    return data


def test_an_offline_build_completed_online_leaves_one_entry_per_work(
    fakes: FakeServices, tmp_path: Path
) -> None:
    first, _ = lists(tmp_path)
    online = fakes.config(tmp_path / "alone")
    build(online, first)
    expected = online.output.read_text(encoding="utf-8")

    settings = fakes.config(tmp_path / "shared")
    build(replace(settings, offline=True), first)
    offline = settings.output.read_text(encoding="utf-8")
    placeholders = set(KEY.findall(offline))
    assert offline.count("% list2bib: unresolved") == len(placeholders) == 4

    result = build(settings, first)
    final = settings.output.read_text(encoding="utf-8")
    assert not result.kept
    assert KEY.findall(final) == KEY.findall(expected)  # one entry per work, the proper keys
    aliases = {a for line in IDS.findall(final) for a in line.split(", ")}
    assert aliases == placeholders - set(KEY.findall(final))  # every old key still citable
    assert IDS.sub("", final) == expected


def test_another_lists_run_keeps_the_marks_and_states_of_the_first(
    fakes: FakeServices, tmp_path: Path
) -> None:
    first, other = lists(tmp_path)
    alone = replace(fakes.config(tmp_path / "alone"), offline=True)
    build(alone, first)
    expected, expected_state = alone.output.read_text(encoding="utf-8"), state_of(alone)
    marks = expected.count("% list2bib: unresolved")
    assert marks == 4

    settings = replace(fakes.config(tmp_path / "shared"), offline=True)
    build(settings, first)
    result = build(settings, other)
    assert len(result.kept) == 4
    between = settings.output.read_text(encoding="utf-8")
    assert between.count("% list2bib: unresolved") == marks + 2  # the first list's and its own
    assert all(e.unverified for e in read_file(settings.output).entries)
    kept = state_of(settings)
    for part in ("works", "entries"):  # the first list's records stay, beside the other's
        assert expected_state[part].items() <= kept[part].items()  # type: ignore[attr-defined]

    again = build(settings, first)
    assert len(again.kept) == 2  # the other list's entries, in no list now
    text = settings.output.read_text(encoding="utf-8")
    others = {e.key for e in read_file(settings.output).entries} - set(KEY.findall(expected))
    assert len(others) == 2
    blocks = text.split("\n\n")
    mine = "\n\n".join(b for b in blocks if not any(f"{{{k}," in b for k in others))
    assert mine == expected
    rerun = state_of(settings)
    for part in ("works", "entries"):
        assert expected_state[part].items() <= rerun[part].items()  # type: ignore[attr-defined]
