"""Stand-ins for Semantic Scholar: when it cannot be asked about a preprint (throttled, down or
not configured), OpenAlex's works (`filter=doi:`, 100 a request) say where it was published: in
the same work, or in one OpenAlex keeps apart and `match.choose` joins by title, authors and
year. DBLP is searched by title for a preprint OpenAlex joins to nothing. Also DBLP's title
search for a paper whose venue year is in doubt."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from list2bib.errors import ServiceError
from list2bib.model import Record, WorkKind
from list2bib.resolve import match
from list2bib.resolve.book import Evidence, Lookups
from list2bib.resolve.sources import Searcher, TitleQuery, arxiv, dblp, openalex, s2
from list2bib.text.identity import folded_name, published_doi


def find_on_dblp(book: Lookups, arxiv_id: str, known: Record, evidence: str) -> None:
    """Search DBLP for the venue record of a paper whose title and authors are known."""
    if (found := _search_published(book, dblp, known)) is not None:
        book.add_published(arxiv_id, found, evidence)


def _search_published(
    book: Lookups,
    searcher: Searcher,
    known: Record,
    year: str | None = None,
    usable: Callable[[Record], bool] = lambda record: True,
) -> Record | None:
    """The published record `searcher` finds by the title of a paper whose title and authors are
    known, when `match.choose` accepts it (title, first author, `year` within one) among those
    offered; None when the search fails or nothing is accepted."""
    if not book.configured(searcher.SERVICE):
        return None
    first = known.authors[0].family if known.authors else None
    query = TitleQuery(known.title, first, year)
    try:
        offered = searcher.search(book.http, book.config.service(searcher.SERVICE), query)
    except ServiceError:
        return None
    published = [r for r in offered if r.kind is WorkKind.PUBLISHED and usable(r)]
    verdict = match.choose(query, published)
    return verdict.records[0] if verdict.outcome is match.Outcome.ACCEPTED else None


def ask_openalex_when_s2_failed(book: Lookups, arxiv_ids: Iterable[str]) -> None:
    """Semantic Scholar throttled, down or not configured: OpenAlex's works for the preprints it
    could not be asked about (100 a request), read for their published versions."""
    if book.configured(s2.SERVICE):
        failed = book.lookup(s2).failed
        arxiv_ids = [a for a in arxiv_ids if s2.arxiv_key(a) in failed]
    book.fetch(openalex, sorted(arxiv_ids))
    for arxiv_id in sorted(arxiv_ids):
        _apart_on_openalex(book, arxiv_id)


_APART = "apart from the preprint; joined by title, authors and year"


def _apart_on_openalex(book: Lookups, arxiv_id: str) -> None:
    """OpenAlex sometimes keeps a preprint and its venue version as two works. A preprint it
    knows only as a preprint (and whose published DOI nothing names) is searched there by its
    title: a work with a DOI and a journal or conference is taken when `match.choose` accepts it
    (title, first author, year within one) and it names the same authors, never another preprint
    or another arXiv id's work."""
    work = book.found(openalex, arxiv_id)
    preprint = book.found(arxiv, arxiv_id) or work
    if work is None or work.kind is not WorkKind.PREPRINT or arxiv_id in book.extra_published:
        return
    if preprint is None or preprint.published_doi:
        return

    def usable(record: Record) -> bool:
        return (
            bool(record.published_doi)
            and record.arxiv_id in (None, arxiv_id)
            and _same_authors(preprint, record)
        )

    found = _search_published(book, openalex, preprint, preprint.year, usable)
    if found is not None:
        evidence = f"OpenAlex keeps doi:{found.published_doi} {_APART}"
        book.add_published(arxiv_id, found, evidence)


def published_on_openalex(book: Lookups, arxiv_ids: Iterable[str]) -> None:
    """A published version OpenAlex keeps in the same work as the preprint (its arXiv copy among
    the work's locations), or apart from it and joined by title (`_apart_on_openalex`): Crossref's
    record of its DOI when fetched, else OpenAlex's own."""
    for arxiv_id in arxiv_ids:
        if (work := _joined_on_openalex(book, arxiv_id)) is not None:
            named = published_doi(work)
            evidence = f"OpenAlex joins the preprint to doi:{named}"
        elif (apart := apart_joined(book, arxiv_id)) is not None:
            work, evidence = apart
            named = published_doi(work)
        else:
            continue
        book.add_published(arxiv_id, book.by_doi(named) or work, evidence)


def _same_authors(a: Record, b: Record) -> bool:
    """Both name the same authors (family names, in any order), as a preprint and its venue
    version do; a look-alike with the same title and first author seldom does."""
    families = [sorted(folded_name(p.family) for p in r.authors) for r in (a, b)]
    return bool(families[0]) and families[0] == families[1]


def apart_joined(book: Lookups, arxiv_id: str) -> tuple[Record, str] | None:
    """The published work (OpenAlex's, or Crossref's of its DOI) joined to this preprint by title
    on OpenAlex, if one was."""
    joined = book.extra_published.get(arxiv_id)
    return joined if joined is not None and joined[1].endswith(_APART) else None


def _joined_on_openalex(book: Lookups, arxiv_id: str) -> Record | None:
    """The published work OpenAlex keeps this very preprint in, if it was asked and has one."""
    work = book.found(openalex, arxiv_id)
    if work is None or work.kind is not WorkKind.PUBLISHED or work.arxiv_id != arxiv_id:
        return None
    return work


def search_dblp_when_s2_failed(book: Lookups, arxiv_ids: Iterable[str]) -> None:
    """Semantic Scholar down: find the published version of each preprint on DBLP by title (unless
    OpenAlex keeps it in the same work as its published version)."""
    failed = book.lookup(s2).failed
    if not failed:
        return
    for arxiv_id in arxiv_ids:
        preprint = book.found(arxiv, arxiv_id)
        if _joined_on_openalex(book, arxiv_id) or apart_joined(book, arxiv_id):
            continue
        if preprint is not None and not preprint.published_doi and s2.arxiv_key(arxiv_id) in failed:
            find_on_dblp(book, arxiv_id, preprint, Evidence.DBLP_SEARCH)
