"""List entries -> resolutions: ask each service once per batch, then settle every entry.

The order is what keeps a cold run cheap and a wrong match out:
1. project pages and blogs are read (their metadata, and the papers they link);
2. entries without any identifier are searched by title (`titles`: Semantic Scholar, DBLP,
   Crossref and OpenAlex at once, stopping at the first accepted match or once two services
   offered nothing near; `match.choose` decides);
3. every identifier found so far is looked up in batches: arXiv (`id_list`), Semantic Scholar
   (`/paper/batch`: the published venue and DOI of preprints), Crossref (`filter=doi:`), doi.org
   for DOIs Crossref does not know (DataCite), OpenReview, and the ACL Anthology; a DOI that a
   record announces is asked in the same round. When arXiv cannot be asked, its DataCite DOI is;
   when Semantic Scholar cannot, `standins` asks OpenAlex (`filter=doi:` by DataCite DOI); a
   preprint it keeps apart from its venue version is joined to it by title there (`match.choose`),
   and DBLP is searched for the title of a preprint OpenAlex joins to no published version.
4. `settle` turns what the services said into one record per entry.
Failures are data: they end up in the entry's problems, never in an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, wait

from list2bib.config import Config
from list2bib.infra.http import Http
from list2bib.model import (
    Identifier,
    IdKind,
    ListEntry,
    Record,
    Resolution,
    WorkKind,
)
from list2bib.resolve import match, settle, standins, titles, venues, wronglinks
from list2bib.resolve.book import (
    Lookups,
    NoProgress,
    Progress,
    ids_of,
    worker_pool,
)
from list2bib.resolve.sources import (
    Searcher,
    TitleQuery,
    acl,
    arxiv,
    crossref,
    dblp,
    dblp_volumes,
    doi,
    openalex,
    openreview,
    page,
    s2,
)
from list2bib.text.identifiers import arxiv_doi, entry_identifiers
from list2bib.text.identity import published_doi
from list2bib.text.names import split_name

CORR_KEY = "journals/corr/"  # DBLP's arXiv records
SIDE_POLL_SECONDS = 0.2  # how often the run's clock is read while pages and titles are asked
# The services that search by title, the most likely to answer first (resolve/titles.py asks
# them at once, each at its own pace).
SEARCHERS: tuple[Searcher, ...] = (s2, dblp, crossref, openalex)
# A title goes first to one of these: their answers name a published work's arXiv version too,
# so the entry has both versions whichever of them it is drawn to.
FIRST_SEARCHERS = frozenset({s2.SERVICE, openalex.SERVICE})
# Identifier kinds no service is asked for: the entry is searched by its title instead.
_TITLE_SEARCHED_KINDS = frozenset({IdKind.PMLR, IdKind.NEURIPS})


def title_query(entry: ListEntry) -> TitleQuery:
    first_author = None
    if entry.authors:
        try:
            first_author = split_name(entry.authors[0]).family or None
        except ValueError:
            first_author = None
    year = entry.date_hint[:4] if entry.date_hint and entry.date_hint[:4].isdigit() else None
    return TitleQuery(entry.title, first_author, year, entry.venue_hint)


def needs_title_search(ids: Sequence[Identifier]) -> bool:
    return all(i.kind in _TITLE_SEARCHED_KINDS for i in ids)


def resolve(
    entries: Sequence[ListEntry],
    http: Http,
    config: Config,
    progress: Progress | None = None,
) -> list[Resolution]:
    book = Lookups(http, config, progress or NoProgress())
    ids_by_entry = [entry_identifiers(e) for e in entries]
    listed = {i for ids in ids_by_entry for i in ids}
    titled = [n for n, entry in enumerate(entries) if entry.title.strip()]
    verdicts: dict[int, match.Verdict] = {}

    def pages_and_titles() -> None:
        # Pages (their metadata and the papers they link), and titles of entries with nothing
        # to look up; then the titles of links that turned out not to be pages (PDFs).
        with worker_pool(book.http, 2) as pool:
            pages = pool.submit(
                book.fetch, page, [i.value for ids in ids_by_entry for i in ids if _only_urls(ids)]
            )
            bare = [n for n in titled if needs_title_search(ids_by_entry[n])]
            _search_titles(book, entries, bare, verdicts)
            pages.result()
        pdfs = [n for n in titled if n not in verdicts and book.not_a_page(ids_by_entry[n])]
        _search_titles(book, entries, pdfs, verdicts)

    # 1. Different hosts at once: pages and title searches beside the full batches of the ids
    # the lists name (one host's pace never holds up the others).
    with worker_pool(book.http, 2) as pool:
        side = pool.submit(pages_and_titles)
        _listed_batches(book, listed, full_only=True)
        if not _done_before_half_the_time(book, side):
            _listed_batches(book, listed, full_only=False)  # round 2 asks only what is left
        side.result()
    # 2. Every identifier, including those pages and title matches named (only those not asked
    # yet): the last, partly filled batches wait for them, so overlapping costs no request.
    wanted = set(listed)
    wanted |= {i for url in book.page_urls() for i in book.related(url)}
    wanted |= {i for v in verdicts.values() for r in v.records for i in ids_of(r)}
    _lookup_identifiers(book, wanted)
    _check_years_on_dblp(book, entries, ids_by_entry)
    # 3. Entries whose link names another paper are looked up by their own title.
    wrong = _wrong_links(book, entries, ids_by_entry, verdicts)
    # 4. One record per entry.
    resolutions = [
        settle.settle(entry, ids, book, verdicts.get(n))
        for n, (entry, ids) in enumerate(zip(entries, ids_by_entry, strict=True))
    ]
    return [wronglinks.mark(r, wrong[n]) if n in wrong else r for n, r in enumerate(resolutions)]


def _wrong_links(
    book: Lookups,
    entries: Sequence[ListEntry],
    ids_by_entry: list[tuple[Identifier, ...]],
    verdicts: dict[int, match.Verdict],
) -> dict[int, wronglinks.WrongLink]:
    """Entries whose link names another paper lose that link and are searched by their own title;
    the records the searches name are looked up like any. Entry index -> its wrong link."""
    wrong = wronglinks.find(entries, ids_by_entry, book)
    for n, link in wrong.items():
        ids_by_entry[n] = tuple(i for i in ids_by_entry[n] if i not in link.dropped)
        verdicts.pop(n, None)
    _search_titles(book, entries, sorted(wrong), verdicts)
    _lookup_identifiers(book, {i for n in wrong for r in verdicts[n].records for i in ids_of(r)})
    return wrong


def _search_titles(
    book: Lookups,
    entries: Sequence[ListEntry],
    indices: Sequence[int],
    verdicts: dict[int, match.Verdict],
) -> None:
    if not indices:
        return
    book.progress.add(len(indices), "titles")
    queries = {n: title_query(entries[n]) for n in indices}
    verdicts.update(
        titles.search_titles(
            book, queries, SEARCHERS, lambda: book.progress.advance("titles"), FIRST_SEARCHERS
        )
    )


def _only_urls(ids: Sequence[Identifier]) -> bool:
    return bool(ids) and all(i.kind is IdKind.URL for i in ids)


def _listed_batches(book: Lookups, listed: set[Identifier], *, full_only: bool) -> None:
    """The batch services' batches of listed ids; with `full_only`, only full ones (a long
    list's bulk), the remainder being asked with whatever pages and titles add."""
    arxiv_ids = sorted({k for i in listed if (k := arxiv.key_of(i))})
    s2_keys = sorted({s2.arxiv_key(a) for a in arxiv_ids})
    dois = sorted({k for i in listed if (k := crossref.key_of(i))})
    for source, keys in ((arxiv, arxiv_ids), (s2, s2_keys), (crossref, dois)):
        if not book.configured(source.SERVICE):
            continue
        size = max(1, book.config.service(source.SERVICE).batch_size)
        book.fetch(source, keys[: len(keys) - len(keys) % size] if full_only else keys)


