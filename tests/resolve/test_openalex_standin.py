"""resolve: OpenAlex stands in for Semantic Scholar (down, throttled or not configured) for the
published versions of arXiv preprints, in batches; it is never asked while Semantic Scholar
answers. A preprint it keeps apart from its venue version (two works) is joined to it by title
under the title-search rule (`match.choose`), never to a look-alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeClock, FakeServices, World, make_http
from list2bib.config import Config
from list2bib.model import Link, ListEntry, Resolution, WorkKind
from list2bib.resolve import rounds

JOINED_IDS = ("2107.90101", "2107.90102", "2107.90103")
APART_ID = "2107.90201"
APART_TITLE = "Gradient Echoes in Shallow Networks"
AUTHORS = [{"given": "Ada", "family": "Tester"}, {"given": "Bo", "family": "Sample"}]


def joined(n: int, arxiv_id: str) -> dict[str, Any]:
    """A preprint (arXiv names no DOI) and its journal article: one OpenAlex work."""
    return {
        "key": f"l2b_oa_joined_{n}",
        "title": f"Sparse Probes of Tiny Models, Part {n}",
        "authors": AUTHORS,
        "arxiv": {"id": arxiv_id, "versions": ["2021-07-05T10:00:00Z"], "primary": "cs.LG"},
        "crossref": {
            "doi": f"10.5555/l2b.oa-joined-{n}",
            "type": "journal-article",
            "container": "Journal of Test Fixtures",
            "issued": [2022, 3],
            "volume": "4",
            "page": "10-20",
            "publisher": "Test Publisher",
        },
        "exercises": "synthetic: OpenAlex joins the preprint and its article",
    }


EXTRA_WORKS = [
    *(joined(n, arxiv_id) for n, arxiv_id in enumerate(JOINED_IDS, 1)),
    {
        "key": "l2b_oa_apart_preprint",
        "title": APART_TITLE,
        "authors": AUTHORS,
        "arxiv": {"id": APART_ID, "versions": ["2021-07-06T10:00:00Z"], "primary": "cs.LG"},
        "exercises": "synthetic: OpenAlex keeps the preprint as a work of its own",
    },
    {
        "key": "l2b_oa_apart_article",
        "title": APART_TITLE,
        "authors": AUTHORS,
        "crossref": {
            "doi": "10.5555/l2b.oa-apart",
            "type": "journal-article",
            "container": "Journal of Test Fixtures",
            "issued": [2022],
            "publisher": "Test Publisher",
        },
        "exercises": "synthetic: ... and its article as another (same title, never joined here)",
    },
]


@pytest.fixture
def services() -> Iterator[FakeServices]:
    world = World.load().copy()
    for work in EXTRA_WORKS:
        world.add(work)
    with FakeServices(world) as fakes:
        yield fakes


def run(fakes: FakeServices, arxiv_ids: tuple[str, ...], **changes: Any) -> list[Resolution]:
    config: Config = fakes.config(Path("unused"), retries=1)
    config = replace(config, **changes)
    entries = [
        ListEntry("papers.md", n, ("Papers",), "", (Link(f"https://arxiv.org/abs/{a}", "pdf"),))
        for n, a in enumerate(arxiv_ids, 1)
    ]
    with make_http(clock=FakeClock(), retries=1) as http:
        return rounds.resolve(entries, http, config)


def asked_filters(services: FakeServices) -> list[str]:
    return [r.query["filter"] for r in services.openalex.requests]


def asked_dois(services: FakeServices) -> list[list[str]]:
    return [r.query["filter"].removeprefix("doi:").split("|") for r in services.openalex.requests]


def test_semantic_scholar_down_the_published_versions_come_from_openalex_in_one_request(
    services: FakeServices,
) -> None:
    services.s2.fail_next(100, "503")
    resolutions = run(services, JOINED_IDS)
    for n, (arxiv_id, resolution) in enumerate(zip(JOINED_IDS, resolutions, strict=True), 1):
        record = resolution.record
        assert record is not None
        assert record.kind is WorkKind.PUBLISHED
        assert (record.doi, record.arxiv_id) == (f"10.5555/l2b.oa-joined-{n}", arxiv_id)
        assert record.venue["journal"] == "Journal of Test Fixtures"
        assert record.year == "2022"
        assert any(
            f"OpenAlex joins the preprint to doi:{record.doi}" in e for e in resolution.evidence
        )
        assert not any("not checked for a published version" in p for p in resolution.problems)
    assert asked_dois(services) == [sorted(f"10.48550/arxiv.{a}" for a in JOINED_IDS)]
    assert services.dblp.requests == []  # no title search on DBLP for what OpenAlex joined


def test_with_crossref_down_too_openalex_own_record_gives_the_venue(
    services: FakeServices,
) -> None:
    for fake in (services.s2, services.crossref, services.doi):
        fake.fail_next(100, "503")
    (resolution,) = run(services, JOINED_IDS[:1])
    record = resolution.record
    assert record is not None
    assert (record.kind, record.source) == (WorkKind.PUBLISHED, "openalex")
    assert (record.venue["journal"], record.venue["pages"]) == (
        "Journal of Test Fixtures",
        "10--20",
    )
    assert (record.year, record.arxiv_id) == ("2022", JOINED_IDS[0])
    assert len(services.openalex.requests) == 1


def test_semantic_scholar_not_configured_openalex_is_asked(services: FakeServices) -> None:
    config = services.config(Path("unused"))
    without_s2 = {k: v for k, v in config.services.items() if k != "s2"}
    (resolution,) = run(services, JOINED_IDS[1:2], services=without_s2)
    assert resolution.record is not None
    assert resolution.record.kind is WorkKind.PUBLISHED
    assert asked_dois(services) == [[f"10.48550/arxiv.{JOINED_IDS[1]}"]]


def test_a_preprint_openalex_keeps_apart_is_joined_by_title(services: FakeServices) -> None:
    services.s2.fail_next(100, "503")
    (resolution,) = run(services, (APART_ID,))
    record = resolution.record
    assert record is not None
    assert (record.kind, record.arxiv_id) == (WorkKind.PUBLISHED, APART_ID)
    assert (record.doi, record.source) == ("10.5555/l2b.oa-apart", "crossref")
    evidence = "OpenAlex keeps doi:10.5555/l2b.oa-apart apart from the preprint; joined by title"
    assert any(e.startswith(evidence) for e in resolution.evidence)
    assert asked_filters(services) == [f"doi:10.48550/arxiv.{APART_ID}",
                                       f"title.search:{APART_TITLE}"]  # fmt: skip
    assert services.dblp.requests == []  # OpenAlex found it: no DBLP search


def test_semantic_scholar_answering_openalex_is_not_asked(services: FakeServices) -> None:
    run(services, (*JOINED_IDS, APART_ID))
    assert services.openalex.requests == []


# --- one paper as two OpenAlex works, and its look-alikes ---------------------------------------

SPLIT_ID = "2107.90301"
SPLIT_TITLE = "Quiet Gradients in Narrow Residual Stacks"
ARTICLE = {"type": "journal-article", "container": "Journal of Test Fixtures",
           "publisher": "Test Publisher"}  # fmt: skip


def split_paper(published_year: int = 2022) -> dict[str, Any]:
    """A preprint and its journal article, which OpenAlex keeps as two works."""
    return {
        "key": "l2b_oa_split",
        "title": SPLIT_TITLE,
        "authors": AUTHORS,
        "arxiv": {"id": SPLIT_ID, "versions": ["2021-07-07T10:00:00Z"], "primary": "cs.LG"},
        "crossref": {**ARTICLE, "doi": "10.5555/l2b.oa-split", "issued": [published_year]},
        "openalex": "apart",
        "exercises": "synthetic: OpenAlex keeps the preprint and its article as two works",
    }


LOOKALIKES = [
    {
        "key": "l2b_oa_same_title_other_authors",
        "title": SPLIT_TITLE,
        "authors": [{"given": "Cy", "family": "Other"}],
        "crossref": {**ARTICLE, "doi": "10.5555/l2b.oa-other-authors", "issued": [2022]},
        "exercises": "synthetic: the same title by other authors (refused: first author)",
    },
    {
        "key": "l2b_oa_same_first_author",
        "title": SPLIT_TITLE,
        "authors": AUTHORS[:1],
        "crossref": {**ARTICLE, "doi": "10.5555/l2b.oa-first-author-only", "issued": [2022]},
        "exercises": "synthetic: the same title and first author, other co-authors (refused)",
    },
    {
        "key": "l2b_oa_survey",
        "title": f"A Survey of {SPLIT_TITLE}",
        "authors": AUTHORS,
        "crossref": {**ARTICLE, "doi": "10.5555/l2b.oa-survey", "issued": [2022]},
        "exercises": "synthetic: a survey with a near title, same authors (refused: title)",
    },
    {
        "key": "l2b_oa_posted_copy",
        "title": SPLIT_TITLE,
        "authors": AUTHORS,
        "crossref": {
            "type": "posted-content",
            "container": "Research Square",
            "doi": "10.21203/l2b.oa-posted",
            "issued": [2021],
        },
        "exercises": "synthetic: the paper on a preprint server, a DOI but no venue (refused)",
    },
]


def world_with(*works: dict[str, Any]) -> World:
    world = World.load().copy()
    for work in works:
        world.add(work)
    return world


@pytest.mark.parametrize("with_lookalikes", [False, True])
def test_two_works_for_one_paper_are_joined_and_look_alikes_refused(
    with_lookalikes: bool,
) -> None:
    extra = LOOKALIKES if with_lookalikes else []
    with FakeServices(world_with(split_paper(), *extra)) as fakes:
        fakes.s2.fail_next(100, "503")
        (resolution,) = run(fakes, (SPLIT_ID,))
        filters = asked_filters(fakes)
    record = resolution.record
    assert record is not None
    assert (record.kind, record.doi, record.arxiv_id) == (
        WorkKind.PUBLISHED, "10.5555/l2b.oa-split", SPLIT_ID
    )  # fmt: skip
    assert record.venue["journal"] == "Journal of Test Fixtures"
    assert any("apart from the preprint; joined by title" in e for e in resolution.evidence)
    assert filters == [f"doi:10.48550/arxiv.{SPLIT_ID}", f"title.search:{SPLIT_TITLE}"]


def preprint_only() -> dict[str, Any]:
    """The split paper with no article anywhere: OpenAlex knows the preprint alone."""
    return {k: v for k, v in split_paper().items() if k not in ("crossref", "openalex")}


@pytest.mark.parametrize(
    "works",
    [
        pytest.param([preprint_only(), *LOOKALIKES], id="only look-alikes"),
        pytest.param([split_paper(published_year=2024)], id="its article three years later"),
    ],
)
def test_a_preprint_is_never_joined_to_a_work_the_rule_refuses(works: list[dict[str, Any]]) -> None:
    with FakeServices(world_with(*works)) as fakes:
        fakes.s2.fail_next(100, "503")
        fakes.dblp.fail_next(100, "503")
        (resolution,) = run(fakes, (SPLIT_ID,))
        filters = asked_filters(fakes)
    record = resolution.record
    assert record is not None
    assert (record.kind, record.arxiv_id) == (WorkKind.PREPRINT, SPLIT_ID)
    assert not any("OpenAlex" in e for e in resolution.evidence)
    assert filters == [f"doi:10.48550/arxiv.{SPLIT_ID}", f"title.search:{SPLIT_TITLE}"]
