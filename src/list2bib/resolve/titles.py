"""Title searches spread over the services that search by title, each at its own pace: two
workers per service (one slow answer does not stop the rest), so a slow service never holds up a
fast one.

Which services a title is asked, and in what order, is fixed by the title before anything is asked
(never by timing or by the other titles of the run, so a warm run asks exactly what the cold one
did, and a refresh what the build did): the first service is drawn from the title among those
whose answers name a work's arXiv version beside its published one, each taking a share in
proportion to its pace; the others follow fastest first (`searchers` order among equals). A title
stops at the first accepted match (`match.choose` decides over every candidate offered so far), or
once two services answered and neither offered a near candidate (`match.near`): a title nobody
knows then costs two fast requests, not one at every service. A title with a near candidate goes
on to every service; a failed search is never a "no"."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from list2bib.errors import ServiceError
from list2bib.model import Record
from list2bib.resolve import match
from list2bib.resolve.book import Lookups, worker_pool
from list2bib.resolve.sources import Searcher, TitleQuery

# Answers with no near candidate after which a title is taken to be unknown.
NOTHING_NEAR_ENOUGH = 2
# Searches under way at one service: its pace (the limiter) still spaces the sending; a second
# keeps that pace while an answer is slow in coming or a search times out. No more: Crossref's
# polite pool allows 3 requests at once (`x-concurrency-limit`), and a DOI batch may be the third.
WORKERS_PER_SERVICE = 2


@dataclass
class _Title:
    query: TitleQuery
    order: tuple[str, ...]
    offered: list[Record] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    asked: int = 0  # how many of `order` were asked (failed or not)
    answered: int = 0  # answers so far (failures are none)
    near: bool = False  # some service offered a near candidate


def orders(
    titles: Sequence[str], paces: Mapping[str, float], firsts: Collection[str] = ()
) -> list[tuple[str, ...]]:
    """The services each title is asked, in order (`paces`: seconds between requests, the most
    likely service first). A title's first service is one of `firsts` (all when none of them is
    in `paces`), drawn from the title itself, each taking a share of titles in proportion to its
    rate: so a title is asked the same way whatever else the run holds (a refresh of a few
    entries gets the records the full build got). The others follow fastest first: the two
    answers that end the search for a title nobody knows come from fast services."""
    services = list(paces)
    followers = sorted(services, key=lambda s: paces[s])  # stable: equals keep their order
    leading = [s for s in services if s in firsts] or services
    unpaced = [s for s in leading if paces[s] <= 0]  # as fast as can be: they take every title
    rates = {s: 1.0 / paces[s] for s in leading} if not unpaced else {}
    total = sum(rates.values())
    result = []
    for title in titles:
        first = unpaced[0] if unpaced else leading[-1]
        point = _draw(title) * total
        for service in rates:
            point -= rates[service]
            if point < 0:
                first = service
                break
        result.append((first, *(s for s in followers if s != first)))
    return result


def _draw(title: str) -> float:
    """A number in [0, 1) fixed by the title's words (case and spacing aside)."""
    words = " ".join(title.casefold().split()).encode("utf-8")
    return int.from_bytes(hashlib.sha256(words).digest()[:8], "big") / 2**64


class _Board:
    """The titles still open, shared by the services' workers under one condition."""

    def __init__(
        self,
        queries: Mapping[int, TitleQuery],
        paces: Mapping[str, float],
        firsts: Collection[str],
    ) -> None:
        planned = orders([q.title for q in queries.values()], paces, firsts)
        self._titles = {
            n: _Title(q, order) for (n, q), order in zip(queries.items(), planned, strict=True)
        }
        self._ready: dict[str, deque[int]] = {service: deque() for service in paces}
        # Titles each service may still be asked for (ready, being searched or to come).
        self._owed: Counter[str] = Counter()
        for n, title in self._titles.items():
            self._ready[title.order[0]].append(n)
            self._owed.update(title.order)
        self._lock = threading.Condition()
        self.verdicts: dict[int, match.Verdict] = {}

    def take(self, service: str) -> tuple[int, TitleQuery] | None:
        """The next title for `service`, waiting while some may still come its way; None once
        none can."""
        with self._lock:
            while not self._ready[service]:
                if not self._owed[service]:
                    return None
                self._lock.wait()
            n = self._ready[service].popleft()
            return n, self._titles[n].query

    def done(self, service: str, n: int, records: Sequence[Record] = (), failure: str = "") -> bool:
        """What `service` answered for title `n`; True when that settled the title."""
        with self._lock:
            title = self._titles[n]
            title.asked += 1
            self._owed[service] -= 1
            title.offered += records
            if failure:
                title.failures.append(failure)
            else:
                title.near = title.near or any(match.near(title.query.title, r) for r in records)
                title.answered += 1
            verdict = match.choose(title.query, title.offered)
            rest = title.order[title.asked :]
            unknown = not title.near and title.answered >= NOTHING_NEAR_ENOUGH
            settled = verdict.outcome is match.Outcome.ACCEPTED or not rest or unknown
            if settled:
                self.verdicts[n] = _final(verdict, title.failures)
                self._owed.subtract(rest)
            else:
                self._ready[rest[0]].append(n)
            self._lock.notify_all()
            return settled


def _final(verdict: match.Verdict, failures: Sequence[str]) -> match.Verdict:
    """The verdict, naming the services that could not be asked (when no candidate was taken)."""
    if not failures or verdict.outcome is match.Outcome.ACCEPTED:
        return verdict
    if verdict.outcome is match.Outcome.NONE:
        reason = f"{verdict.reason}; not asked: {'; '.join(failures)}"
        return match.Verdict(verdict.outcome, (), verdict.candidates, reason, tuple(failures))
    return replace(verdict, unasked=tuple(failures))


def search_titles(
    book: Lookups,
    queries: Mapping[int, TitleQuery],
    searchers: Sequence[Searcher],
    settled: Callable[[], None] = lambda: None,
    firsts: Collection[str] = (),
) -> dict[int, match.Verdict]:
    """A verdict for every query (by its number), asking the configured `searchers`, each title
    first one of the `firsts` services; `settled` is called as each title is decided."""
    usable = [s for s in searchers if book.configured(s.SERVICE)]
    if not usable:
        return {n: match.choose(query, []) for n, query in queries.items()}
    board = _Board(
        queries, {s.SERVICE: book.config.service(s.SERVICE).min_interval for s in usable}, firsts
    )

    def work(searcher: Searcher) -> None:
        service = book.config.service(searcher.SERVICE)
        while (taken := board.take(searcher.SERVICE)) is not None:
            n, query = taken
            try:
                records = searcher.search(book.http, service, query)
            except ServiceError as exc:
                decided = board.done(searcher.SERVICE, n, failure=str(exc))
            except BaseException:
                board.done(searcher.SERVICE, n, failure="the search failed")  # others go on
                raise
            else:
                decided = board.done(searcher.SERVICE, n, records)
            if decided:
                settled()

    workers = [s for s in usable for _ in range(WORKERS_PER_SERVICE)]
    with worker_pool(book.http, len(workers)) as pool:
        for future in [pool.submit(work, searcher) for searcher in workers]:
            future.result()
    return board.verdicts