def _done_before_half_the_time(book: Lookups, side: Future[None]) -> bool:
    """Wait for the pages and title searches, but not past half the time left before the run's
    deadline: slow hosts there must not starve the listed ids' last batches, one request each."""
    left = book.http.limiter.time_left()
    if left is None:
        wait([side])
        return True
    clock = book.http.limiter.clock
    half_time = clock.monotonic() + left / 2
    while not side.done():
        if clock.monotonic() >= half_time:
            return False
        wait([side], timeout=SIDE_POLL_SECONDS)
    return True


def _lookup_identifiers(book: Lookups, wanted: set[Identifier]) -> None:
    arxiv_ids = sorted({k for i in wanted if (k := arxiv.key_of(i))})
    book.fetch(arxiv, arxiv_ids)
    # Where each preprint was published (one request per 500 ids): asked even when arXiv names
    # a DOI, so that Semantic Scholar can stand in when that DOI cannot be fetched, and for the
    # preprint itself when arXiv cannot be asked.
    book.fetch(s2, sorted({s2.arxiv_key(a) for a in arxiv_ids}))
    # arXiv throttled or down, and Semantic Scholar without the paper: the preprint through its
    # DataCite DOI (one request per id, so the last resort).
    unanswered = [
        a
        for a in arxiv_ids
        if a in book.lookup(arxiv).failed and book.found(s2, s2.arxiv_key(a)) is None
    ]
    book.fetch(doi, [arxiv_doi(a).lower() for a in unanswered])
    standins.ask_openalex_when_s2_failed(book, arxiv_ids)
    standins.search_dblp_when_s2_failed(book, arxiv_ids)

    dois = {k for i in wanted if (k := crossref.key_of(i))}
    dois |= {d for r in book.all_records() if (d := published_doi(r))}
    dois |= {
        d for a in arxiv_ids if (j := standins.apart_joined(book, a)) and (d := published_doi(j[0]))
    }
    dois |= {k for i in wanted if i.kind is IdKind.ACL and (k := doi.key_of(i))}
    book.fetch(crossref, sorted(dois))
    lookup = book.lookup(crossref)
    # Crossref answers only for its own DOIs: DataCite & co. through doi.org; and when Crossref
    # could not be asked at all, doi.org asks it one DOI at a time.
    book.fetch(doi, sorted(d for d in dois if d in lookup.missing or d in lookup.failed))
    standins.published_on_openalex(book, arxiv_ids)

    book.fetch(openreview, sorted({k for i in wanted if (k := openreview.key_of(i))}))
    book.fetch(dblp, sorted({k for i in wanted if (k := dblp.key_of(i))}))
    # The Anthology's own .bib for ACL papers whose DOI neither Crossref nor doi.org answered.
    acl_ids = {k for i in wanted if (k := acl.key_of(i))}
    book.fetch(acl, sorted(a for a in acl_ids if not book.has_doi(doi.ACL_DOI_PREFIX + a)))


