"""sources.openalex: the work parser (recorded answers: an arXiv-only preprint, a preprint and its
article kept as two works) and title search against the fake OpenAlex."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from fakes import RECORDED, FakeClock, FakeOpenAlex, World, make_http, needs_recorded
from list2bib.errors import ServiceError
from list2bib.model import WorkKind
from list2bib.resolve.sources import TitleQuery, openalex


@pytest.fixture
def fake(world: World) -> Iterator[FakeOpenAlex]:
    """OpenAlex as the fixture world shows it (every work; Bran et al. with its arXiv copy)."""
    with FakeOpenAlex(world) as server:
        yield server


OA_RECORDED = RECORDED / "openalex"
BRAN_DOI = "10.1038/s42256-024-00832-8"


@needs_recorded
def test_an_arxiv_only_work_is_the_preprint() -> None:
    data = json.loads(
        (OA_RECORDED / "works_filter_title.search_PaperQA_arxiv_only_preprint.json").read_text()
    )
    (record,) = openalex.parse_work_list(data)
    assert record.kind is WorkKind.PREPRINT
    assert (record.arxiv_id, record.doi, record.year) == (
        "2312.07559",
        "10.48550/arXiv.2312.07559",
        "2023",
    )
    assert record.authors[0].family == "Lála"
    assert record.venue == {}


@needs_recorded
def test_a_preprint_and_its_article_kept_apart_are_two_records() -> None:
    name = (
        "works_filter_title.search_Augmenting_large_language_models_with_chemistry_tools"
        "_2_works.json"
    )
    records = openalex.parse_work_list(json.loads((OA_RECORDED / name).read_text()))
    kinds = sorted(r.kind for r in records)
    assert kinds == [WorkKind.PREPRINT, WorkKind.PUBLISHED]
    (article,) = [r for r in records if r.kind is WorkKind.PUBLISHED]
    assert article.doi == BRAN_DOI and article.published_doi == BRAN_DOI
    assert article.venue.get("journal") == "Nature Machine Intelligence"
    assert article.entry_type == "article"


def test_search_finds_the_published_work_with_its_arxiv_copy(fake: FakeOpenAlex) -> None:
    http = make_http(clock=FakeClock())
    query = TitleQuery("Augmenting large language models with chemistry tools", "Bran")
    records = openalex.search(http, fake.service_config(), query)
    assert records[0].kind is WorkKind.PUBLISHED
    assert (records[0].doi, records[0].venue.get("journal")) == (
        BRAN_DOI,
        "Nature Machine Intelligence",
    )
    assert records[0].arxiv_id  # the arXiv copy among its locations
    (asked,) = fake.requests
    assert (
        asked.query["filter"]
        == "title.search:Augmenting large language models with chemistry tools"
    )


def test_search_sends_no_filter_separators(fake: FakeOpenAlex) -> None:
    http = make_http(clock=FakeClock())
    openalex.search(http, fake.service_config(), TitleQuery("Tools, Agents | Chemistry: A Study"))
    assert fake.requests[0].query["filter"] == "title.search:Tools Agents Chemistry A Study"


def test_search_without_a_hit_is_empty(fake: FakeOpenAlex) -> None:
    http = make_http(clock=FakeClock())
    assert (
        openalex.search(http, fake.service_config(), TitleQuery("Nothing Like This Exists")) == []
    )


def test_a_throttled_search_waits_for_retry_after(fake: FakeOpenAlex) -> None:
    clock = FakeClock()
    http = make_http(clock=clock, host_intervals={fake.host: 0.0})
    fake.fail_next(1, "429")
    query = TitleQuery("Augmenting large language models with chemistry tools")
    assert openalex.search(http, fake.service_config(), query)
    assert clock.sleeps == [1.0]


def test_an_answer_that_is_no_work_list_fails_the_search(fake: FakeOpenAlex) -> None:
    http = make_http(clock=FakeClock(), retries=0)
    fake.fail_next(1, "html-200")
    with pytest.raises(ServiceError):
        openalex.search(http, fake.service_config(), TitleQuery("Augmenting large language models"))
