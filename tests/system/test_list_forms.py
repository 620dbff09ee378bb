"""Lists in the forms people write them, end to end through the fakes: a .bib as Google Scholar and
DBLP export it (every arXiv id asked in one batch, no title searched), malformed Markdown links, and
a list written in raw HTML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.errors import InputError
from list2bib.model import Status
from list2bib.report import review, summary

LIST = Path(__file__).parents[1] / "data" / "lists" / "scholar_forms.bib"


@pytest.fixture
def services() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as fakes:
        yield fakes


def test_a_scholar_bib_is_resolved_by_its_identifiers(
    services: FakeServices, tmp_path: Path
) -> None:
    result = pipeline.build([LIST], services.config(tmp_path), clock=FakeClock())
    arxiv_ids = {ref.key: ref.record.arxiv_id for ref in result.references}
    assert arxiv_ids == {
        "meng2022locating": "2202.05262",
        "DBLP:journals/corr/abs-2106-09685": "2106.09685",
        "sensharma2024mamba": "2404.03646",
        "geva2021transformer": "2012.14913",
        "vaswani2017attention": "1706.03762",
    }
    assert all(ref.status is Status.RESOLVED for ref in result.references)
    assert result.requests_by_host[services.arxiv.host] == 1
    asked = services.arxiv.requests[0].query["id_list"].split(",")
    assert len(asked) >= 5
    # Nothing was searched by title: Crossref and DBLP were not asked for a query.
    searches = [r for r in services.crossref.requests if "query.bibliographic" in r.query]
    assert searches == []
    assert not [r for r in services.dblp.requests if "q" in r.query]


MIXED = LIST.with_name("mixed_links.md")


def test_malformed_links_reach_the_bib_and_no_derived_doi_is_written(
    services: FakeServices, tmp_path: Path
) -> None:
    config = services.config(tmp_path)
    result = pipeline.build([MIXED], config, clock=FakeClock())
    arxiv_ids = {ref.record.arxiv_id for ref in result.references}
    assert {"2202.05262", "2106.09685", "2012.14913", "1706.03762"} <= arxiv_ids
    assert result.requests_by_host[services.arxiv.host] == 1
    # The Anthology pages are unknown to every service: placeholders with the list's URL only.
    text = config.output.read_text(encoding="utf-8")
    assert "10.18653" not in text
    assert "https://aclanthology.org/2022.tacl-1.74/" in text
    assert "https://aclanthology.org/C18-1107/" in text


HTML = LIST.with_name("html_table.md")


def test_a_raw_html_list_reaches_the_bib(services: FakeServices, tmp_path: Path) -> None:
    config = services.config(tmp_path)
    result = pipeline.build([HTML], config, clock=FakeClock())
    by_arxiv = {ref.record.arxiv_id: ref for ref in result.references}
    listed = {"2202.05262", "2110.11309", "2210.07229", "2104.08696", "2104.08164"}
    known = listed & set(by_arxiv)
    assert known == listed
    assert by_arxiv["2202.05262"].topics == ("Methods > 2022",)
    assert result.requests_by_host[services.arxiv.host] == 1
    assert "2201.00001" not in config.output.read_text(encoding="utf-8")  # commented out


LINKS = LIST.with_name("links_and_papers.md")
NOT_WORKS = {
    "https://scholar.google.com/citations?user=CYI6cKgAAAAJ",
    "https://pair-code.github.io/lit/",
    "https://discord.com/invite/4pEBpVTN",
    "https://www.youtube.com/@3blue1brown",
}


def test_links_that_are_no_works_stay_out_and_are_reported(
    services: FakeServices, tmp_path: Path
) -> None:
    report = tmp_path / "review.md"
    config = services.config(tmp_path, report=report)
    result = pipeline.build([LINKS], config, clock=FakeClock())
    text = config.output.read_text(encoding="utf-8")
    assert not [url for url in NOT_WORKS if url in text]
    assert "2202.05262" in text and "2012.14913" in text and "logit lens" in text.lower()
    assert {e.links[0].url for e in result.left_out} == NOT_WORKS
    review.write_report(report, result)
    written = report.read_text(encoding="utf-8")
    assert "## Links left out" in written
    assert "EleutherAI: a chat invite (discord.com)" in written
    line = summary.left_out_line(result)
    assert line.startswith("left out 4 listed links that are not works (")
    assert "1 × a chat invite" in line and "--include-links" in line


def test_include_links_writes_them_as_misc_with_their_url(
    services: FakeServices, tmp_path: Path
) -> None:
    config = services.config(tmp_path, include_links=True)
    result = pipeline.build([LINKS], config, clock=FakeClock())
    text = config.output.read_text(encoding="utf-8")
    assert all(url in text for url in NOT_WORKS)
    assert result.left_out == ()


def test_a_list_of_only_such_links_is_an_error_not_an_empty_bib(
    services: FakeServices, tmp_path: Path
) -> None:
    only = tmp_path / "groups.md"
    only.write_text("## Groups\n\n- [EleutherAI](https://discord.com/invite/4pEBpVTN)\n")
    config = services.config(tmp_path)
    with pytest.raises(InputError, match=r"groups.md:3: .*--include-links"):
        pipeline.build([only], config, clock=FakeClock())
    assert not config.output.exists()


WRONG = LIST.with_name("wrong_links.md")


def test_a_wrong_link_is_resolved_by_its_own_title_and_reported(
    services: FakeServices, tmp_path: Path
) -> None:
    result = pipeline.build([WRONG], services.config(tmp_path), clock=FakeClock())
    by_line = {e.line: ref for ref in result.references for e in ref.entries}
    assert by_line[5].record.arxiv_id == "2202.05262"
    assert by_line[6].record.arxiv_id == "2106.09685"  # its own title, not the shared id
    assert by_line[11].record.arxiv_id == "1706.03762"  # not the Mamba paper it links
    # Nothing found by its title: its own placeholder, without the link that names another paper.
    imaginary = by_line[7]
    assert imaginary is not by_line[5]
    assert imaginary.record.arxiv_id is None and imaginary.record.url is None
    assert imaginary.record.title == "A Survey of Imaginary Methods for Nonexistent Problems"
    # A nickname keeps its link: one work with the first entry.
    assert by_line[12] is by_line[5]
    assert by_line[13] is by_line[5]  # a shortened title keeps its link too
    findings = {f for ref in result.references for f in ref.lint}
    assert f"{WRONG}:11: links arxiv:2404.03646, which is " in " ".join(findings)
    assert any(
        f.startswith(f"{WRONG}:6: links arxiv:2202.05262, which is 'Locating") for f in findings
    )
    assert not any(f.startswith((f"{WRONG}:5:", f"{WRONG}:12:", f"{WRONG}:13:")) for f in findings)


def test_a_page_that_declares_itself_no_work_stays_out(
    services: FakeServices, tmp_path: Path
) -> None:
    profile = '<html><head><title>Jane Doe</title><meta property="og:type" content="profile">'
    services.web.add_page("/janedoe.example.org/about", profile + "</head></html>")
    post = '<html><head><title>On probing</title><meta property="og:type" content="article">'
    services.web.add_page("/janedoe.example.org/posts/probing", post + "</head></html>")
    listed = tmp_path / "list.md"
    listed.write_text(
        "## Reading\n\n- [Jane Doe](https://janedoe.example.org/about)\n"
        "- [On probing](https://janedoe.example.org/posts/probing)\n",
        encoding="utf-8",
    )
    config = services.config(tmp_path)
    result = pipeline.build([listed], config, clock=FakeClock())
    text = config.output.read_text(encoding="utf-8")
    assert "posts/probing" in text and "janedoe.example.org/about" not in text
    assert [(e.line, e.not_a_work) for e in result.left_out] == [
        (3, "a profile page (og:type profile)")
    ]
    with_links = pipeline.build(
        [listed], services.config(tmp_path / "all", include_links=True), clock=FakeClock()
    )
    assert len(with_links.references) == 2 and with_links.left_out == ()
