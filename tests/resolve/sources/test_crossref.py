"""sources.crossref: the work-list parser (recorded answers), batched DOI fetch and title search
against the fake Crossref's `/works` list route, and the fake's list envelope itself."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from fakes import RECORDED, FakeClock, FakeCrossref, World, make_http, needs_recorded
from list2bib.errors import ServiceError
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, WorkKind
from list2bib.resolve.sources import TitleQuery, crossref

CR_RECORDED = RECORDED / "crossref"
BERT_DOI = "10.18653/v1/n19-1423"
DAI_DOI = "10.18653/v1/2022.acl-long.581"
BRAN_DOI = "10.1038/s42256-024-00832-8"


@pytest.fixture
def fake(world: World) -> Iterator[FakeCrossref]:
    with FakeCrossref(world) as server:
        yield server


@pytest.mark.parametrize(
    ("kind", "value", "key"),
    [
        (IdKind.DOI, "10.1038/S42256-024-00832-8", BRAN_DOI),
        (IdKind.DOI, "10.48550/arxiv.2202.05262", None),  # DataCite, not Crossref
        (IdKind.ACL, "N19-1423", BERT_DOI),
        (IdKind.ARXIV, "2202.05262", None),
    ],
)
def test_key_of(kind: IdKind, value: str, key: str | None) -> None:
    assert crossref.key_of(Identifier(kind, value)) == key


# --- parse: recorded answers -------------------------------------------------------------------


@needs_recorded
def test_parse_recorded_title_query_keeps_crossrefs_order_and_full_container() -> None:
    data = json.loads(
        (
            CR_RECORDED / "works_query.title_Attention_is_All_you_Need_query.author_rows1.json"
        ).read_text()
    )
    (record,) = crossref.parse_work_list(data)
    # Crossref's top hit for "Attention is All you Need" is another paper: a candidate, no more.
    assert record.title == "Self-Attention with Relative Position Representations"
    assert record.source == "crossref" and record.entry_type == "inproceedings"
    assert record.venue["booktitle"] == (
        "Proceedings of the 2018 Conference of the North American Chapter of the Association "
        "for Computational Linguistics: Human Language Technologies, Volume 2 (Short Papers)"
    )
    assert record.doi == "10.18653/v1/n18-2074"


@needs_recorded
@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("works_query.title_no_results.json", 0),
        ("works_query.title_select_DOI_author_title_rows1.json", 1),
        ("works_query_ecology_rows2.json", 2),
        ("works_query_ecology_select_DOI_title_polite_pool.json", 20),
    ],
)
def test_parse_recorded_work_lists(name: str, count: int) -> None:
    records = crossref.parse_work_list(json.loads((CR_RECORDED / name).read_text()))
    assert len(records) == count
    assert all(r.doi and r.title for r in records)


@needs_recorded
def test_parse_recorded_single_work_message_item() -> None:
    message = json.loads((CR_RECORDED / "works_10.1038_s42256-024-00832-8.json").read_text())
    record = crossref.parse_item(message["message"])
    assert record.venue["journal"] == "Nature Machine Intelligence"
    assert (record.venue["volume"], record.venue["pages"]) == ("6", "525--535")
    with pytest.raises(ValueError, match="work-list"):
        crossref.parse_work_list(message)


# --- fetch -------------------------------------------------------------------------------------


def test_fetch_many_dois_per_request(fake: FakeCrossref, http: Http) -> None:
    dois = [BERT_DOI, DAI_DOI, BRAN_DOI, "10.1234/not-registered", "10.1038/nature14539"]
    lookup = crossref.fetch(http, fake.service_config(batch_size=2), dois)
    assert len(fake.requests) == 3  # ceil(5 / 2)
    first = fake.requests[0]
    assert first.path == "/works"
    assert first.query["filter"] == f"doi:{BERT_DOI},doi:{DAI_DOI}"
    assert first.query["rows"] == "2" and first.query["select"] == crossref.SELECT
    assert lookup.missing == {"10.1234/not-registered"} and not lookup.failed
    bert = lookup.found[BERT_DOI]
    # Crossref's container is cut off ("... Conference of the North"): the table completes it.
    assert bert.venue["booktitle"] == (
        "Proceedings of the 2019 Conference of the North American Chapter of the Association "
        "for Computational Linguistics: Human Language Technologies"
    )
    assert bert.venue["pages"] == "4171--4186" and bert.year == "2019"
    assert lookup.found[DAI_DOI].venue["booktitle"] == (
        "Proceedings of the 60th Annual Meeting of the Association for Computational Linguistics "
        "(Volume 1: Long Papers)"
    )
    bran = lookup.found[BRAN_DOI]
    assert bran.kind is WorkKind.PUBLISHED and bran.entry_type == "article"
    assert bran.authors[0] == Person("M. Bran", "Andres")  # Crossref's own misplaced initial
    assert {r.source for r in lookup.found.values()} == {"crossref"}


def test_fetch_splits_a_rejected_batch_until_the_bad_doi_is_alone(
    fake: FakeCrossref, http: Http
) -> None:
    fake.reject_filter("10.1038/nature14539")
    dois = [BERT_DOI, DAI_DOI, "10.1038/nature14539", BRAN_DOI]
    lookup = crossref.fetch(http, fake.service_config(batch_size=50), dois)
    assert set(lookup.found) == {BERT_DOI, DAI_DOI, BRAN_DOI}
    assert "not a valid DOI" in lookup.failed["10.1038/nature14539"]
    assert len(fake.requests) == 5  # 4 -> 2 + 2 -> 1 + 1


def test_fetch_leaves_dois_with_commas_and_datacite_dois_to_doi_org(
    fake: FakeCrossref, http: Http
) -> None:
    lookup = crossref.fetch(
        http, fake.service_config(batch_size=50), ["10.1000/a,b", "10.48550/arxiv.2202.05262"]
    )
    assert lookup.missing == {"10.1000/a,b", "10.48550/arxiv.2202.05262"}
    assert len(fake.requests) == 1 and "a,b" not in fake.requests[0].query["filter"]


def test_fetch_throttled_then_answered(fake: FakeCrossref, http: Http, clock: FakeClock) -> None:
    fake.fail_next(1, "429")
    lookup = crossref.fetch(http, fake.service_config(batch_size=50), [BRAN_DOI])
    assert set(lookup.found) == {BRAN_DOI}
    assert clock.sleeps == [1.0]


def test_fetch_down_fails_the_batch(fake: FakeCrossref, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=0) as http:
        fake.fail_next(1, "503")
        lookup = crossref.fetch(http, fake.service_config(batch_size=50), [BRAN_DOI])
    assert "HTTP 503" in lookup.failed[BRAN_DOI]


# --- search ------------------------------------------------------------------------------------


def test_search_asks_query_bibliographic_with_the_first_author(
    fake: FakeCrossref, http: Http
) -> None:
    query = TitleQuery("Knowledge Neurons in Pretrained Transformers", first_author="Dai")
    records = crossref.search(http, fake.service_config(), query)
    assert fake.requests[0].query == {
        "query.bibliographic": "Knowledge Neurons in Pretrained Transformers",
        "rows": "5",
        "select": crossref.SELECT,
        "query.author": "Dai",
    }
    assert records[0].doi == DAI_DOI
    assert records[0].title == "Knowledge Neurons in Pretrained Transformers"


def test_search_without_author_and_without_candidates(fake: FakeCrossref, http: Http) -> None:
    records = crossref.search(http, fake.service_config(), TitleQuery("Zebra quantum gardening"))
    assert records == []
    assert "query.author" not in fake.requests[0].query


def test_search_raises_on_an_unusable_answer(fake: FakeCrossref, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=0) as http:
        fake.fail_next(1, "503")
        with pytest.raises(ServiceError, match="crossref"):
            crossref.search(http, fake.service_config(), TitleQuery("Deep learning"))


# --- the fake's list route ---------------------------------------------------------------------


def test_fake_list_envelope_matches_crossrefs(fake: FakeCrossref) -> None:
    answer = requests.get(
        f"{fake.base_url}/works",
        params={"query.bibliographic": "Deep learning LeCun", "rows": "2"},
        timeout=5,
    )
    data = answer.json()
    assert answer.headers["x-api-pool"] == "public"
    assert list(data) == ["status", "message-type", "message-version", "message"]
    assert (data["status"], data["message-type"]) == ("ok", "work-list")
    message = data["message"]
    assert list(message) == ["facets", "total-results", "items", "items-per-page", "query"]
    assert message["items-per-page"] == 2 and len(message["items"]) <= 2
    assert message["query"] == {"start-index": 0, "search-terms": "Deep learning LeCun"}
    top = message["items"][0]
    assert top["DOI"] == "10.1038/nature14539" and isinstance(top["title"], list)
    assert isinstance(top["score"], float)
    assert b"\\/" in answer.content  # Crossref escapes slashes


def test_fake_list_select_and_validation_failures(fake: FakeCrossref) -> None:
    ok = requests.get(
        f"{fake.base_url}/works",
        params={"filter": f"doi:{BRAN_DOI}", "select": "DOI,title"},
        timeout=5,
    ).json()
    assert ok["message"]["items"] == [
        {"DOI": BRAN_DOI, "title": ["Augmenting large language models with chemistry tools"]}
    ]
    assert ok["message"]["query"]["search-terms"] is None
    bad = requests.get(f"{fake.base_url}/works", params={"select": "bogus"}, timeout=5)
    assert bad.status_code == 400
    assert bad.json()["message-type"] == "validation-failure"
    unknown_filter = requests.get(f"{fake.base_url}/works", params={"filter": "foo:1"}, timeout=5)
    assert unknown_filter.json()["message"][0]["type"] == "filter-not-available"
