"""sources.s2: the paper parser (recorded answers and hand-written papers), batched fetch and
title search against the fake Semantic Scholar, throttling, and the API key's secrecy."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes import RECORDED, FakeClock, FakeS2, World, make_http, needs_recorded
from list2bib.errors import ServiceError
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, WorkKind
from list2bib.resolve.sources import TitleQuery, s2

S2_RECORDED = RECORDED / "s2"


@pytest.fixture
def fake(world: World) -> Iterator[FakeS2]:
    with FakeS2(world) as server:
        yield server


def _recorded(name: str) -> Any:
    return json.loads((S2_RECORDED / name).read_text(encoding="utf-8"))


# --- key_of ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "key"),
    [
        (IdKind.ARXIV, "2202.05262", "ARXIV:2202.05262"),
        (IdKind.DOI, "10.1038/s42256-024-00832-8", "DOI:10.1038/s42256-024-00832-8"),
        (IdKind.DOI, "10.48550/arxiv.2202.05262", "ARXIV:2202.05262"),
        (IdKind.ACL, "2022.acl-long.581", "ACL:2022.acl-long.581"),
        (
            IdKind.S2,
            "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
            "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
        ),
        (IdKind.S2, "CorpusId:13756489", "CorpusId:13756489"),
        (IdKind.DBLP, "conf/nips/MengBAB22", None),
        (IdKind.URL, "https://example.org/", None),
    ],
)
def test_key_of(kind: IdKind, value: str, key: str | None) -> None:
    assert s2.key_of(Identifier(kind, value)) == key


# --- parse: recorded answers -------------------------------------------------------------------


@needs_recorded
def test_parse_recorded_journal_paper() -> None:
    record = s2.parse_paper(_recorded("paper_DOI_10.1038_s42256-024-00832-8.json"))
    assert record.kind is WorkKind.PUBLISHED
    assert record.entry_type == "article"
    # S2's venue is the abbreviation "Nat. Mac. Intell."; the table knows the journal.
    assert record.venue == {
        "journal": "Nature Machine Intelligence",
        "volume": "6",
        "pages": "525--535",
    }
    assert record.doi == record.published_doi == "10.1038/s42256-024-00832-8"
    assert record.arxiv_id == "2304.05376"
    assert record.dblp_key == "journals/natmi/BranCSBWS24"
    assert record.authors[0] == Person("Bran", "Andrés M")
    assert (record.year, record.month) == ("2023", 4)


@needs_recorded
def test_parse_recorded_arxiv_only_paper_is_the_preprint() -> None:
    record = s2.parse_paper(_recorded("paper_DOI_10.48550_arxiv.2312.07559.json"))
    assert record.kind is WorkKind.PREPRINT
    assert record.entry_type == "misc"
    assert record.doi == "10.48550/arXiv.2312.07559"
    assert record.published_doi is None
    assert record.venue == {}
    assert record.dblp_key == "journals/corr/abs-2312-07559"


@needs_recorded
def test_parse_recorded_search_match_gives_the_neurips_booktitle() -> None:
    (record,) = s2.parse_papers(
        _recorded("paper_search_match_Attention_is_All_you_Need.json")["data"]
    )
    assert record.entry_type == "inproceedings"
    assert record.venue == {
        "booktitle": "Advances in Neural Information Processing Systems",
        "pages": "5998--6008",
    }
    assert record.kind is WorkKind.PUBLISHED
    assert record.doi is None and record.arxiv_id == "1706.03762"
    assert record.url == "https://arxiv.org/abs/1706.03762"


@needs_recorded
def test_parse_recorded_batch_with_null_and_partial_fields() -> None:
    papers = _recorded("paper_batch_POST_4ids_first_null_not_found.json")
    assert papers[0] is None
    records = s2.parse_papers(papers)
    assert [r.doi for r in records] == [
        "10.2139/ssrn.288970",
        "10.2139/ssrn.2250500",
        "10.1257/rct.1355",
    ]
    assert records[0].venue == {"journal": "Experimental & Empirical Studies eJournal"}
    assert records[0].abstract and records[0].abstract.startswith("Most Difference")
    only_ids = _recorded("paper_search_match_fields_externalIds_title.json")["data"][0]
    assert s2.parse_paper(only_ids).published_doi == "10.1038/s42256-024-00832-8"
    assert s2.parse_papers(_recorded("paper_batch_POST_fields_authors_3ids.json")) == []


# --- parse: hand-written papers ----------------------------------------------------------------


def test_parse_findings_paper_uses_the_findings_journal_name() -> None:
    paper = {
        "title": "A Findings Paper",
        "venue": "Conference on Empirical Methods in Natural Language Processing",
        "publicationVenue": {
            "name": "Conference on Empirical Methods in Natural Language Processing",
            "type": "conference",
        },
        "journal": {
            "name": "Findings of the Association for Computational Linguistics: EMNLP 2023",
            "pages": "1-10",
        },
        "externalIds": {"ACL": "2023.findings-emnlp.1", "DOI": "10.18653/v1/2023.findings-emnlp.1"},
        "year": 2023,
        "authors": [{"authorId": "1", "name": "Ada Lovelace"}],
    }
    record = s2.parse_paper(paper)
    assert record.venue == {
        "booktitle": "Findings of the Association for Computational Linguistics: EMNLP 2023",
        "pages": "1--10",
    }
    assert record.acl_id == "2023.findings-emnlp.1"
    assert record.doi == "10.18653/v1/2023.findings-emnlp.1"


def test_parse_unknown_venue_keeps_s2s_name_and_type() -> None:
    paper = {
        "title": "Workshop Paper",
        "venue": "Some Workshop on Things",
        "publicationVenue": {"name": "Some Workshop on Things", "type": "conference"},
        "publicationTypes": ["JournalArticle"],
        "journal": {"name": "ArXiv", "volume": "abs/2401.00001"},
        "externalIds": {"ArXiv": "2401.00001", "DOI": "10.48550/arXiv.2401.00001"},
        "year": 2024,
    }
    record = s2.parse_paper(paper)
    assert record.kind is WorkKind.PUBLISHED
    assert (record.entry_type, record.venue) == (
        "inproceedings",
        {"booktitle": "Some Workshop on Things"},
    )
    assert record.doi is None and record.arxiv_id == "2401.00001"


def test_parse_rejects_untitled_paper() -> None:
    with pytest.raises(ValueError, match="no title"):
        s2.parse_paper({"paperId": "x", "title": None})


# --- fetch against the fake --------------------------------------------------------------------


def test_fetch_batches_and_reports_nulls_as_missing(fake: FakeS2, http: Http) -> None:
    keys = [
        "ARXIV:2202.05262",
        "ARXIV:9999.99999",
        "DOI:10.18653/v1/2022.acl-long.581",
        "ACL:2022.acl-long.581",
        "ARXIV:2404.03646",
    ]
    lookup = s2.fetch(http, fake.service_config(batch_size=2), keys)
    posts = [r for r in fake.requests if r.path.endswith("/paper/batch")]
    assert len(posts) == 3  # ceil(5 / 2)
    assert [json.loads(r.body)["ids"] for r in posts] == [keys[0:2], keys[2:4], keys[4:]]
    assert posts[0].query["fields"] == s2.FIELDS
    assert lookup.missing == {"ARXIV:9999.99999"} and not lookup.failed
    meng = lookup.found["ARXIV:2202.05262"]
    assert meng.kind is WorkKind.PUBLISHED and meng.entry_type == "inproceedings"
    assert meng.venue["booktitle"] == "Advances in Neural Information Processing Systems"
    assert (meng.arxiv_id, meng.dblp_key, meng.doi) == ("2202.05262", "conf/nips/MengBAB22", None)
    acl = lookup.found["ACL:2022.acl-long.581"]
    assert acl == lookup.found["DOI:10.18653/v1/2022.acl-long.581"]
    assert acl.venue["booktitle"] == (
        "Proceedings of the 60th Annual Meeting of the Association for Computational Linguistics"
    )
    assert acl.published_doi == "10.18653/v1/2022.acl-long.581"
    assert acl.acl_id == "2022.acl-long.581"
    assert lookup.found["ARXIV:2404.03646"].kind is WorkKind.PREPRINT


def test_fetch_one_request_for_500_ids(fake: FakeS2, http: Http) -> None:
    keys = [f"ARXIV:2301.{n:05d}" for n in range(500)]
    lookup = s2.fetch(http, fake.service_config(batch_size=500), keys)
    assert len(fake.requests) == 1
    assert lookup.missing == set(keys)


def test_throttled_without_retry_after_backs_off_and_completes(
    fake: FakeS2, http: Http, clock: FakeClock
) -> None:
    fake.fail_next(2, "429")  # S2's JSON 429, no Retry-After
    lookup = s2.fetch(http, fake.service_config(), ["ARXIV:2202.05262"])
    assert set(lookup.found) == {"ARXIV:2202.05262"}
    assert len(fake.requests) == 3
    assert sum(clock.sleeps) >= 2 + 4  # net.py's exponential backoff, on the fake clock


def test_throttled_for_good_fails_the_batch_only(fake: FakeS2, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=1) as http:
        fake.fail_next(2, "429")
        lookup = s2.fetch(
            http, fake.service_config(batch_size=1), ["ARXIV:2202.05262", "ARXIV:2404.03646"]
        )
    assert "rate limited" in lookup.failed["ARXIV:2202.05262"]
    assert set(lookup.found) == {"ARXIV:2404.03646"}


def test_unknown_field_is_a_failure_with_s2s_message(
    fake: FakeS2, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s2, "FIELDS", s2.FIELDS + ",bogus")
    lookup = s2.fetch(http, fake.service_config(), ["ARXIV:2202.05262"])
    assert "Unrecognized or unsupported fields: [bogus]" in lookup.failed["ARXIV:2202.05262"]


def test_api_key_is_sent_but_never_cached_or_logged(
    world: World, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s2-secret-key-0123456789"
    cache = tmp_path / "http-cache.sqlite"
    with FakeS2(world, api_key=secret) as server, make_http(clock=clock, cache_path=cache) as http:
        service = replace(server.service_config(), api_key=secret)
        caplog.set_level(logging.DEBUG)
        lookup = s2.fetch(http, service, ["ARXIV:2202.05262"])
        records = s2.search(
            http, service, TitleQuery("Locating and Editing Factual Associations in GPT")
        )
        assert server.requests[0].headers["x-api-key"] == secret
        again = s2.fetch(http, service, ["ARXIV:2202.05262"])  # answered from the cache
        assert len(server.requests) == 2
        wrong = s2.fetch(http, replace(service, api_key="wrong"), ["ARXIV:2404.03646"])
    assert lookup.found and records and again.found == lookup.found
    assert "HTTP 403" in wrong.failed["ARXIV:2404.03646"]
    assert secret not in repr(service)
    assert secret not in caplog.text
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert stored and secret.encode() not in stored


# --- search ------------------------------------------------------------------------------------


def test_search_returns_both_look_alikes_best_first(fake: FakeS2, http: Http) -> None:
    service = fake.service_config()
    gpt = s2.search(http, service, TitleQuery("Locating and Editing Factual Associations in GPT"))
    titles = [r.title for r in gpt]
    assert titles[:2] == [
        "Locating and Editing Factual Associations in GPT",
        "Locating and Editing Factual Associations in Mamba",
    ]
    larger = s2.search(
        http, service, TitleQuery("Larger language models do in-context learning differently")
    )
    assert {r.title for r in larger[:2]} == {
        "Larger language models do in-context learning differently",
        "Why Larger Language Models Do In-context Learning Differently?",
    }
    why = next(r for r in larger if r.title.startswith("Why"))
    assert why.venue == {"booktitle": "International Conference on Machine Learning"}
    assert all(r.path.endswith("/paper/search") for r in fake.requests)
    assert fake.requests[-1].query["query"] == (
        "Larger language models do in context learning differently"
    )  # S2's keyword search finds nothing for hyphenated terms
    assert fake.requests[-1].query["limit"] == str(s2.SEARCH_LIMIT)


def test_search_falls_back_to_match_and_404_is_no_candidate(fake: FakeS2, http: Http) -> None:
    assert s2.search(http, fake.service_config(), TitleQuery("Zebra quantum gardening")) == []
    assert [r.path.removeprefix("/graph/v1") for r in fake.requests] == [
        "/paper/search",
        "/paper/search/match",
    ]


def test_search_raises_when_s2_cannot_be_asked(fake: FakeS2, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=1) as http:
        fake.fail_next(2, "503")
        with pytest.raises(ServiceError, match="s2"):
            s2.search(http, fake.service_config(), TitleQuery("Attention Is All You Need"))
