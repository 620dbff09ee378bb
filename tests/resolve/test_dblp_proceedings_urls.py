"""`proceedings_urls`: NeurIPS papers whose year is not in doubt (Semantic Scholar names their DBLP
key, they have no DOI) get DBLP's record when asked for it, so that `url` is the proceedings page
beside the arXiv eprint, in BibTeX, biblatex and CSL-JSON. Off (the default) DBLP is not asked about
them at all; on, a volume with three or more of them costs one search and its own record, fewer
one `.bib` each; DBLP down leaves the arXiv url and no partial run."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from fakes import FakeClock, FakeServices
from list2bib import pipeline
from list2bib.bibtex.parse import parse_string
from list2bib.cli import main
from list2bib.config import Config
from list2bib.errors import EXIT_OK
from synthetic import arxiv_id, synthetic_world, title

# Works 3, 6, 9 and 12 are NeurIPS 2023 papers by Semantic Scholar's account, without DOI; the
# others are preprints only.
NEURIPS = (3, 6, 9, 12)
WORKS = 12


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeServices]:
    world = synthetic_world(arxiv=15)
    # Work 15: NeurIPS by Semantic Scholar's account, which names no DOI; arXiv names its journal's.
    world.work("synthetic15")["s2"]["externalIds"]["DOI"] = None
    with FakeServices(world) as services:
        yield services


@pytest.fixture(autouse=True)
def no_faults_left(fakes: FakeServices) -> Iterator[None]:
    yield
    fakes.clear_faults()


def proceedings_page(n: int) -> str:
    return f"https://proceedings.neurips.cc/paper_files/paper/2023/hash/{n:032x}-Abstract-Conference.html"


def listed(folder: Path, numbers: Sequence[int] = range(1, WORKS + 1)) -> Path:
    path = folder / "papers.md"
    path.write_text(
        "".join(f"- {title(n)}. [[arXiv](https://arxiv.org/abs/{arxiv_id(n)})]\n" for n in numbers),
        encoding="utf-8",
    )
    return path


def config(fakes: FakeServices, folder: Path, **changes: object) -> Config:
    return fakes.config(folder, **{"proceedings_urls": True, **changes})


def build(
    fakes: FakeServices,
    folder: Path,
    settings: Config,
    numbers: Sequence[int] = range(1, WORKS + 1),
) -> pipeline.BuildResult:
    fakes.dblp.clear_log()
    return pipeline.build([listed(folder, numbers)], settings, clock=FakeClock())


def dblp_paths(fakes: FakeServices) -> list[str]:
    return sorted(r.path for r in fakes.dblp.requests)


def by_eprint(text: str) -> dict[str, dict[str, str]]:
    return {e.fields["eprint"]: e.fields for e in parse_string(text) if "eprint" in e.fields}


def test_off_by_default_dblp_is_not_asked_and_the_url_is_arxiv(
    fakes: FakeServices, tmp_path: Path
) -> None:
    assert Config().proceedings_urls is False
    result = build(fakes, tmp_path, fakes.config(tmp_path))
    assert dblp_paths(fakes) == []
    entries = by_eprint(Path(result.output).read_text(encoding="utf-8"))
    for n in NEURIPS:
        assert entries[arxiv_id(n)]["url"] == f"https://arxiv.org/abs/{arxiv_id(n)}"


def test_on_a_volume_of_four_costs_one_search_and_its_record(
    fakes: FakeServices, tmp_path: Path
) -> None:
    result = build(fakes, tmp_path, config(fakes, tmp_path))
    assert dblp_paths(fakes) == ["/rec/conf/nips/2023.bib", "/search/publ/api"]
    entries = by_eprint(Path(result.output).read_text(encoding="utf-8"))
    for n in NEURIPS:
        fields = entries[arxiv_id(n)]
        assert fields["url"] == proceedings_page(n), n
        assert fields["archiveprefix"] == "arXiv" and fields["year"] == "2023"
        assert "Alice Oh" in fields["editor"]  # the volume's record completed it
    # Preprints that no service names published keep arXiv: DBLP has nothing to say of them.
    assert entries[arxiv_id(1)]["url"] == f"https://arxiv.org/abs/{arxiv_id(1)}"
    assert "doi.org" not in "".join(entries[arxiv_id(n)]["url"] for n in NEURIPS)


def test_on_two_papers_of_a_volume_cost_one_bib_each(fakes: FakeServices, tmp_path: Path) -> None:
    result = build(fakes, tmp_path, config(fakes, tmp_path), numbers=(1, 3, 6))
    assert dblp_paths(fakes) == ["/rec/conf/nips/Tester323.bib", "/rec/conf/nips/Tester623.bib"]
    urls = {ref.record.arxiv_id: ref.record.url for ref in result.references}
    assert urls[arxiv_id(3)] == proceedings_page(3)
    assert urls[arxiv_id(6)] == proceedings_page(6)


def test_biblatex_and_csl_json_write_the_proceedings_page_beside_the_eprint(
    fakes: FakeServices, tmp_path: Path
) -> None:
    settings = config(fakes, tmp_path)
    biblatex = build(fakes, tmp_path, replace(settings, format="biblatex"))
    entries = by_eprint(Path(biblatex.output).read_text(encoding="utf-8"))
    assert entries[arxiv_id(9)]["url"] == proceedings_page(9)
    assert entries[arxiv_id(9)]["eprinttype"] == "arxiv"
    csl = build(fakes, tmp_path, replace(settings, output=tmp_path / "refs.json"))
    items = json.loads(Path(csl.output).read_text(encoding="utf-8"))
    urls = {item["URL"] for item in items if item["type"] == "paper-conference"}
    assert urls == {proceedings_page(n) for n in NEURIPS}


def test_dblp_down_leaves_the_arxiv_url_and_the_run_is_not_partial(
    fakes: FakeServices, tmp_path: Path
) -> None:
    fakes.dblp.fault_mode(1.0, kinds={"503"})
    result = build(fakes, tmp_path, config(fakes, tmp_path, retries=0))
    assert fakes.dblp.requests  # asked, and failed
    assert not result.incomplete
    entries = by_eprint(Path(result.output).read_text(encoding="utf-8"))
    for n in NEURIPS:
        assert entries[arxiv_id(n)]["url"] == f"https://arxiv.org/abs/{arxiv_id(n)}"
        assert entries[arxiv_id(n)]["year"] == "2023"
    # The command line: exit 0, not 5 (the url is a nicety; year and venue were settled).
    env, file = fakes.cli_settings(tmp_path, network="retries = 0\ntimeout = 1")
    file.write_text(file.read_text(encoding="utf-8") + "[build]\nproceedings_urls = true\n")
    out = tmp_path / "cli.bib"
    run = CliRunner().invoke(
        main, ["build", str(listed(tmp_path)), "-o", str(out), "--config", str(file)], env=env
    )
    assert run.exit_code == EXIT_OK, run.output
    assert by_eprint(out.read_text(encoding="utf-8"))[arxiv_id(3)]["url"].startswith(
        "https://arxiv.org/abs/"
    )


def test_a_page_an_earlier_run_wrote_is_kept_when_dblp_fails_or_is_not_asked(
    fakes: FakeServices, tmp_path: Path
) -> None:
    first = build(fakes, tmp_path, config(fakes, tmp_path))
    written = Path(first.output).read_text(encoding="utf-8")
    assert by_eprint(written)[arxiv_id(3)]["url"] == proceedings_page(3)
    # DBLP down: the same published version, known only with its arXiv copy, keeps the page
    # (and the volume's editors) an earlier run verified; the run is not partial.
    fakes.dblp.fault_mode(1.0, kinds={"503"})
    uncached = tmp_path / "uncached"
    failing = build(fakes, tmp_path, config(fakes, tmp_path, retries=0, cache_dir=uncached))
    assert fakes.dblp.requests and not failing.incomplete
    assert Path(failing.output).read_text(encoding="utf-8") == written
    fakes.clear_faults()
    # Turned off: DBLP is not asked, and what it gave stays.
    off = build(fakes, tmp_path, config(fakes, tmp_path, proceedings_urls=False))
    assert dblp_paths(fakes) == []
    assert Path(off.output).read_text(encoding="utf-8") == written


def test_a_url_edited_by_hand_wins_over_the_kept_page(fakes: FakeServices, tmp_path: Path) -> None:
    first = build(fakes, tmp_path, config(fakes, tmp_path))
    out = Path(first.output)
    mine = "https://example.org/my-copy-of-study-3.pdf"
    out.write_text(out.read_text(encoding="utf-8").replace(proceedings_page(3), mine))
    off = build(fakes, tmp_path, config(fakes, tmp_path, proceedings_urls=False))
    entries = by_eprint(Path(off.output).read_text(encoding="utf-8"))
    assert entries[arxiv_id(3)]["url"] == mine
    assert entries[arxiv_id(6)]["url"] == proceedings_page(6)


def test_a_paper_whose_doi_arxiv_names_is_not_asked(fakes: FakeServices, tmp_path: Path) -> None:
    fakes.dblp.clear_log()
    path = tmp_path / "doi.md"
    path.write_text(f"- {title(15)}. [[arXiv](https://arxiv.org/abs/{arxiv_id(15)})]\n")
    result = pipeline.build([path], config(fakes, tmp_path), clock=FakeClock())
    assert dblp_paths(fakes) == []
    assert result.references[0].record.url == "https://doi.org/10.5555/bench.15"


@pytest.mark.parametrize("papers", [1, 2, 3, 4])
def test_requests_for_n_papers_of_one_volume(
    fakes: FakeServices, tmp_path: Path, papers: int
) -> None:
    numbers = NEURIPS[:papers]
    result = build(fakes, tmp_path, config(fakes, tmp_path), numbers=numbers)
    # Three or more: the volume's search and its record; fewer: one `.bib` each.
    assert len(dblp_paths(fakes)) == (2 if papers >= 3 else papers)
    assert {ref.record.url for ref in result.references} == {proceedings_page(n) for n in numbers}
