"""resolve: OpenAlex stands in for Semantic Scholar (down, throttled or not configured) for the
published versions of arXiv preprints, in batches; it is never asked while Semantic Scholar
answers, and a preprint it keeps apart from its venue version gets no published version."""

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


def test_a_preprint_openalex_keeps_apart_gets_no_published_version(
    services: FakeServices,
) -> None:
    services.s2.fail_next(100, "503")
    services.dblp.fail_next(100, "503")
    (resolution,) = run(services, (APART_ID,))
    record = resolution.record
    assert record is not None
    assert (record.kind, record.arxiv_id) == (WorkKind.PREPRINT, APART_ID)
    assert not any("OpenAlex" in e for e in resolution.evidence)
    assert asked_dois(services) == [[f"10.48550/arxiv.{APART_ID}"]]


def test_semantic_scholar_answering_openalex_is_not_asked(services: FakeServices) -> None:
    run(services, (*JOINED_IDS, APART_ID))
    assert services.openalex.requests == []
