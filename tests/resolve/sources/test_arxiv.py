"""sources.arxiv: the Atom parser on hand-written fixtures of both wire formats and on the real
recordings; fetch() against the fake arXiv API (batching, order, bad ids, throttling, failures)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fakes import RECORDED as RECORDED_ROOT
from fakes import FakeArxiv, FakeClock, World, make_http, needs_recorded
from list2bib.infra.answers import HttpResponse
from list2bib.infra.http import Http
from list2bib.model import Person, Record, WorkKind
from list2bib.resolve.sources import arxiv

DATA = Path(__file__).parents[2] / "data" / "arxiv"
RECORDED = RECORDED_ROOT / "arxiv"


@pytest.fixture
def fake(world: World) -> Iterator[FakeArxiv]:
    with FakeArxiv(world) as server:
        yield server


def ids_asked(fake: FakeArxiv) -> list[list[str]]:
    return [r.query["id_list"].split(",") for r in fake.requests]


# --- parse: hand-written fixtures --------------------------------------------------------------


def test_parse_current_format_golden() -> None:
    records, errors = arxiv.parse_feed((DATA / "feed_2026_three.xml").read_bytes())
    assert errors == []
    assert list(records) == ["2109.00301", "1707.08567", "hep-th/9711200"]
    assert records["2109.00301"] == Record(
        source="arxiv",
        entry_type="misc",
        title="$\\infty$-former: Infinite Memory Transformer",
        authors=(
            Person("Martins", "Pedro Henrique"),
            Person("Marinho", "Zita"),
            Person("Martins", "André F. T."),
        ),
        year="2021",
        month=9,
        doi="10.48550/arXiv.2109.00301",
        arxiv_id="2109.00301",
        primary_class="cs.CL",
        url="https://arxiv.org/abs/2109.00301",
        kind=WorkKind.PREPRINT,
    )
    assert records["1707.08567"].authors == (
        Person("Immink", "Kees A. Schouhamer"),
        Person("de With", "Peter H. N."),
        Person("van der Putten", "Joost"),
        Person("Wübben", "Dirk"),
    )
    assert records["hep-th/9711200"] == Record(
        source="arxiv",
        entry_type="misc",
        title="The Large N Limit of Superconformal Field Theories and Supergravity",
        authors=(Person("Maldacena", "Juan M."),),
        year="1997",
        month=11,
        doi="10.48550/arXiv.hep-th/9711200",
        arxiv_id="hep-th/9711200",
        primary_class="hep-th",
        url="https://arxiv.org/abs/hep-th/9711200",
        kind=WorkKind.PREPRINT,
        published_doi="10.1023/a:1026654312961",
        journal_ref="Adv.Theor.Math.Phys.2:231-252,1998",
    )


def test_parse_classic_format_golden() -> None:
    records, errors = arxiv.parse_feed((DATA / "feed_2019_classic.xml").read_bytes())
    assert errors == []
    # The id-less "not found" entry of the classic API is skipped.
    assert list(records) == ["1810.04805", "astro-ph/9812133"]
    bert = records["1810.04805"]
    assert bert.title == (
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    )
    assert (bert.year, bert.month, bert.primary_class) == ("2018", 10, "cs.CL")
    assert bert.authors[1] == Person("Chang", "Ming-Wei")
    assert bert.published_doi is None and bert.journal_ref is None
    sn = records["astro-ph/9812133"]
    assert sn == Record(
        source="arxiv",
        entry_type="misc",
        title="Measurements of Omega and Lambda from 42 High-Redshift Supernovae",
        authors=(Person("Perlmutter", "S."), Person("Aldering", "G.")),
        year="1998",
        month=12,
        doi="10.48550/arXiv.astro-ph/9812133",
        arxiv_id="astro-ph/9812133",
        primary_class="astro-ph",
        url="https://arxiv.org/abs/astro-ph/9812133",
        kind=WorkKind.PREPRINT,
        published_doi="10.1086/307221",
        journal_ref="Astrophys.J.517:565-586, 1999",
    )


@pytest.mark.parametrize(
    ("name", "bad"),
    [("error_2026_bad_id.xml", "1234.12345"), ("error_2019_bad_id.xml", "not-an-id")],
)
def test_parse_error_feed(name: str, bad: str) -> None:
    records, errors = arxiv.parse_feed((DATA / name).read_bytes())
    assert records == {}
    assert errors == [f"incorrect id format for {bad}"]


@pytest.mark.parametrize("body", [b"Rate exceeded.", b"<html><body>oops</body></html>", b""])
def test_parse_rejects_what_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(ValueError):
        arxiv.parse_feed(body)


def test_parse_refuses_entity_expansion() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>&b;</title></feed>"
    )
    with pytest.raises(Exception):  # noqa: B017 - defusedxml's own EntitiesForbidden
        arxiv.parse_feed(bomb)


def test_is_throttled() -> None:
    def answer(body: bytes) -> HttpResponse:
        return HttpResponse(200, "http://x/api/query", {}, body)

    assert arxiv.is_throttled(answer(b"Rate exceeded."))
    assert not arxiv.is_throttled(answer((DATA / "feed_2026_three.xml").read_bytes()))
    assert not arxiv.is_throttled(answer((DATA / "feed_2019_classic.xml").read_bytes()))


# --- parse: conformance with the real recordings -------------------------------------------------


def _recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


@needs_recorded
def test_recorded_feeds_all_parse_into_clean_records() -> None:
    files = sorted(RECORDED.glob("*.xml"))
    assert files
    for path in files:
        records, errors = arxiv.parse_feed(path.read_bytes())
        for arxiv_id, record in records.items():
            assert not re.search(r"v\d+$", arxiv_id), path.name
            assert record.arxiv_id == arxiv_id and record.doi == f"10.48550/arXiv.{arxiv_id}"
            assert record.title and "\n" not in record.title and "  " not in record.title
            assert record.year is not None and len(record.year) == 4
            assert record.month is not None and 1 <= record.month <= 12
            assert record.authors and all(p.family for p in record.authors)
            assert record.primary_class
        assert bool(errors) == ("400_error" in path.name), path.name


@needs_recorded
def test_recorded_2019_with_doi_and_journal_ref() -> None:
    records, _ = arxiv.parse_feed(
        _recorded("2019_query_id_list_1710.08557_with_doi_journal_ref.xml")
    )
    record = records["1710.08557"]
    assert record.title == (
        "On Neuromechanical Approaches for the Study of Biological Grasp and Manipulation"
    )
    assert record.authors == (Person("Valero-Cuevas", "Francisco J"), Person("Santello", "Marco"))
    assert record.published_doi == "10.1186/s12984-017-0305-3"
    assert record.journal_ref == "Journal of NeuroEngineering and Rehabilitation, 2017"
    assert (record.year, record.month, record.primary_class) == ("2017", 10, "cs.RO")


@needs_recorded
def test_recorded_old_style_ids() -> None:
    records, _ = arxiv.parse_feed(_recorded("2026_query_id_list_astro-ph_0601001_oldstyle.xml"))
    record = records["astro-ph/0601001"]
    assert record.primary_class == "astro-ph"
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert record.url == "https://arxiv.org/abs/astro-ph/0601001"
    records, _ = arxiv.parse_feed(_recorded("2019_query_id_list_math_0211159_oldstyle.xml"))
    assert records["math/0211159"].primary_class == "math.DG"
    records, _ = arxiv.parse_feed(_recorded("2026_query_id_list_quant-ph_0201082v1_oldstyle.xml"))
    assert list(records) == ["quant-ph/0201082"]


@needs_recorded
def test_recorded_versioned_id_and_a_title_that_is_a_number() -> None:
    records, _ = arxiv.parse_feed(_recorded("2026_query_id_list_2104.12255v1.xml"))
    assert records["2104.12255"].title == "0"


@needs_recorded
def test_recorded_partial_and_not_found() -> None:
    records, errors = arxiv.parse_feed(
        _recorded("2026_query_id_list_0808.05394_and_1707.08567_partial.xml")
    )
    assert list(records) == ["1707.08567"] and errors == []
    authors = records["1707.08567"].authors
    assert Person("de With", "Peter H. N.") in authors
    assert Person("Immink", "Kees A. Schouhamer") in authors
    assert Person("van der Sommen", "Fons") in authors
    assert len(authors) == 34
    for name in (
        "2026_query_id_list_0000.0000_notfound.xml",
        "2026_query_id_list_0808.05394_notfound.xml",
    ):
        assert arxiv.parse_feed(_recorded(name)) == ({}, [])


@needs_recorded
def test_recorded_errors_and_search() -> None:
    assert arxiv.parse_feed(_recorded("2026_query_id_list_abc_400_error.xml")) == (
        {},
        ["incorrect id format for abc"],
    )
    assert arxiv.parse_feed(_recorded("2019_query_id_list_INVALIDID_400_error.xml"))[1] == [
        "incorrect id format for INVALIDID"
    ]
    records, _ = arxiv.parse_feed(_recorded("2026_query_search_testing_start0_max10.xml"))
    assert len(records) == 10
    assert records["2202.12139"].published_doi == "10.1109/icstw55395.2022.00035"
    body = HttpResponse(200, "x", {}, _recorded("rate_exceeded_body_TRANSCRIBED.txt"))
    assert arxiv.is_throttled(body)


# --- the fake itself answers like the service --------------------------------------------------


def test_fake_defaults_to_ten_results_and_drops_unknown_ids(fake: FakeArxiv, world: World) -> None:
    known = list(world.arxiv())[:12]
    answer = requests.get(fake.base_url, params={"id_list": ",".join([*known, "0000.0000"])})
    assert answer.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert answer.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<feed ")
    records, _ = arxiv.parse_feed(answer.content)
    assert len(records) == 10  # max_results defaults to 10, even for an id_list
    assert "<opensearch:totalResults>12</opensearch:totalResults>" in answer.text


def test_fake_rejects_a_malformed_id_like_the_service(fake: FakeArxiv) -> None:
    answer = requests.get(fake.base_url, params={"id_list": "2202.05262,1234.12345"})
    assert answer.status_code == 400
    assert arxiv.parse_feed(answer.content) == ({}, ["incorrect id format for 1234.12345"])


def test_fake_serves_the_classic_format_too(world: World) -> None:
    with FakeArxiv(world, wire="2019") as classic:
        answer = requests.get(classic.base_url, params={"id_list": "1710.08557,1801.00001"})
        assert answer.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
        records, errors = arxiv.parse_feed(answer.content)
        assert list(records) == ["1710.08557"] and errors == []
        assert records["1710.08557"].published_doi == "10.1186/s12984-017-0305-3"
        # The long title is hard-wrapped on the wire and collapsed by the parser.
        assert "Grasp and\n  Manipulation" in answer.text
        assert records["1710.08557"].title.endswith("Grasp and Manipulation")


def test_fake_search_query(fake: FakeArxiv) -> None:
    answer = requests.get(
        fake.base_url, params={"search_query": 'ti:"factual associations"', "max_results": "5"}
    )
    records, _ = arxiv.parse_feed(answer.content)
    assert sorted(records) == ["2202.05262", "2404.03646"]


# --- fetch --------------------------------------------------------------------------------------


def test_fetch_finds_records(fake: FakeArxiv, http: Http, world: World) -> None:
    ids = ["2202.05262", "hep-th/9711200", "1710.08557"]
    lookup = arxiv.fetch(http, fake.service_config(batch_size=100), ids)
    assert lookup.missing == frozenset() and lookup.failed == {}
    assert set(lookup.found) == set(ids)
    meng = lookup.found["2202.05262"]
    assert meng.title == "Locating and Editing Factual Associations in GPT"
    assert meng.authors[0] == Person("Meng", "Kevin")
    assert (meng.year, meng.month) == ("2022", 2)  # v1, although v5 is the version returned
    assert lookup.found["1710.08557"].published_doi == "10.1186/s12984-017-0305-3"
    assert lookup.found["hep-th/9711200"].published_doi == "10.1023/a:1026654312961"
    [request] = fake.requests
    assert request.query == {"id_list": ",".join(ids), "start": "0", "max_results": "3"}


def test_fetch_batches_and_sizes_max_results(fake: FakeArxiv, http: Http, world: World) -> None:
    known = list(world.arxiv())
    unknown = [f"2301.{n:05d}" for n in range(250 - len(known))]
    ids = unknown[:90] + known[:10] + unknown[90:180] + known[10:20] + unknown[180:] + known[20:]
    lookup = arxiv.fetch(http, fake.service_config(batch_size=100), ids)
    assert [len(batch) for batch in ids_asked(fake)] == [100, 100, 50]
    assert [r.query["max_results"] for r in fake.requests] == ["100", "100", "50"]
    assert set(lookup.found) == set(known)
    assert lookup.missing == frozenset(unknown)


def test_fetch_matches_out_of_order_results_by_id(
    fake: FakeArxiv, http: Http, world: World
) -> None:
    # Oldest first: the fake answers newest first, so position-based matching would swap them.
    ids = ["hep-th/9711200", "1301.3781", "1706.03762", "2404.03646"]
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ids)
    answer = requests.get(fake.base_url, params={"id_list": ",".join(ids)})
    assert list(arxiv.parse_feed(answer.content)[0]) != ids
    for arxiv_id in ids:
        work = world.arxiv()[arxiv_id]
        assert lookup.found[arxiv_id].arxiv_id == arxiv_id
        assert lookup.found[arxiv_id].title == work["arxiv"].get("title", work["title"])


def test_fetch_unknown_ids_are_missing(fake: FakeArxiv, http: Http) -> None:
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ["0000.0000", "2202.05262"])
    assert lookup.missing == frozenset({"0000.0000"})
    assert set(lookup.found) == {"2202.05262"} and lookup.failed == {}


def test_fetch_drops_a_malformed_id_and_keeps_the_batch(fake: FakeArxiv, http: Http) -> None:
    ids = ["2202.05262", "abc", "1706.03762", "1234.12345"]
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ids)
    assert lookup.failed == {"abc": arxiv.BAD_ID_MESSAGE, "1234.12345": arxiv.BAD_ID_MESSAGE}
    assert set(lookup.found) == {"2202.05262", "1706.03762"}
    assert lookup.missing == frozenset()
    assert ids_asked(fake) == [
        ids,
        ["2202.05262", "1706.03762", "1234.12345"],
        ["2202.05262", "1706.03762"],
    ]


def test_fetch_a_batch_of_only_malformed_ids(fake: FakeArxiv, http: Http) -> None:
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ["abc"])
    assert lookup.failed == {"abc": arxiv.BAD_ID_MESSAGE} and not lookup.found
    assert len(fake.requests) == 1


def test_fetch_retries_429_honouring_retry_after(
    fake: FakeArxiv, http: Http, clock: FakeClock
) -> None:
    fake.fail_next(1, "429")
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ["2202.05262"])
    assert set(lookup.found) == {"2202.05262"}
    assert len(fake.requests) == 2
    assert clock.sleeps == [1.0]  # Retry-After: 1, on the fake clock


def test_fetch_retries_429_without_retry_after_with_backoff(
    fake: FakeArxiv, http: Http, clock: FakeClock
) -> None:
    fake.fail_next(2, "429-no-retry-after")
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ["2202.05262"])
    assert set(lookup.found) == {"2202.05262"}
    assert len(fake.requests) == 3
    assert clock.sleeps == [2.0, 4.0]


def test_fetch_retries_a_200_rate_exceeded(fake: FakeArxiv, http: Http) -> None:
    fake.fail_next(1, "rate-exceeded-200")
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ["2202.05262"])
    assert set(lookup.found) == {"2202.05262"} and lookup.failed == {}
    assert len(fake.requests) == 2


def test_a_200_rate_exceeded_is_never_cached(fake: FakeArxiv, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=0) as http:
        fake.fail_next(1, "rate-exceeded-200")
        first = arxiv.fetch(http, fake.service_config(batch_size=10), ["2202.05262"])
        assert "throttling" in first.failed["2202.05262"]
        second = arxiv.fetch(http, fake.service_config(batch_size=10), ["2202.05262"])
        assert set(second.found) == {"2202.05262"}
        assert len(fake.requests) == 2  # asked again: the throttled answer was not cached
        third = arxiv.fetch(http, fake.service_config(batch_size=10), ["2202.05262"])
        assert set(third.found) == {"2202.05262"}
        assert len(fake.requests) == 2  # the real answer was


def test_fetch_persistent_503_fails_only_that_batch(fake: FakeArxiv, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=2) as http:
        fake.fail_next(3, "503")
        ids = ["2202.05262", "1706.03762", "2106.09685"]
        lookup = arxiv.fetch(http, fake.service_config(batch_size=2), ids)
    assert set(lookup.failed) == {"2202.05262", "1706.03762"}
    message = lookup.failed["2202.05262"]
    assert message.startswith("arxiv:") and "503" in message and "3 attempts" in message
    assert set(lookup.found) == {"2106.09685"}
    assert lookup.missing == frozenset()


def test_fetch_retries_a_reset_connection(fake: FakeArxiv, http: Http) -> None:
    fake.fail_next(1, "reset")
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ["1706.03762"])
    assert set(lookup.found) == {"1706.03762"}
    assert len(fake.requests) == 2


def test_fetch_answers_again_from_the_cache(fake: FakeArxiv, http: Http) -> None:
    config = fake.service_config(batch_size=10)
    first = arxiv.fetch(http, config, ["1706.03762", "2201.11903"])
    second = arxiv.fetch(http, config, ["1706.03762", "2201.11903"])
    assert first == second and len(fake.requests) == 1


def test_fetch_waits_politely_on_the_fake_clock(fake: FakeArxiv, clock: FakeClock) -> None:
    with make_http(clock=clock, host_intervals={fake.host: 3.0}) as http:
        arxiv.fetch(
            http, fake.service_config(batch_size=1), ["1706.03762", "2201.11903", "1301.3781"]
        )
    assert clock.sleeps == [3.0, 3.0]


def test_fetch_sends_the_user_agent_with_mailto(fake: FakeArxiv, http: Http) -> None:
    arxiv.fetch(http, fake.service_config(batch_size=10), ["1706.03762"])
    agent = fake.requests[0].headers["user-agent"]
    assert agent.startswith("list2bib/") and "mailto:tester@example.org" in agent


def test_fetch_reads_the_classic_format(world: World, http: Http) -> None:
    with FakeArxiv(world, wire="2019") as classic:
        lookup = arxiv.fetch(
            http, classic.service_config(batch_size=10), ["astro-ph/9812133", "0000.0000", "x"]
        )
    assert set(lookup.found) == {"astro-ph/9812133"}
    assert lookup.missing == frozenset({"0000.0000"})
    assert lookup.failed == {"x": arxiv.BAD_ID_MESSAGE}
    assert lookup.found["astro-ph/9812133"].journal_ref == "Astrophys.J.517:565-586,1999"


def test_fetch_deduplicates_ids(fake: FakeArxiv, http: Http) -> None:
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ["1706.03762"] * 3)
    assert set(lookup.found) == {"1706.03762"}
    assert ids_asked(fake) == [["1706.03762"]]


def test_an_empty_feed_for_a_batch_is_asked_again_not_cached(
    fake: FakeArxiv, clock: FakeClock, tmp_path: Path, world: World
) -> None:
    http = make_http(clock=clock, cache_path=tmp_path / "cache.sqlite")
    ids = list(world.arxiv())[:5]
    fake.empty_next(1)  # overloaded: a well-formed feed without entries
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ids)
    assert set(lookup.found) == set(ids) and not lookup.missing
    assert len(fake.requests) == 2
    fake.empty_next(1)
    assert set(arxiv.fetch(http, fake.service_config(batch_size=10), ids).found) == set(ids)
    assert len(fake.requests) == 2  # the good answer was cached, the empty one never was


def test_a_batch_that_stays_empty_is_failed_not_missing(
    fake: FakeArxiv, http: Http, world: World
) -> None:
    ids = list(world.arxiv())[:3]
    fake.empty_next(100)
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ids)
    assert not lookup.found and not lookup.missing
    assert set(lookup.failed) == set(ids)
    assert "unknown ids, or arXiv overloaded" in lookup.failed[ids[0]]
    assert len(fake.requests) == 2  # asked once more, not until the retries run out


def test_a_batch_of_unknown_ids_costs_two_requests_once(
    fake: FakeArxiv, clock: FakeClock, tmp_path: Path
) -> None:
    """Ids arXiv does not know give an empty feed, like an overloaded arXiv: asked twice, then
    the answer is kept, so the next run does not ask again (the callers fall back per id)."""
    http = make_http(clock=clock, cache_path=tmp_path / "cache.sqlite")
    ids = ["2310.01405", "2310.04625"]
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ids)
    assert set(lookup.failed) == set(ids)
    assert len(fake.requests) == 2
    again = arxiv.fetch(http, fake.service_config(batch_size=10), ids)
    assert set(again.failed) == set(ids)
    assert len(fake.requests) == 2


def test_one_unknown_id_alone_is_missing_at_once(fake: FakeArxiv, http: Http) -> None:
    lookup = arxiv.fetch(http, fake.service_config(batch_size=10), ["2301.99999"])
    assert lookup.missing == {"2301.99999"}
    assert len(fake.requests) == 1
