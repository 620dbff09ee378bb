"""sources.dblp: the BibTeX and search parsers (recorded answers and the fake's), fetch and search
against the fake DBLP, CoRR-versus-venue ranking, and 429 with Retry-After."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from fakes import RECORDED, FakeClock, World, make_http, needs_recorded
from fakes.dblp import FakeDblp, dblp_bibtex
from list2bib.errors import ServiceError
from list2bib.infra.http import Http
from list2bib.infra.politeness import PACE_MARGIN
from list2bib.model import Identifier, IdKind, Person, WorkKind
from list2bib.resolve.sources import TitleQuery, dblp

DBLP_RECORDED = RECORDED / "dblp"
NEURIPS = "Advances in Neural Information Processing Systems"


@pytest.fixture
def fake(world: World) -> Iterator[FakeDblp]:
    with FakeDblp(world) as server:
        yield server


def test_key_of() -> None:
    assert dblp.key_of(Identifier(IdKind.DBLP, "conf/nips/MengBAB22")) == "conf/nips/MengBAB22"
    assert dblp.key_of(Identifier(IdKind.ARXIV, "2202.05262")) is None


# --- parse: recorded answers -------------------------------------------------------------------


@needs_recorded
@pytest.mark.parametrize("param", ["param0_condensed", "param1_standard", "param2_crossref"])
def test_parse_recorded_conference_bib(param: str) -> None:
    text = (DBLP_RECORDED / f"rec_conf_spire_BastMW06_{param}.bib").read_text(encoding="utf-8")
    record = dblp.parse_bib(text, "conf/spire/BastMW06")
    assert record.title == "Output-Sensitive Autocompletion Search"
    assert record.entry_type == "inproceedings" and record.kind is WorkKind.PUBLISHED
    assert record.authors[1] == Person("Mortensen", "Christian Worm")
    assert record.venue["pages"] == "150--162"
    assert record.dblp_key == "conf/spire/BastMW06"
    if param != "param0_condensed":
        assert record.doi == "10.1007/11880561_13"  # DBLP's `\_` undone
        assert record.venue["booktitle"] == (
            "String Processing and Information Retrieval, 13th International Conference"
        )


@needs_recorded
def test_parse_recorded_corr_bib_is_the_preprint() -> None:
    text = (DBLP_RECORDED / "rec_journals_corr_abs-2101-00027_TRANSCRIBED.bib").read_text("utf-8")
    record = dblp.parse_bib(text)
    assert record.kind is WorkKind.PREPRINT and record.entry_type == "misc"
    assert record.arxiv_id == "2101.00027"
    assert record.doi == "10.48550/arXiv.2101.00027"
    assert record.dblp_key == "journals/corr/abs-2101-00027"
    assert len(record.authors) == 12


@needs_recorded
def test_parse_recorded_search_answers() -> None:
    old = dblp.parse_search(
        json.loads((DBLP_RECORDED / "search_publ_api_q_test_format_json_2019.json").read_text())
    )
    assert len(old) == 30
    assert old[0].title.startswith("A Test Cost Reduction Method")  # trailing "." dropped
    assert old[0].authors[0] == Person("Shinogi", "Tsuyoshi")  # 2019: plain string authors
    new = dblp.parse_search(
        json.loads(
            (
                DBLP_RECORDED / "search_publ_api_q_test_h1_f1_format_json_2023_TRANSCRIBED.json"
            ).read_text()
        )
    )
    assert [r.authors[0] for r in new] == [Person("Shinogi", "Tsuyoshi")]  # 2023: objects
    assert new[0].doi == "10.1109/ats.2005.17"
    assert new[0].venue == {"booktitle": "Asian Test Symposium", "pages": "366--371"}


# --- parse: DBLP's shapes ----------------------------------------------------------------------


def _answer(*infos: dict[str, object], total: str | None = None) -> dict[str, object]:
    hits: dict[str, object] = {"@total": total or str(len(infos)), "@sent": str(len(infos))}
    if infos:
        hits["hit"] = [{"@score": "1", "@id": str(i), "info": info} for i, info in enumerate(infos)]
    return {"result": {"query": "x*", "status": {"@code": "200", "text": "OK"}, "hits": hits}}


def test_parse_search_without_hits() -> None:
    assert dblp.parse_search({"result": {"hits": {"@total": "0", "@sent": "0"}}}) == []
    with pytest.raises(ValueError):
        dblp.parse_search({"error": "nope"})


def test_parse_search_single_author_object_venue_list_and_ee_list() -> None:
    info = {
        "authors": {"author": {"@pid": "1/2", "text": "Wei Wang 0001"}},
        "title": "Solo Work.",
        "venue": ["EMNLP (Findings)", "Other"],
        "pages": "1-9",
        "year": "2023",
        "type": "Conference and Workshop Papers",
        "key": "conf/emnlp/Wang23",
        "ee": ["https://aclanthology.org/x", "https://arxiv.org/abs/2301.00001v2"],
    }
    (record,) = dblp.parse_search(_answer(info))
    assert record.authors == (Person("Wang", "Wei"),)  # homonym number dropped
    assert record.venue == {
        "booktitle": "Findings of the Association for Computational Linguistics: EMNLP 2023",
        "pages": "1--9",
    }
    assert record.arxiv_id == "2301.00001"
    assert record.url == "https://aclanthology.org/x"


def test_rank_puts_the_venue_record_before_corr_of_the_same_title() -> None:
    corr = {
        "title": "Same Title.",
        "venue": "CoRR",
        "year": "2022",
        "type": "Informal and Other Publications",
        "key": "journals/corr/abs-1",
        "ee": "https://arxiv.org/abs/2202.05262",
    }
    other = {
        "title": "Different.",
        "venue": "ICML",
        "year": "2022",
        "type": "Conference and Workshop Papers",
        "key": "conf/icml/X",
    }
    venue = {
        "title": "Same Title.",
        "venue": "NeurIPS",
        "year": "2022",
        "type": "Conference and Workshop Papers",
        "key": "conf/nips/X",
    }
    records = dblp.parse_search(_answer(corr, other, venue))
    assert [r.dblp_key for r in records] == ["conf/nips/X", "journals/corr/abs-1", "conf/icml/X"]
    assert records[1].kind is WorkKind.PREPRINT and records[1].arxiv_id == "2202.05262"
    assert records[0].venue == {"booktitle": NEURIPS}


# --- fetch -------------------------------------------------------------------------------------


def test_fetch_venue_and_corr_records_from_the_fake(fake: FakeDblp, http: Http) -> None:
    keys = ["conf/nips/MengBAB22", "journals/corr/abs-2202-05262", "conf/nips/Nope99"]
    lookup = dblp.fetch(http, fake.service_config(), keys)
    assert lookup.missing == {"conf/nips/Nope99"} and not lookup.failed
    assert [r.path for r in fake.requests] == [f"/rec/{k}.bib" for k in keys]
    assert all(r.query == {"param": "1"} for r in fake.requests)
    meng = lookup.found["conf/nips/MengBAB22"]
    assert (meng.entry_type, meng.kind) == ("inproceedings", WorkKind.PUBLISHED)
    assert meng.venue == {"booktitle": NEURIPS}
    assert meng.year == "2022" and meng.authors[0] == Person("Meng", "Kevin")
    corr = lookup.found["journals/corr/abs-2202-05262"]
    assert (corr.kind, corr.arxiv_id) == (WorkKind.PREPRINT, "2202.05262")


def test_fetch_acl_and_journal_records(fake: FakeDblp, http: Http) -> None:
    lookup = dblp.fetch(
        http, fake.service_config(), ["conf/acl/DaiDHSCW22", "journals/natmi/BranCSBWS24"]
    )
    acl = lookup.found["conf/acl/DaiDHSCW22"]
    assert acl.venue == {
        "booktitle": "Proceedings of the 60th Annual Meeting of the Association for "
        "Computational Linguistics (Volume 1: Long Papers)",
        "pages": "8493--8502",
        "publisher": "Association for Computational Linguistics",
    }
    assert acl.doi == "10.18653/v1/2022.acl-long.581"
    natmi = lookup.found["journals/natmi/BranCSBWS24"]
    assert natmi.entry_type == "article"
    assert natmi.venue == {
        "journal": "Nature Machine Intelligence",
        "volume": "6",
        "number": "5",
        "pages": "525--535",
    }


def test_fake_bib_looks_like_dblps(world: World) -> None:
    work = world.work("meng2022locating")
    text = dblp_bibtex(work, work["dblp"][1])
    assert text.startswith(
        "@inproceedings{DBLP:conf/nips/MengBAB22,\n  author       = {Kevin Meng and\n"
    )
    assert "bibsource    = {dblp computer science bibliography, https://dblp.org}\n}" in text


def test_throttled_search_completes_after_retry_after(
    fake: FakeDblp, http: Http, clock: FakeClock
) -> None:
    fake.fail_next(2, "429")  # DBLP's 429 carries Retry-After: 1
    records = dblp.search(http, fake.service_config(), TitleQuery("Attention Is All You Need"))
    assert [r.dblp_key for r in records] == [
        "conf/nips/VaswaniSPUJGKP17",
        "journals/corr/VaswaniSPUJGKP17",
    ]
    assert len(fake.requests) == 3
    # The second DBLP asked for, then the host's pace slowed by that 429 (1 s, half as much
    # again, which is more than the second asked for): not exponential backoff.
    assert clock.sleeps == [1.0, pytest.approx(1.5 * PACE_MARGIN)]


def test_throttled_fetch_for_good_fails_that_key(fake: FakeDblp, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=1) as http:
        fake.fail_next(2, "429")
        lookup = dblp.fetch(
            http, fake.service_config(), ["conf/nips/MengBAB22", "conf/iclr/HuSWALWWC22"]
        )
    assert "rate limited" in lookup.failed["conf/nips/MengBAB22"]
    assert set(lookup.found) == {"conf/iclr/HuSWALWWC22"}


# --- search ------------------------------------------------------------------------------------


def test_search_sends_title_words_and_ranks_venue_before_corr(fake: FakeDblp, http: Http) -> None:
    records = dblp.search(
        http, fake.service_config(), TitleQuery("Locating and Editing Factual Associations in GPT")
    )
    assert fake.requests[0].query == {
        "q": "Locating and Editing Factual Associations in GPT",
        "format": "json",
        "h": "10",
    }
    # The fake (like DBLP) lists the CoRR record first; the venue record is ranked ahead.
    assert [(r.dblp_key, r.kind) for r in records] == [
        ("conf/nips/MengBAB22", WorkKind.PUBLISHED),
        ("journals/corr/abs-2202-05262", WorkKind.PREPRINT),
    ]
    assert records[0].venue == {"booktitle": NEURIPS}


def test_search_returns_both_look_alikes(fake: FakeDblp, http: Http) -> None:
    records = dblp.search(
        http,
        fake.service_config(),
        TitleQuery("Larger language models do in-context learning differently"),
    )
    assert (
        fake.requests[0].query["q"] == "Larger language models do in context learning differently"
    )
    assert {r.title for r in records} == {
        "Larger language models do in-context learning differently",
        "Why Larger Language Models Do In-context Learning Differently?",
    }
    why = [r for r in records if r.title.startswith("Why")]
    assert [r.kind for r in why] == [WorkKind.PUBLISHED, WorkKind.PREPRINT]
    assert why[0].venue == {"booktitle": "International Conference on Machine Learning"}


def test_search_with_no_hit_and_with_nothing_to_ask(fake: FakeDblp, http: Http) -> None:
    assert dblp.search(http, fake.service_config(), TitleQuery("Zebra quantum gardening")) == []
    assert dblp.search(http, fake.service_config(), TitleQuery("?!")) == []
    assert len(fake.requests) == 1


def test_search_raises_when_dblp_is_down(fake: FakeDblp, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=1) as http:
        fake.fail_next(2, "503")
        with pytest.raises(ServiceError, match="dblp"):
            dblp.search(http, fake.service_config(), TitleQuery("Attention Is All You Need"))
