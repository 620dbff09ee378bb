"""The DBLP year check through whole volumes, end to end: ICLR papers whose year Semantic Scholar
takes from the preprint cost one `toc:` search and the volume's record (not one `.bib` each);
their entries carry DBLP's year and the proceedings page as `url`, the arXiv eprint beside it, in
BibTeX, biblatex and CSL-JSON; a paper of the same volume whose year is not in doubt gets DBLP's
record at no cost."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.bibtex.parse import parse_string
from synthetic import ICLR_OFFSET, _iclr_work, iclr_arxiv_id, synthetic_world, title

DOUBTFUL = 4
RIDER = DOUBTFUL + 1  # the same volume, its year not in doubt (posted before ICLR 2024 met)


def rider() -> dict[str, Any]:
    work = copy.deepcopy(_iclr_work(RIDER))
    work["arxiv"]["versions"] = ["2024-01-10T00:00:00Z"]
    work["s2"]["year"] = 2024
    return work


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeServices]:
    world: World = synthetic_world(arxiv=3, iclr=DOUBTFUL)
    world.add(rider())
    with FakeServices(world) as services:
        yield services


def listed(tmp_path: Path) -> Path:
    path = tmp_path / "iclr.md"
    lines = ["# ICLR", ""] + [
        f"- {title(ICLR_OFFSET + n)}. [[arXiv](https://arxiv.org/abs/{iclr_arxiv_id(n)})]"
        for n in range(1, RIDER + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dblp_paths(fakes: FakeServices) -> list[str]:
    return [r.path for r in fakes.dblp.requests]


def test_doubtful_years_of_one_volume_cost_one_search(fakes: FakeServices, tmp_path: Path) -> None:
    fakes.dblp.clear_log()
    result = pipeline.build([listed(tmp_path)], fakes.config(tmp_path), clock=FakeClock())
    assert dblp_paths(fakes) == ["/search/publ/api", "/rec/conf/iclr/2024.bib"]  # not 4 .bib
    by_arxiv = {ref.record.arxiv_id: ref for ref in result.references}
    for n in range(1, RIDER + 1):
        record = by_arxiv[iclr_arxiv_id(n)].record
        assert record.year == "2024", n  # DBLP's, not Semantic Scholar's 2023
        assert record.url == f"https://openreview.net/forum?id=synthiclr{n}"
        assert record.venue["publisher"] == "OpenReview.net"
    text = Path(result.output).read_text(encoding="utf-8")
    entry = next(e for e in parse_string(text) if e.fields.get("eprint") == iclr_arxiv_id(1))
    assert entry.entry_type == "inproceedings"
    assert entry.fields["url"] == "https://openreview.net/forum?id=synthiclr1"
    assert entry.fields["archiveprefix"] == "arXiv" and entry.fields["year"] == "2024"


def test_biblatex_and_csl_json_write_the_proceedings_page(
    fakes: FakeServices, tmp_path: Path
) -> None:
    config = fakes.config(tmp_path)
    biblatex = pipeline.build(
        [listed(tmp_path)], replace(config, format="biblatex"), clock=FakeClock()
    )
    entries = parse_string(Path(biblatex.output).read_text(encoding="utf-8"))
    entry = next(e for e in entries if e.fields.get("eprint") == iclr_arxiv_id(2))
    assert entry.fields["url"] == "https://openreview.net/forum?id=synthiclr2"
    assert entry.fields["eprinttype"] == "arxiv"
    out = tmp_path / "refs.json"
    csl = pipeline.build([listed(tmp_path)], replace(config, output=out), clock=FakeClock())
    items = json.loads(Path(csl.output).read_text(encoding="utf-8"))
    urls = {item["URL"] for item in items}
    assert urls == {f"https://openreview.net/forum?id=synthiclr{n}" for n in range(1, RIDER + 1)}
    assert not any("arxiv.org" in url or "doi.org" in url for url in urls)


def test_fewer_doubtful_papers_than_a_volume_costs_are_asked_one_by_one(
    fakes: FakeServices, tmp_path: Path
) -> None:
    path = tmp_path / "two.md"
    path.write_text(
        "".join(
            f"- {title(ICLR_OFFSET + n)}. [[arXiv](https://arxiv.org/abs/{iclr_arxiv_id(n)})]\n"
            for n in (1, 2)
        ),
        encoding="utf-8",
    )
    fakes.dblp.clear_log()
    result = pipeline.build([path], fakes.config(tmp_path), clock=FakeClock())
    assert sorted(dblp_paths(fakes)) == [
        f"/rec/conf/iclr/Tester{ICLR_OFFSET + n}24.bib" for n in (1, 2)
    ]
    assert {ref.record.year for ref in result.references} == {"2024"}
    assert {ref.record.url for ref in result.references} == {
        f"https://openreview.net/forum?id=synthiclr{n}" for n in (1, 2)
    }
