"""sources.openalex batches: preprints asked by their DataCite DOIs (`filter=doi:a|b|...`), each
answer read for the work that names the asked preprint (fixtures written in OpenAlex's format)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from fakes import FakeClock, FakeOpenAlex, World, make_http
from list2bib.model import WorkKind
from list2bib.resolve.sources import openalex

ARXIV_SOURCE = {
    "id": "https://openalex.org/S4306400194",
    "display_name": "arXiv (Cornell University)",
    "type": "repository",
}


def arxiv_location(arxiv_id: str) -> dict[str, Any]:
    return {
        "landing_page_url": f"https://arxiv.org/abs/{arxiv_id}",
        "source": ARXIV_SOURCE,
        "version": "submittedVersion",
    }


def joined_work(arxiv_id: str, doi: str, journal: str, year: int = 2021) -> dict[str, Any]:
    """A work joining a preprint to its journal article (the article its primary location)."""
    home = {
        "landing_page_url": f"https://doi.org/{doi}",
        "source": {"display_name": journal, "type": "journal"},
        "version": "publishedVersion",
    }
    return {
        "id": "https://openalex.org/W100",
        "doi": f"https://doi.org/{doi}",
        "title": "Sparse Probes of Tiny Models",
        "display_name": "Sparse Probes of Tiny Models",
        "publication_year": year,
        "type": "article",
        "primary_location": home,
        "locations": [home, arxiv_location(arxiv_id)],
        "authorships": [{"author": {"display_name": "Ada Tester"}}],
        "biblio": {"volume": "7", "issue": None, "first_page": "11", "last_page": "19"},
    }


def preprint_work(arxiv_id: str, year: int = 2020) -> dict[str, Any]:
    """A work whose only home is arXiv (its DOI arXiv's DataCite DOI)."""
    location = arxiv_location(arxiv_id)
    return {
        "id": "https://openalex.org/W200",
        "doi": f"https://doi.org/10.48550/arxiv.{arxiv_id.lower()}",
        "title": "Sparse Probes of Tiny Models",
        "display_name": "Sparse Probes of Tiny Models",
        "publication_year": year,
        "type": "preprint",
        "primary_location": location,
        "locations": [location],
        "authorships": [{"author": {"display_name": "Ada Tester"}}],
        "biblio": {},
    }


def answer(*works: dict[str, Any]) -> dict[str, Any]:
    meta = {"count": len(works), "db_response_time_ms": 9, "page": 1, "per_page": 100}
    return {"meta": meta, "results": list(works), "group_by": []}


def test_a_work_joining_the_preprint_gives_its_published_version() -> None:
    found = openalex.parse_batch(
        answer(joined_work("2101.00001", "10.5555/ab.1", "Journal of Probes")), ["2101.00001"]
    )
    record = found["2101.00001"]
    assert record.kind is WorkKind.PUBLISHED
    assert (record.doi, record.published_doi, record.arxiv_id) == (
        "10.5555/ab.1",
        "10.5555/ab.1",
        "2101.00001",
    )
    assert (record.year, record.entry_type) == ("2021", "article")
    assert record.venue == {"journal": "Journal of Probes", "volume": "7", "pages": "11--19"}


def test_a_preprint_only_work_is_the_preprint() -> None:
    found = openalex.parse_batch(answer(preprint_work("2101.00002")), ["2101.00002"])
    record = found["2101.00002"]
    assert record.kind is WorkKind.PREPRINT
    assert record.published_doi is None


@pytest.mark.parametrize("order", [1, -1])
def test_the_joined_work_wins_over_a_preprint_only_one_in_any_order(order: int) -> None:
    works = [preprint_work("2101.00003"), joined_work("2101.00003", "10.5555/ab.3", "J")][::order]
    found = openalex.parse_batch(answer(*works), ["2101.00003"])
    assert found["2101.00003"].kind is WorkKind.PUBLISHED


def test_a_work_naming_no_asked_preprint_is_left_out() -> None:
    # Same title, another arXiv id; and an article with no arXiv copy at all: never joined.
    other = joined_work("2101.09999", "10.5555/ab.4", "J")
    bare = joined_work("2101.00004", "10.5555/ab.5", "J")
    bare["locations"] = bare["locations"][:1]
    assert openalex.parse_batch(answer(other, bare), ["2101.00004"]) == {}


def test_ids_are_matched_in_any_case_and_old_style() -> None:
    work = preprint_work("hep-th/9711200")
    work["doi"] = "https://doi.org/10.48550/ARXIV.HEP-TH/9711200"
    found = openalex.parse_batch(answer(work), ["hep-th/9711200"])
    assert list(found) == ["hep-th/9711200"]


@pytest.mark.parametrize("data", [[], {"results": None}, {"error": "x", "message": "y"}])
def test_an_answer_that_is_no_work_list_is_refused(data: Any) -> None:
    with pytest.raises(ValueError, match="not an OpenAlex work list"):
        openalex.parse_batch(data, ["2101.00001"])


# --- fetch against the fake (which answers `filter=doi:` as OpenAlex does) ---------------------


@pytest.fixture
def fake(world: World) -> Iterator[FakeOpenAlex]:
    with FakeOpenAlex(world) as server:
        yield server


def joined_ids(world: World) -> list[str]:
    return sorted(w["arxiv"]["id"] for w in world.works if "arxiv" in w and "crossref" in w)


def test_fetch_asks_one_request_per_hundred_ids_by_datacite_doi(
    fake: FakeOpenAlex, world: World
) -> None:
    known = joined_ids(world)
    assert known  # the fixture world has preprints with a published version
    unknown = [f"2301.{n:05d}" for n in range(101 - len(known))]
    http = make_http(clock=FakeClock())
    service = replace(fake.service_config(), batch_size=500)  # more than a filter takes
    lookup = openalex.fetch(http, service, known + unknown)
    assert [len(r.query["filter"].split("|")) for r in fake.requests] == [100, 1]
    first = fake.requests[0].query
    assert first["filter"].startswith("doi:10.48550/arxiv.")
    assert first["per-page"] == "100"
    assert set(first["select"].split(",")) >= {"doi", "locations", "primary_location"}
    for arxiv_id in known:
        assert lookup.found[arxiv_id].kind is WorkKind.PUBLISHED
        assert lookup.found[arxiv_id].arxiv_id == arxiv_id
    assert set(lookup.missing) == set(unknown)
    assert not lookup.failed


def test_fetch_marks_a_batch_that_cannot_be_asked_failed(fake: FakeOpenAlex) -> None:
    fake.fail_next(10, "503")
    http = make_http(clock=FakeClock(), retries=1)
    lookup = openalex.fetch(http, fake.service_config(batch_size=100), ["2101.00001", "2101.00002"])
    assert set(lookup.failed) == {"2101.00001", "2101.00002"}
    assert "503" in lookup.failed["2101.00001"]
    assert not lookup.found and not lookup.missing
