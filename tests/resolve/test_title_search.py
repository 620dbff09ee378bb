"""Title searches spread over the searching services: who is asked what is planned before any
request (never by timing), a title stops at its first accepted match, and a title nobody matched
has asked every service and names those that failed."""

from __future__ import annotations

import threading
from collections.abc import Callable
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


def test_the_first_titles_go_to_whichever_service_is_free_soonest() -> None:
    planned = orders(9, {"s2": 1.1, "dblp": 2.0, "crossref": 0.2})
    firsts = [order[0] for order in planned]
    assert firsts == ["s2", "dblp"] + ["crossref"] * 6 + ["s2"]
    assert planned[1] == ("dblp", "s2", "crossref")  # the rest in the given order


def test_without_paces_every_title_starts_at_the_first_service() -> None:
    assert set(orders(5, {"s2": 0.0, "dblp": 0.0})) == {("s2", "dblp")}


@pytest.mark.parametrize("rounds", range(3))
def test_who_is_asked_what_does_not_depend_on_timing(tmp_path: Path, rounds: int) -> None:
    s2 = Stub("s2", lambda title: title.endswith(("1", "3", "5")))
    dblp = Stub("dblp", lambda title: title.endswith(("2", "4")))
    crossref = Stub("crossref", lambda title: False)
    answers = book(tmp_path, {"s2": 1.0, "dblp": 1.0, "crossref": 1.0})
    verdicts = search_titles(answers, {n: query(n) for n in range(1, 7)}, [s2, dblp, crossref])
    outcomes = {n: v.outcome for n, v in verdicts.items()}
    assert outcomes == {n: match.Outcome.ACCEPTED for n in range(1, 6)} | {6: match.Outcome.NONE}
    # Planned: 1 -> s2, 2 -> dblp, 3 -> crossref then s2, 4 -> s2 then dblp, 5 -> dblp then s2,
    # 6 -> crossref, s2, dblp (nobody knows it).
    assert sorted(s2.asked) == sorted(query(n).title for n in (1, 3, 4, 5, 6))
    assert sorted(dblp.asked) == sorted(query(n).title for n in (2, 4, 5, 6))
    assert sorted(crossref.asked) == sorted(query(n).title for n in (3, 6))


def test_a_title_nobody_could_be_asked_names_the_failures(tmp_path: Path) -> None:
    s2 = Stub("s2", lambda title: True, fails=True)
    dblp = Stub("dblp", lambda title: False)
    answers = book(tmp_path, {"s2": 0.0, "dblp": 0.0})
    (verdict,) = search_titles(answers, {0: query(0)}, [s2, dblp]).values()
    assert verdict.outcome is match.Outcome.NONE
    assert verdict.unasked == ("s2: service unavailable (no response)",)
    assert "not asked: s2: service unavailable (no response)" in verdict.reason
    assert len(s2.asked) == len(dblp.asked) == 1
