"""Title searches spread over the searching services: who is asked what is planned before any
request (never by timing), a title stops at its first accepted match or once two services offered
nothing near it, a near candidate keeps it going, and failures are named, never taken for a no."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from fakes import FakeClock, make_http
from list2bib.config import Config, ServiceConfig
from list2bib.errors import ServiceError
from list2bib.model import Person, Record
from list2bib.resolve import match
from list2bib.resolve.book import Lookups, NoProgress
from list2bib.resolve.sources import TitleQuery
from list2bib.resolve.titles import orders, search_titles


class Stub:
    """A searcher that knows the titles `knows` accepts, fails when `fails`, and logs its asks."""

    def __init__(self, name: str, knows: Callable[[str], bool], fails: bool = False) -> None:
        self.SERVICE = name
        self.knows, self.fails = knows, fails
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def search(self, http: object, service: ServiceConfig, query: TitleQuery) -> list[Record]:
        with self._lock:
            self.asked.append(query.title)
        if self.fails:
            raise ServiceError(self.SERVICE, "service unavailable")
        if not self.knows(query.title):
            return []
        author = (Person(family="Tester", given="Ada"),)
        return [Record(self.SERVICE, "article", query.title, author, year="2023")]


def book(tmp_path: Path, paces: dict[str, float]) -> Lookups:
    services = {name: ServiceConfig(f"http://{name}.invalid", pace) for name, pace in paces.items()}
    config = Config(cache_dir=tmp_path / "cache", services=services)
    return Lookups(make_http(clock=FakeClock()), config, NoProgress())


def query(n: int) -> TitleQuery:
    return TitleQuery(f"A Distinct Study of Sparse Routing Number {n}", "Tester", "2023")


def test_a_title_is_planned_the_same_whatever_else_the_run_holds() -> None:
    paces = {"s2": 1.1, "dblp": 2.0, "crossref": 0.2}
    titles = [query(n).title for n in range(40)]
    together = orders(titles, paces)
    alone = [orders([title], paces)[0] for title in titles]
    assert together == alone
    # Case and spacing are no part of a title's draw.
    assert orders(["  a distinct STUDY of sparse routing number 3 "], paces) == [together[3]]
    # The others follow fastest first.
    assert {order[1:] for order in together if order[0] == "dblp"} == {("crossref", "s2")}
    assert {order[1:] for order in together if order[0] == "s2"} == {("crossref", "dblp")}


def test_each_service_takes_titles_in_proportion_to_its_rate() -> None:
    paces = {"s2": 1.0, "dblp": 2.0, "crossref": 0.25}  # rates 1, 0.5 and 4 a second
    firsts = Counter(order[0] for order in orders([query(n).title for n in range(2000)], paces))
    for service, share in (("s2", 1 / 5.5), ("dblp", 0.5 / 5.5), ("crossref", 4 / 5.5)):
        assert abs(firsts[service] / 2000 - share) < 0.04, firsts


def test_titles_start_only_at_the_first_choice_services_that_are_configured() -> None:
    paces = {"s2": 1.0, "dblp": 1.0, "crossref": 0.1, "openalex": 0.1}
    titles = [query(n).title for n in range(200)]
    firsts = Counter(order[0] for order in orders(titles, paces, {"s2", "openalex"}))
    assert set(firsts) == {"s2", "openalex"} and firsts["openalex"] > firsts["s2"]
    # None of the first choices configured: every service may come first.
    others = Counter(order[0] for order in orders(titles, {"dblp": 1.0, "crossref": 0.1}, {"s2"}))
    assert set(others) == {"dblp", "crossref"}


def test_without_paces_every_title_starts_at_the_first_service() -> None:
    titles = [query(n).title for n in range(5)]
    assert set(orders(titles, {"s2": 0.0, "dblp": 0.0})) == {("s2", "dblp")}


@pytest.mark.parametrize("rounds", range(3))
def test_who_is_asked_what_does_not_depend_on_timing(tmp_path: Path, rounds: int) -> None:
    known = {"s2": ("1", "3", "5"), "dblp": ("2", "4"), "crossref": ()}
    stubs = {n: Stub(n, lambda title, e=ends: title.endswith(e)) for n, ends in known.items()}
    paces = {"s2": 1.0, "dblp": 1.0, "crossref": 1.0}
    queries = {n: query(n) for n in range(1, 7)}
    verdicts = search_titles(book(tmp_path, paces), queries, list(stubs.values()))
    outcomes = {n: v.outcome for n, v in verdicts.items()}
    assert outcomes == {n: match.Outcome.ACCEPTED for n in range(1, 6)} | {6: match.Outcome.NONE}
    # Each title asks its planned services in order, up to the first that knows it; one that
    # none knows, up to the second service that offered nothing.
    expected: dict[str, list[str]] = {name: [] for name in stubs}
    titles = [q.title for q in queries.values()]
    for title, order in zip(titles, orders(titles, paces), strict=True):
        for asked, service in enumerate(order, 1):
            expected[service].append(title)
            found = bool(known[service]) and title.endswith(known[service])
            if found or (title.endswith("6") and asked == 2):
                break
    for name, stub in stubs.items():
        assert sorted(stub.asked) == sorted(expected[name]), name


def test_a_title_nobody_could_be_asked_names_the_failures(tmp_path: Path) -> None:
    s2 = Stub("s2", lambda title: True, fails=True)
    dblp = Stub("dblp", lambda title: False)
    answers = book(tmp_path, {"s2": 0.0, "dblp": 0.0})
    (verdict,) = search_titles(answers, {0: query(0)}, [s2, dblp]).values()
    assert verdict.outcome is match.Outcome.NONE
    assert verdict.unasked == ("s2: service unavailable (no response)",)
    assert "not asked: s2: service unavailable (no response)" in verdict.reason
    assert len(s2.asked) == len(dblp.asked) == 1


class Offers(Stub):
    """A searcher that offers `titles` (by Tester) whatever it is asked."""

    def __init__(self, name: str, titles: tuple[str, ...] = (), fails: bool = False) -> None:
        super().__init__(name, lambda title: False, fails)
        self.titles = titles

    def search(self, http: object, service: ServiceConfig, query: TitleQuery) -> list[Record]:
        super().search(http, service, query)
        author = (Person(family="Tester", given="Ada"),)
        return [Record(self.SERVICE, "article", t, author, year="2023") for t in self.titles]


UNRELATED = ("Sparse Routing in Mixture of Experts", "A Study of Distinct Numbers")
PACES = {"s2": 0.0, "dblp": 0.0, "crossref": 0.0, "openalex": 0.0}  # asked in this order


def test_a_title_no_service_comes_near_stops_after_two_answers(tmp_path: Path) -> None:
    stubs = [Offers(name, UNRELATED) for name in PACES]
    (verdict,) = search_titles(book(tmp_path, PACES), {0: query(0)}, stubs).values()
    assert [len(stub.asked) for stub in stubs] == [1, 1, 0, 0]
    assert verdict.outcome is match.Outcome.NONE and verdict.unasked == ()
    assert verdict.reason.startswith("closest candidate")
    assert len(verdict.candidates) == 4  # what was offered stays for the report


@pytest.mark.parametrize(
    "lookalike",
    [
        "A Distinct Study of Sparse Routing Number 0 in Vision",  # adds words: near, refused
        "A Distinct Study of Sparse Routing Number 0",  # the title, by another first author
    ],
)
def test_a_near_candidate_keeps_the_title_going_to_every_service(
    tmp_path: Path, lookalike: str
) -> None:
    stubs = [Offers("s2", (lookalike,)), *(Offers(name) for name in list(PACES)[1:])]
    asked = query(0) if "Vision" in lookalike else replace(query(0), first_author="Someone")
    (verdict,) = search_titles(book(tmp_path, PACES), {0: asked}, stubs).values()
    assert [len(stub.asked) for stub in stubs] == [1, 1, 1, 1]
    assert verdict.outcome is match.Outcome.NONE


def test_a_failed_search_is_no_answer_the_title_stays_incomplete(tmp_path: Path) -> None:
    stubs = [Offers("s2", fails=True), Offers("dblp"), Offers("crossref"), Offers("openalex")]
    (verdict,) = search_titles(book(tmp_path, PACES), {0: query(0)}, stubs).values()
    assert [len(stub.asked) for stub in stubs] == [1, 1, 1, 0]  # two real answers, then stop
    assert verdict.outcome is match.Outcome.NONE
    assert verdict.unasked == ("s2: service unavailable (no response)",)
    # Every search failing: every service is asked, and all are named.
    failing = [Offers(name, fails=True) for name in PACES]
    (verdict,) = search_titles(book(tmp_path, PACES), {0: query(0)}, failing).values()
    assert [len(stub.asked) for stub in failing] == [1, 1, 1, 1] and len(verdict.unasked) == 4


def test_a_title_found_at_the_third_service_after_two_near_misses(tmp_path: Path) -> None:
    near_miss = ("A Distinct Study of Sparse Routing Number 0 Revisited",)
    stubs = [Offers("s2", near_miss), Offers("dblp", near_miss),
             Stub("crossref", lambda title: True), Offers("openalex")]  # fmt: skip
    (verdict,) = search_titles(book(tmp_path, PACES), {0: query(0)}, stubs).values()
    assert verdict.outcome is match.Outcome.ACCEPTED
    assert verdict.records[0].source == "crossref"
    assert [len(stub.asked) for stub in stubs] == [1, 1, 1, 0]
