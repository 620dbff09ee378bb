"""A team-written list full of traps, through every fake service: zero wrong matches.

`tests/data/lists/lookalikes.md` has look-alike titles ("... in GPT" / "... in Mamba", "Larger
language models do in-context learning differently" / "Why Larger ..."), a project page that links
its paper and one that links another paper, blogs, OpenReview forums (accepted, journal, rejected),
titles without links, a PDF link, wrong venue hints, and a paper that exists nowhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.cli import main
from list2bib.model import Reference, RunResult, Status, WorkKind
from list2bib.report.review import status_of

LIST = Path(__file__).parents[1] / "data" / "lists" / "lookalikes.md"

# list line -> (world work it must resolve to, or None; the status the report gives it)
EXPECTED: dict[int, tuple[str | None, str]] = {
    12: ("meng2022locating", "published"),
    13: ("sharma2024locating", "preprint"),
    14: ("sharma2024locating", "preprint"),  # title only: the Mamba paper, not the GPT one
    15: ("meng2022locating", "published"),  # project page linking its own paper
    16: (None, "web"),  # project page linking ANOTHER paper: stays a page
    17: ("dai2022knowledge", "published"),
    21: ("wei2023larger", "preprint"),
    22: ("shi2024why", "published"),
    23: ("wei2022chain", "published"),
    24: ("vaswani2017attention", "published"),
    25: ("lightman2023lets", "published"),
    26: ("wei2022emergent", "published"),
    27: ("openreview2025submitted", "preprint"),  # rejected: never called published
    33: ("elhage2022toy", "web"),
    34: ("elhage2021mathematical", "web"),
    35: ("olah2017feature", "published"),
    36: ("weng2023prompt", "web"),
    37: ("nostalgebraist2020logit", "web"),
    41: ("hochreiter1997long", "published"),
    42: ("devlin2019bert", "published"),
    43: ("kingma2015adam", "published"),
    44: ("lecun2015deep", "published"),
    45: (None, "unresolved"),
}


@pytest.fixture(scope="module")
def world() -> World:
    return World.load()


@pytest.fixture
def fakes(world: World) -> Iterator[FakeServices]:
    with FakeServices(world) as services:
        yield services


def build(fakes: FakeServices, tmp_path: Path, **changes: object) -> RunResult:
    return pipeline.build([LIST], fakes.config(tmp_path, **changes), clock=FakeClock())


def by_line(result: RunResult) -> dict[int, Reference]:
    return {entry.line: ref for ref in result.references for entry in ref.entries}


def belongs_to(ref: Reference, work: dict[str, object]) -> bool:
    """Whether the record carries an identity of this world work (and none of another)."""
    record = ref.record
    arxiv = work.get("arxiv")
    crossref = work.get("crossref")
    openreview = work.get("openreview")
    pages = work.get("web") or []
    if record.arxiv_id and isinstance(arxiv, dict):
        return record.arxiv_id == arxiv["id"]
    if record.doi and isinstance(crossref, dict):
        return record.doi.lower() == str(crossref["doi"]).lower()
    if record.openreview_id and isinstance(openreview, dict):
        return record.openreview_id == openreview["id"]
    if record.url and isinstance(pages, list):
        parts = urlsplit(record.url)
        return any(f"/{parts.netloc}{parts.path}".rstrip("/") == p["path"].rstrip("/")
                   for p in pages if isinstance(p, dict))  # fmt: skip
    return record.title == work["title"]


def test_every_entry_is_the_paper_it_names_or_is_reported(
    fakes: FakeServices, tmp_path: Path, world: World
) -> None:
    lines = by_line(build(fakes, tmp_path))
    assert sorted(lines) == sorted(EXPECTED)
    wrong = []
    for line, (key, status) in EXPECTED.items():
        ref = lines[line]
        if status_of(ref) != status:
            wrong.append(f"line {line}: {status_of(ref)} instead of {status}")
        if key is not None and not belongs_to(ref, world.work(key)):
            wrong.append(f"line {line}: {ref.record.title!r} is not {key}")
    assert wrong == []


def test_look_alikes_stay_apart(fakes: FakeServices, tmp_path: Path) -> None:
    lines = by_line(build(fakes, tmp_path))
    assert lines[12].key != lines[13].key  # GPT vs Mamba
    assert lines[21].key != lines[22].key  # Wei vs Shi
    assert lines[16].key not in (lines[12].key, lines[13].key)  # a page, unproven
    assert lines[12].key == lines[15].key  # the project page is its paper
    assert lines[13].key == lines[14].key  # the link and the bare title agree


def test_published_versions_keep_the_arxiv_fields(fakes: FakeServices, tmp_path: Path) -> None:
    lines = by_line(build(fakes, tmp_path))
    meng = lines[12].record
    assert meng.entry_type == "inproceedings"
    assert meng.venue["booktitle"] == "Advances in Neural Information Processing Systems"
    assert (meng.arxiv_id, meng.primary_class) == ("2202.05262", "cs.CL")
    shi = lines[22].record
    assert shi.venue["booktitle"] == "International Conference on Machine Learning"
    iclr = lines[25].record
    assert "Learning Representations" in iclr.venue["booktitle"]


def test_wrong_venue_hints_are_findings_not_answers(fakes: FakeServices, tmp_path: Path) -> None:
    lines = by_line(build(fakes, tmp_path))
    attention = lines[24]
    assert (
        attention.record.venue["booktitle"] == "Advances in Neural Information Processing Systems"
    )
    assert any("ICML 2017" in finding and "NeurIPS" in finding for finding in attention.lint)
    assert lines[12].lint == ()  # the hint agrees


def test_ambiguity_and_absence_are_reported_with_reasons(
    fakes: FakeServices, tmp_path: Path
) -> None:
    nowhere = by_line(build(fakes, tmp_path))[45]
    assert nowhere.status is Status.UNRESOLVED
    assert nowhere.record.kind is WorkKind.UNRESOLVED
    assert "title search" in nowhere.problems[0]


def test_a_cold_run_is_cheap_and_a_warm_one_free(fakes: FakeServices, tmp_path: Path) -> None:
    first = build(fakes, tmp_path)
    # 30 entries: one arXiv batch, one Semantic Scholar batch, one Crossref batch, one OpenReview
    # batch, a request per page and per title search.
    assert first.requests_by_host[fakes.arxiv.host] == 1
    assert first.requests_by_host[fakes.openreview.host] == 1
    assert sum(first.requests_by_host.values()) <= 25
    text = Path(first.output).read_text(encoding="utf-8")
    second = build(fakes, tmp_path)
    assert sum(second.requests_by_host.values()) == 0
    assert Path(second.output).read_text(encoding="utf-8") == text


def cli(fakes: FakeServices, tmp_path: Path, *args: str) -> Result:
    """The CLI with every service at its fake, without politeness waits."""
    env, config = fakes.cli_settings(tmp_path)
    return CliRunner().invoke(main, [*args, "--config", str(config)], env=env)


def test_the_cli_writes_the_bib_and_the_report(fakes: FakeServices, tmp_path: Path) -> None:
    out, report = tmp_path / "refs.bib", tmp_path / "review.json"
    result = cli(fakes, tmp_path, "build", str(LIST), "-o", str(out), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert f"review report: {report}" in result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["totals"]["unresolved"] == 1
    assert data["totals"]["web"] == 5
    assert any("ICML 2017" in finding for finding in data["lint"])
    assert "@inproceedings{meng2022locating," in out.read_text(encoding="utf-8")


def test_refresh_writes_a_report_too(fakes: FakeServices, tmp_path: Path) -> None:
    out, report = tmp_path / "refs.bib", tmp_path / "review.md"
    result = cli(fakes, tmp_path, "refresh", str(LIST), "-o", str(out), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "# Review of" in report.read_text(encoding="utf-8")


NO_HINTS = (
    "# L\n\n## A\n\n"
    "- [Adam: A Method for Stochastic Optimization](https://arxiv.org/abs/1412.6980)\n"
    "- [LoRA: Low-Rank Adaptation of Large Language Models](https://arxiv.org/abs/2106.09685)\n"
    "- [LoRA](https://openreview.net/forum?id=nZeVKeeFYf9)\n"
    "- [Locating and Editing Factual Associations in GPT](https://arxiv.org/abs/2202.05262)\n"
)


def test_venue_years_are_checked_when_semantic_scholar_gives_the_preprints(
    fakes: FakeServices, tmp_path: Path
) -> None:
    """LoRA (arXiv June 2021) cannot be at ICLR 2021 (May): DBLP says ICLR 2022. Adam likewise.
    And LoRA's arXiv link and its OpenReview forum are then one work."""
    listed = tmp_path / "nohint.md"
    listed.write_text(NO_HINTS, encoding="utf-8")
    result = pipeline.build([listed], fakes.config(tmp_path), clock=FakeClock())
    years = {ref.key: ref.record.year for ref in result.references}
    assert years == {"kingma2015adam": "2015", "hu2022lora": "2022", "meng2022locating": "2022"}
    assert len(fakes.dblp.requests) == 2  # only the two doubtful years


def test_placeholders_of_an_offline_run_get_proper_keys_and_stay_citable(
    fakes: FakeServices, tmp_path: Path
) -> None:
    listed = tmp_path / "nohint.md"
    listed.write_text(NO_HINTS, encoding="utf-8")
    config = fakes.config(tmp_path)
    offline = pipeline.build([listed], replace(config, offline=True), clock=FakeClock())
    placeholders = sorted(ref.key for ref in offline.references)
    online = pipeline.build([listed], config, clock=FakeClock())
    text = Path(online.output).read_text(encoding="utf-8")
    assert sorted(ref.key for ref in online.references) == [
        "hu2022lora", "kingma2015adam", "meng2022locating"
    ]  # fmt: skip
    for key in placeholders:  # every old key is an alias of its work: \cite{old} still works
        assert re.search(rf"ids = {{[^}}]*\b{key}\b", text), key
    kinds = {(c.kind, c.key) for c in online.changes}
    assert ("upgraded", "kingma2015adam") in kinds and ("merged", "kingma2015adam") in kinds
    assert not any(kind == "added" for kind, _ in kinds)
