"""sources.dblp_volumes: a volume's papers from one `toc:` search against the fake DBLP, taken by
exact key, completed from the volume's own record, paged, and the fallbacks to one `.bib` each;
and the proceedings page a record's links give (never the arXiv copy or a DOI link)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from fakes import RECORDED, World, make_http, needs_recorded
from fakes.dblp import FakeDblp
from list2bib.infra.http import Http
from list2bib.resolve.sources import dblp, dblp_volumes

ICML = "db/conf/icml/icml2023.bht"
PMLR = "Proceedings of Machine Learning Research"
ICML_2023 = {
    "key": "conf/icml/2023",
    "title": "International Conference on Machine Learning, ICML 2023, 23-29 July 2023, Honolulu, "
    "Hawaii, USA",
    "editors": ["Andreas Krause", "Emma Brunskill", "Kyunghyun Cho"],
    "series": PMLR,
    "volume": "202",
    "publisher": "PMLR",
    "venue": "ICML",
}


def paper(
    n: int, *, toc: str = ICML, title: str | None = None, key: str | None = None
) -> dict[str, Any]:
    """An ICML 2023 paper as DBLP lists it (its own proceedings page among its links)."""
    return {
        "key": f"volume{n}",
        "title": title or f"Volume Paper Number {n} on Sparse Probing",
        "authors": [{"given": "Vera", "family": f"Volume{n}"}],
        "exercises": "volume",
        "dblp": [
            {
                "key": key or f"conf/icml/Volume{n}23",
                "type": "Conference and Workshop Papers",
                "venue": "ICML",
                "year": 2023,
                "pages": f"{100 * n}-{100 * n + 9}",
                "ee": [f"https://arxiv.org/abs/2302.{n:05d}",
                       f"https://proceedings.mlr.press/v202/volume{n}23a.html"],
                "toc": toc,
                "proceedings": ICML_2023,
            }
        ],
    }  # fmt: skip


def volume_world(papers: int, *extra: dict[str, Any]) -> World:
    world = World.load().copy()
    for n in range(1, papers + 1):
        world.add(paper(n))
    for work in extra:
        world.add(work)
    return world


def keys(*numbers: int) -> list[str]:
    return [f"conf/icml/Volume{n}23" for n in numbers]


@pytest.fixture
def http() -> Iterator[Http]:
    with make_http(retries=1) as client:
        yield client


def bibs(*numbers: int) -> list[str]:
    return [f"/rec/conf/icml/Volume{n}23.bib" for n in numbers]


def toc_requests(fake: FakeDblp) -> list[dict[str, str]]:
    return [r.query for r in fake.requests if r.path == "/search/publ/api"]


def bib_requests(fake: FakeDblp) -> list[str]:
    return [r.path for r in fake.requests if r.path.startswith("/rec/")]


# --- naming a volume ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "volume"),
    [
        ("conf/iclr/GouldOOC24", "db/conf/iclr/iclr2024.bht"),
        ("conf/nips/VaswaniSPUJGKP17", "db/conf/nips/nips2017.bht"),
        ("conf/nips/MengBAB22", "db/conf/nips/neurips2022.bht"),
        ("conf/icml/Smith23a", "db/conf/icml/icml2023.bht"),
        ("conf/aistats/Lee99", "db/conf/aistats/aistats1999.bht"),
        ("conf/acl/DevlinCLT19", None),  # several volumes a year: not named
        ("journals/corr/abs-2202-05262", None),
        ("journals/tmlr/Smith23", None),
        ("conf/iclr/NoYear", None),
    ],
)
def test_volume_of_a_key(key: str, volume: str | None) -> None:
    assert dblp_volumes.volume_of(key) == volume


def test_batches_ask_a_volume_only_for_enough_of_its_papers() -> None:
    source = dblp_volumes.Volumes()
    two_iclr = ["conf/iclr/A24", "conf/iclr/B24"]
    batches = list(source.batches(None, [*keys(1, 2, 3), *two_iclr, "conf/acl/X23"]))  # type: ignore[arg-type]
    assert batches == [keys(1, 2, 3), ["conf/iclr/A24"], ["conf/iclr/B24"], ["conf/acl/X23"]]


# --- the answer's shape --------------------------------------------------------------------------


@needs_recorded
def test_parse_toc_page_reads_the_recorded_search_answer() -> None:
    data = json.loads(
        (RECORDED / "dblp" / "search_publ_api_q_test_format_json_2019.json").read_text()
    )
    page = dblp_volumes.parse_toc_page(data)
    assert (page.total, page.sent, len(page.hits)) == (67660, 30, 30)
    assert page.hits[0]["key"] == "conf/ats/ShinogiYHTY05"


def test_parse_toc_page_without_hits_and_with_one_hit_as_an_object() -> None:
    empty = {"result": {"hits": {"@total": "0", "@computed": "0", "@sent": "0", "@first": "0"}}}
    assert dblp_volumes.parse_toc_page(empty) == dblp_volumes.TocPage(0, 0, [])
    one = {"result": {"hits": {"@total": "1", "@sent": "1", "hit": {"info": {"key": "k"}}}}}
    assert dblp_volumes.parse_toc_page(one).hits == [{"key": "k"}]
    with pytest.raises(ValueError):
        dblp_volumes.parse_toc_page({"result": {"hits": {"@total": "many"}}})


# --- one volume, many papers ---------------------------------------------------------------------


def test_papers_of_one_volume_cost_one_search_and_the_volumes_record(http: Http) -> None:
    with FakeDblp(volume_world(6)) as fake:
        lookup = dblp_volumes.Volumes().fetch(http, fake.service_config(), keys(1, 2, 3, 4, 5))
        assert len(fake.requests) == 2  # not 5
        assert toc_requests(fake) == [
            {"q": f"toc:{ICML}:", "format": "json", "h": "1000", "f": "0"}
        ]
        assert bib_requests(fake) == ["/rec/conf/icml/2023.bib"]
        assert set(lookup.found) == set(keys(1, 2, 3, 4, 5))  # paper 6 was not asked for
        record = lookup.found[keys(2)[0]]
        assert record.year == "2023" and record.dblp_key == keys(2)[0]
        assert record.url == "https://proceedings.mlr.press/v202/volume223a.html"
        # what each paper's own .bib would have said, from one request for the volume's record
        fake.clear_log()
        alone = dblp.fetch(http, fake.service_config(), keys(2)).found[keys(2)[0]]
        assert record.venue == alone.venue
        assert record.venue["editor"] == "Andreas Krause and Emma Brunskill and Kyunghyun Cho"
        assert (record.venue["series"], record.venue["volume"]) == (PMLR, "202")
        assert record.venue["publisher"] == "PMLR" and record.venue["pages"] == "200--209"
        assert (record.title, record.authors, record.entry_type) == (
            alone.title, alone.authors, alone.entry_type
        )  # fmt: skip


def test_a_volume_is_paged_with_f_when_dblp_sends_fewer_hits(http: Http) -> None:
    with FakeDblp(volume_world(5)) as fake:
        fake.max_hits = 2  # the volume's record and five papers: three pages
        lookup = dblp_volumes.Volumes().fetch(http, fake.service_config(), keys(1, 2, 3, 4, 5))
        assert [q["f"] for q in toc_requests(fake)] == ["0", "2", "4"]
        assert set(lookup.found) == set(keys(1, 2, 3, 4, 5))
        assert len(fake.requests) == 4  # three pages and the volume's record, not five .bib


def test_paging_stops_where_the_rest_of_the_volume_costs_more(http: Http) -> None:
    with FakeDblp(volume_world(12)) as fake:
        fake.max_hits = 2
        wanted = keys(1, 11, 12)  # 1 on the first page; 11 and 12 five pages later
        lookup = dblp_volumes.Volumes().fetch(http, fake.service_config(), wanted)
        assert len(toc_requests(fake)) == 1
        # One request over asking each paper: the price of a first page that held only one of
        # them (a volume paged 100 hits at a time, or over 1000 papers).
        assert bib_requests(fake) == ["/rec/conf/icml/2023.bib", *bibs(11, 12)]
        assert set(lookup.found) == set(wanted)


def test_a_hit_is_taken_by_its_exact_key_never_by_a_look_alike_title(http: Http) -> None:
    elsewhere = paper(9, toc="db/conf/icml/icml2024.bht", key="conf/icml/Volume923")
    lookalike = paper(10, title="Volume Paper Number 9 on Sparse Probing", key="conf/icml/Other23")
    with FakeDblp(volume_world(3, elsewhere, lookalike)) as fake:
        lookup = dblp_volumes.Volumes().fetch(http, fake.service_config(), keys(1, 2, 9))
        assert set(lookup.found) == set(keys(1, 2, 9))
        nine = lookup.found["conf/icml/Volume923"]
        assert nine.venue["pages"] == "900--909"  # its own record, not the look-alike's 1000--1009
        assert "/rec/conf/icml/Volume923.bib" in bib_requests(fake)
        assert "conf/icml/Other23" not in lookup.found


def test_optional_keys_ride_along_and_are_never_asked_alone(http: Http) -> None:
    with FakeDblp(volume_world(5)) as fake:
        source = dblp_volumes.Volumes(frozenset({*keys(4), "conf/icml/Absent23"}))
        lookup = source.fetch(http, fake.service_config(), keys(1, 2, 3))
        assert set(lookup.found) == set(keys(1, 2, 3, 4))
        assert len(fake.requests) == 2


@pytest.mark.parametrize("fault", ["unknown volume", "503"])
def test_a_volume_that_answers_nothing_falls_back_to_each_bib(http: Http, fault: str) -> None:
    moved = [paper(n, toc="db/conf/icml/icml2023-1.bht") for n in (1, 2, 3)]
    world = volume_world(0, *moved) if fault == "unknown volume" else volume_world(3)
    with FakeDblp(world) as fake:
        if fault == "503":
            fake.fail_next(2, "503")  # the search and its one retry
        lookup = dblp_volumes.Volumes().fetch(http, fake.service_config(), keys(1, 2, 3))
        assert set(lookup.found) == set(keys(1, 2, 3))
        assert len(bib_requests(fake)) == 3 and len(toc_requests(fake)) == (
            1 if fault != "503" else 2
        )
        assert lookup.found[keys(1)[0]].venue["series"] == PMLR


def test_fewer_papers_than_a_volume_costs_are_asked_one_by_one(http: Http) -> None:
    with FakeDblp(volume_world(3)) as fake:
        lookup = dblp_volumes.Volumes().fetch(http, fake.service_config(), keys(1, 2))
        assert not toc_requests(fake) and len(bib_requests(fake)) == 2
        assert set(lookup.found) == set(keys(1, 2))


# --- the proceedings page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ee", "page"),
    [
        (["https://arxiv.org/abs/2302.1", "https://proceedings.mlr.press/v202/a23a.html"],
         "https://proceedings.mlr.press/v202/a23a.html"),
        (["https://openreview.net/forum?id=abc"], "https://openreview.net/forum?id=abc"),
        (["http://arxiv.org/abs/1412.6980"], None),
        (["https://export.arxiv.org/abs/1412.6980", "https://doi.org/10.1/x"], None),
        (["https://dx.doi.org/10.1/x", "ftp://papers.example.org/a.pdf"], None),
        ([], None),
    ],
)  # fmt: skip
def test_proceedings_page_is_never_an_arxiv_copy_or_a_doi_link(
    ee: list[str], page: str | None
) -> None:
    assert dblp.proceedings_page(ee) == page


def test_a_hit_with_only_arxiv_and_doi_links_gives_no_proceedings_url() -> None:
    info = {
        "title": "T.", "venue": "ICML", "year": "2023", "key": "conf/icml/T23",
        "type": "Conference and Workshop Papers", "ee": ["https://arxiv.org/abs/2302.00001"],
    }  # fmt: skip
    record = dblp.parse_hit(info)
    assert record is not None and record.url is None and record.arxiv_id == "2302.00001"
    with_doi = dblp.parse_hit({**info, "doi": "10.1/X", "ee": "https://doi.org/10.1/X"})
    assert with_doi is not None and with_doi.url == "https://doi.org/10.1/x"


def test_the_fake_answers_a_toc_query_as_dblp_does(http: Http) -> None:
    """String counters, no `hit` key without hits, one author as an object, `h`/`f` paging."""
    with FakeDblp(volume_world(3)) as fake:
        url = f"{fake.base_url}/search/publ/api"
        params = {"q": f"toc:{ICML}:", "format": "json", "h": "2", "f": "1"}
        hits = http.get("dblp", url, params=params).json()["result"]["hits"]
        assert {k: hits[k] for k in ("@total", "@sent", "@first")} == {
            "@total": "4", "@sent": "2", "@first": "1"
        }  # fmt: skip
        assert [h["info"]["key"] for h in hits["hit"]] == keys(1, 2)
        assert hits["hit"][0]["info"]["authors"]["author"]["text"] == "Vera Volume1"
        front = http.get("dblp", url, params={**params, "f": "0", "h": "1"}).json()
        assert front["result"]["hits"]["hit"][0]["info"]["type"] == "Editorship"
        params["q"] = "toc:db/conf/icml/icml1999.bht:"
        empty = http.get("dblp", url, params=params).json()["result"]["hits"]
        assert empty["@total"] == "0" and "hit" not in empty
