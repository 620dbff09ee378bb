"""Under a run deadline, slow pages and title searches do not starve the listed ids: their last,
partly filled batches (one request each) are asked once half the time left has gone, instead of
waiting for what pages and titles add."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fakes import FakeServices
from list2bib import pipeline

PAPERS = ("2202.05262", "2106.09685", "1706.03762")  # fewer than one arXiv batch
TOY_PAGE = "/transformer-circuits.pub/2022/toy_model/index.html"


def _listing(tmp_path: Path) -> Path:
    lines = ["# Papers", ""]
    lines += [f"- Paper {n}. [[pdf](https://arxiv.org/abs/{a})]" for n, a in enumerate(PAPERS)]
    lines += ["", "# Blogs", "", f"- Toy Models. [[blog]({FakeServices.page_url(TOY_PAGE)})]"]
    path = tmp_path / "list.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _build(fakes: FakeServices, tmp_path: Path, **changes: object) -> pipeline.BuildResult:
    # The real clock, with the fakes' fast intervals.
    config = replace(fakes.config(tmp_path), services=fakes.service_configs(), retries=0, **changes)
    return pipeline.build([_listing(tmp_path)], config)


def test_a_slow_page_does_not_starve_the_listed_ids_of_their_deadline(
    fakes: FakeServices, tmp_path: Path
) -> None:
    fakes.web.drip(0.01)  # every page: a byte every 10 ms, longer than the whole deadline
    # 1.2 s for the run; the page is cut after 2 s
    result = _build(fakes, tmp_path, deadline_per_100=0.02, request_deadline=2.0)
    by_id = {r.record.arxiv_id: r for r in result.references if r.record.arxiv_id}
    assert set(PAPERS) <= set(by_id)
    assert not {a for a in PAPERS if by_id[a].incomplete}, result.deadline
    assert result.deadline  # the page outlasted the run's deadline


def test_without_a_deadline_the_listed_ids_and_the_pages_share_one_batch(
    fakes: FakeServices, tmp_path: Path
) -> None:
    fakes.arxiv.clear_log()
    result = _build(fakes, tmp_path, deadline_per_100=0.0)
    assert not result.incomplete
    assert set(PAPERS) <= {r.record.arxiv_id for r in result.references}
    assert len(fakes.arxiv.requests) == 1