def _check_years_on_dblp(
    book: Lookups, entries: Sequence[ListEntry], ids_by_entry: Sequence[Sequence[Identifier]]
) -> None:
    """Semantic Scholar often gives a conference paper the year of its preprint (LoRA: 2021 for
    ICLR 2022). When that year is in doubt (the list names another, or the preprint came after
    that year's meeting), DBLP settles it: its venue record when Semantic Scholar names one, else
    a title search. Records are asked per proceedings volume where that takes fewer requests
    (`dblp_volumes`), else one `.bib` each; none when no year is in doubt. Other DOI-less papers
    of a volume asked anyway get DBLP's record too (its proceedings page), at no cost; with
    `proceedings_urls` they are asked like the doubtful ones, for that page. A failed request
    leaves Semantic Scholar's record (the arXiv url): their year and venue are not in doubt."""
    records: list[str] = []
    riders: list[str] = []
    searches: dict[str, Record] = {}
    for entry, ids in zip(entries, ids_by_entry, strict=True):
        _, hinted_year, _ = venues.parse_hint(entry.venue_hint or "")
        for identifier in ids:
            scholar = book.found(s2, s2.key_of(identifier))
            if scholar is None or scholar.kind is not WorkKind.PUBLISHED or scholar.doi:
                continue
            venue_key = scholar.dblp_key if not _is_corr(scholar.dblp_key) else None
            preprint = book.found(arxiv, arxiv.key_of(identifier))
            if not _year_in_doubt(scholar, hinted_year, preprint):
                # Asked for its page unless arXiv names a DOI (that record, and its url, win).
                opted = book.config.proceedings_urls and not (preprint and preprint.published_doi)
                if venue_key:
                    (records if opted else riders).append(venue_key)
                continue
            if venue_key:
                records.append(venue_key)
            elif scholar.arxiv_id:
                searches[scholar.arxiv_id] = scholar
    asked = book.lookup(dblp)
    optional = {k for k in riders if k not in asked.found and k not in asked.missing}
    book.fetch(dblp_volumes.Volumes(frozenset(optional)), sorted(set(records)))
    for arxiv_id, scholar in sorted(searches.items()):
        standins.find_on_dblp(book, arxiv_id, scholar, "DBLP's venue record (the year checked)")


def _is_corr(key: str | None) -> bool:
    return bool(key) and str(key).startswith(CORR_KEY)


# The month a conference usually meets. A preprint first posted after it cannot have been at
# that year's meeting: Semantic Scholar's year is then the preprint's, and DBLP is asked.
_USUAL_MONTH = {
    "AAAI": 2, "AISTATS": 4, "ICLR": 5, "NAACL": 6, "CVPR": 6, "ICML": 7, "ACL": 7, "UAI": 7,
    "IJCAI": 8, "KDD": 8, "ECCV": 9, "COLM": 10, "ICCV": 10, "CoRL": 11, "EMNLP": 11,
    "NeurIPS": 12,
}  # fmt: skip


def _year_in_doubt(scholar: Record, hinted_year: str | None, preprint: Record | None) -> bool:
    """Whether a venue year from Semantic Scholar needs DBLP's word: the list names another
    year, or the preprint appeared after that year's meeting."""
    if hinted_year:
        return scholar.year != hinted_year
    venue = venues.record_venue(scholar)
    month = _USUAL_MONTH.get(venue.series or venue.short) if venue else None
    if month is None or preprint is None or preprint.year != scholar.year:
        return False
    return (preprint.month or 0) > month
