"""What the services said -> one record per list entry, with the evidence for it.

`settle` picks, for one entry, from the answers `lookups.Lookups` holds, the preprint and its
published version, checks they are one work, and says why it believes the result. Nothing here
makes a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from list2bib.model import Identifier, IdKind, ListEntry, Record, Resolution, Status, WorkKind
from list2bib.resolve import bibinput, match, proceedings, sources, venues
from list2bib.resolve.book import Lookups, ids_of
from list2bib.resolve.sources import acl, arxiv, crossref, dblp, doi, openreview, page, s2
from list2bib.text.addresses import url_refusal
from list2bib.text.identifiers import arxiv_doi
from list2bib.text.identity import published_doi
from list2bib.text.titles import title_similarity, words_missing_from

# Below this similarity a published record is not trusted to be the preprint's publication.
SAME_WORK_SIMILARITY = 80.0


@dataclass
class _Notes:
    problems: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    lint: list[str] = field(default_factory=list)


def settle(
    entry: ListEntry,
    ids: tuple[Identifier, ...],
    book: Lookups,
    verdict: match.Verdict | None,
) -> Resolution:
    notes = _Notes()
    notes.lint.extend(_local_links(entry, ids, book))
    direct: Record | None = None
    if verdict is not None:
        if verdict.outcome is match.Outcome.AMBIGUOUS:
            notes.problems.append(verdict.reason)
            return _resolution(entry, Status.AMBIGUOUS, ids, None, notes, verdict, book)
        if verdict.outcome is match.Outcome.NONE:
            prefix = "" if ids else f"{NO_IDENTIFIER}; "
            if ids and all(i.kind is IdKind.URL for i in ids):
                prefix = "its link is not a readable web page (a PDF, or gone); "
            notes.problems.append(f"{prefix}title search: {verdict.reason}")
        else:
            best = verdict.records[0]
            score = max(
                (c.score for c in verdict.candidates if c.record in verdict.records), default=0
            )
            sources = ", ".join(dict.fromkeys(r.source for r in verdict.records))
            notes.evidence.append(f"title match ({score:.0f}) via {sources}")
            ids = ids + tuple(i for r in verdict.records for i in ids_of(r) if i not in ids)
            direct = best

    web: Record | None = None
    for identifier in ids:
        if identifier.kind is IdKind.URL and (found := book.found(page, identifier.value)):
            web = found
            ids = ids + _same_titled_links(entry, found, book, notes, ids)
            break

    preprint = _preprint(ids, book, notes)
    published = _listed_publication(ids, book, notes) or _announced(preprint, ids, book, notes)
    if published is None and direct is not None and direct.kind is WorkKind.PUBLISHED:
        published = direct
    if preprint is None and direct is not None and direct.kind is not WorkKind.PUBLISHED:
        preprint = direct
    record = _combine_versions(preprint, published, notes)
    if record is None and web is not None:
        record = web
        notes.evidence.append(f"metadata of the page {web.url or ''}".strip())
    if record is None:
        _explain_nothing(ids, book, notes)
    else:
        if (
            entry.title
            and words_missing_from(entry.title, record.title)
            and match.title_agreement(entry.title, record.title)[1] is not None
        ):
            notes.problems.append(
                f"check the link: the list says {entry.title!r} but it points to {record.title!r}"
            )
        if entry.venue_hint and record.kind is WorkKind.PUBLISHED:
            disagreement = venues.hint_agrees(entry.venue_hint, record)
            if disagreement:
                notes.lint.append(f"{entry.where}: {disagreement}")
    status = Status.UNRESOLVED if record is None else Status.RESOLVED
    return _resolution(entry, status, ids, record, notes, verdict, book)


def _local_links(entry: ListEntry, ids: Sequence[Identifier], book: Lookups) -> list[str]:
    """Findings for links to this machine or a private network, as written or as only
    resolving the host (or a redirect) showed: never fetched."""
    shown = book.lookup(page).refused
    urls = [i.value for i in ids if i.kind is IdKind.URL]
    refused = ((url, url_refusal(url) or shown.get(url)) for url in urls)
    return [f"{entry.where}: {url} is not fetched ({why})" for url, why in refused if why]


def _resolution(
    entry: ListEntry,
    status: Status,
    ids: tuple[Identifier, ...],
    record: Record | None,
    notes: _Notes,
    verdict: match.Verdict | None,
    book: Lookups,
) -> Resolution:
    if record is not None:  # one name per venue, its volume and publisher
        record = proceedings.complete(record, ids, short=book.config.short_venues)
    if entry.fields:  # from a .bib: never write it back worse than it was
        record = bibinput.combine(record, entry, notes.problems)
    candidates = (
        verdict.candidates if verdict and verdict.outcome is not match.Outcome.ACCEPTED else ()
    )
    return Resolution(
        entry,
        status,
        ids,
        record or fallback_record(entry, ids),
        tuple(dict.fromkeys(notes.problems)),
        evidence=tuple(dict.fromkeys(notes.evidence)),
        candidates=candidates,
        lint=tuple(dict.fromkeys(notes.lint)),
        incomplete=_incomplete(ids, book, record, verdict),
    )


_FETCHED_BY_ID: tuple[sources.Source, ...] = (arxiv, s2, openreview, dblp, acl, page)


def _incomplete(
    ids: Sequence[Identifier], book: Lookups, record: Record | None, verdict: match.Verdict | None
) -> bool:
    """Whether a service failed for good on anything this entry needed: one of its ids, the DOI
    of its published version, or a title search that found nothing."""
    if verdict is not None and verdict.unasked and verdict.outcome is not match.Outcome.ACCEPTED:
        return True
    for source in _FETCHED_BY_ID:
        failed = book.lookup(source).failed
        if failed and any(source.key_of(i) in failed for i in ids):
            return True
    dois = {k for i in ids if (k := crossref.key_of(i))}
    dois |= {d for r in book.records_of(ids) if (d := published_doi(r))}
    if record is not None and record.doi:
        dois.add(record.doi.lower())
    failed_dois = book.lookup(crossref).failed.keys() | book.lookup(doi).failed.keys()
    return any(d in failed_dois and not book.has_doi(d) for d in dois)


def _same_titled_links(
    entry: ListEntry, web: Record, book: Lookups, notes: _Notes, ids: tuple[Identifier, ...]
) -> tuple[Identifier, ...]:
    """The papers a page links whose title is the page's (or the list's): the page's paper."""
    for linked in book.related(web.url or "") or book.related(_page_key(ids)):
        record = book.found(arxiv, arxiv.key_of(linked)) or book.by_doi(doi.key_of(linked))
        record = record or book.found(openreview, openreview.key_of(linked))
        if record is None:
            continue
        titles = [t for t in (entry.title, web.title) if t]
        if any(match.title_agreement(t, record.title)[1] is None for t in titles):
            notes.evidence.append(f"the page links {linked} of the same title")
            return (linked,)
        notes.problems.append(
            f"the page links {linked} ({record.title!r}): another title, not used"
        )
    return ()


def _page_key(ids: tuple[Identifier, ...]) -> str:
    return next((i.value for i in ids if i.kind is IdKind.URL), "")


def _preprint(ids: Sequence[Identifier], book: Lookups, notes: _Notes) -> Record | None:
    for identifier in ids:
        key = arxiv.key_of(identifier)
        if not key:
            continue
        record = book.found(arxiv, key)
        if record is not None:
            notes.evidence.append(f"arXiv {key}")
            return record
        scholar = book.found(s2, s2.key_of(identifier))
        if key in book.lookup(arxiv).failed and scholar is not None:
            notes.evidence.append(f"Semantic Scholar's record of arXiv {key} (arXiv was down)")
            return _as_preprint(scholar, key)
        datacite = book.found(doi, arxiv_doi(key).lower())
        if datacite is not None:
            notes.evidence.append(f"arXiv {key} through its DataCite DOI (arXiv did not answer)")
            return datacite
        answer = book.lookup(arxiv)
        if arxiv_doi(key).lower() in book.lookup(doi).missing:
            notes.problems.append(f"{identifier}: no such record (nor a DataCite DOI for it)")
        elif key in answer.failed:
            notes.problems.append(f"{identifier}: {answer.failed[key]}")
        elif key in answer.missing:
            notes.problems.append(f"{identifier}: no such record")
    return None


def _as_preprint(scholar: Record, arxiv_id: str) -> Record:
    """The arXiv side of an index's record: what a preprint entry needs, nothing of the venue."""
    return replace(
        scholar,
        entry_type="misc",
        kind=WorkKind.PREPRINT,
        venue={},
        doi=arxiv_doi(arxiv_id),
        arxiv_id=arxiv_id,
        url=arxiv.ABS_URL + arxiv_id,
        published_doi=None,
    )


def _listed_publication(ids: Sequence[Identifier], book: Lookups, notes: _Notes) -> Record | None:
    """A record the list links directly: a DOI, an ACL Anthology, OpenReview or DBLP page."""
    for identifier in ids:
        if identifier.kind is IdKind.DOI or identifier.kind is IdKind.ACL:
            value = doi.key_of(identifier)
            record = book.by_doi(value)
            if record is None and identifier.kind is IdKind.ACL:
                record = book.found(acl, acl.key_of(identifier))
            if record is not None:
                notes.evidence.append(f"{identifier} ({record.source})")
                return record
            why = _doi_failure(value, book) if value else None
            if why:
                notes.problems.append(f"{identifier}: {why}")
        elif identifier.kind in (IdKind.OPENREVIEW, IdKind.DBLP):
            source: sources.Source = openreview if identifier.kind is IdKind.OPENREVIEW else dblp
            key = source.key_of(identifier)
            record = book.found(source, key)
            if record is not None:
                notes.evidence.append(f"{identifier} ({record.source})")
                return record
            answer = book.lookup(source)
            if key in answer.failed:
                notes.problems.append(f"{identifier}: {answer.failed[key]}")
            elif key in answer.missing:
                notes.problems.append(f"{identifier}: no such record")
    return None


def _announced(
    preprint: Record | None, ids: Sequence[Identifier], book: Lookups, notes: _Notes
) -> Record | None:
    """The published version of a preprint: the DOI arXiv names, else what Semantic Scholar
    says (its DOI, or its venue record), else DBLP's record when Semantic Scholar was down."""
    if preprint is None or preprint.kind is WorkKind.PUBLISHED:
        return None
    unfetched: list[str] = []
    if preprint.published_doi:
        record = book.by_doi(preprint.published_doi)
        if record is not None:
            notes.evidence.append(f"arXiv names doi:{preprint.published_doi}")
            return record
        why = _doi_failure(preprint.published_doi, book) or "no such record"
        unfetched.append(f"doi:{preprint.published_doi}: {why}")
    found = _from_scholar(preprint, book, notes, unfetched)
    if found is None and unfetched:
        notes.problems.extend(unfetched)
        notes.problems.append("kept the preprint: its published version could not be fetched")
    return found


def _from_scholar(
    preprint: Record, book: Lookups, notes: _Notes, unfetched: list[str]
) -> Record | None:
    if not preprint.arxiv_id:
        return None
    key = s2.arxiv_key(preprint.arxiv_id)
    scholar = book.found(s2, key)
    if scholar is not None:
        named = published_doi(scholar)
        if named and (record := book.by_doi(named)) is not None:
            notes.evidence.append(f"Semantic Scholar names doi:{named}")
            return record
        if named and named != preprint.published_doi:
            unfetched.append(f"doi:{named}: {_doi_failure(named, book) or 'no such record'}")
        checked = book.found(dblp, scholar.dblp_key)
        if scholar.kind is WorkKind.PUBLISHED and checked and checked.kind is WorkKind.PUBLISHED:
            notes.evidence.append(f"DBLP {scholar.dblp_key} (its venue record)")
            return checked
        if scholar.kind is WorkKind.PUBLISHED and (found := _found_on_dblp(preprint, book, notes)):
            return found
        if scholar.kind is WorkKind.PUBLISHED:
            where = scholar.venue.get("booktitle") or scholar.venue.get("journal") or "a venue"
            notes.evidence.append(f"Semantic Scholar: published in {where} {scholar.year or ''}")
            return scholar
        return None
    if found := _found_on_dblp(preprint, book, notes):
        return found
    failed = book.lookup(s2).failed
    if key in failed:
        notes.problems.append(f"not checked for a published version: {failed[key]}")
    return None


def _found_on_dblp(preprint: Record, book: Lookups, notes: _Notes) -> Record | None:
    """The venue record a stand-in for Semantic Scholar found for this preprint (OpenAlex's work
    joining it, or a DBLP search), if one was made."""
    found = book.extra_published.get(preprint.arxiv_id or "")
    if found is None:
        return None
    record, evidence = found
    notes.evidence.append(evidence)
    return record


def _doi_failure(value: str, book: Lookups) -> str | None:
    """Why a DOI has no record, as doi.org (else Crossref) said; None when neither was asked."""
    for source in (doi, crossref):
        answer = book.lookup(source)
        if value in answer.failed:
            return answer.failed[value]
    if value in book.lookup(doi).missing or value in book.lookup(crossref).missing:
        return "no such record"
    return None


def _combine_versions(
    preprint: Record | None, published: Record | None, notes: _Notes
) -> Record | None:
    """Published metadata with the arXiv fields kept, when both are provably the same work."""
    if preprint is None or published is None:
        return published or preprint
    if published.kind is not WorkKind.PUBLISHED:
        return preprint
    if not same_work_titles(preprint.title, published.title):
        label = f"doi:{published.doi}" if published.doi else f"the {published.source} record"
        notes.problems.append(
            f"{label} has a different title ({published.title!r}); kept the arXiv record"
        )
        # Forget the claim too, or deduplication would still treat the DOI as this work's.
        return replace(preprint, published_doi=None)
    combined = replace(
        published,
        arxiv_id=preprint.arxiv_id,
        primary_class=preprint.primary_class,
        authors=published.authors or preprint.authors,
        abstract=published.abstract or preprint.abstract,
    )
    if published.source in INDEXES:
        # An index's copy of the title and names is no better than the authors' own on arXiv,
        # and its date is often the preprint's: no month is better than the preprint's month.
        combined = replace(combined, title=preprint.title, authors=preprint.authors, month=None)
        if not published.url or "arxiv.org/" in published.url:
            combined = replace(combined, url=preprint.url)
    return combined


# Services that index publications rather than publish them: their venue is trusted, their
# spelling of titles and names less than the authors' own.
INDEXES = frozenset({"s2", "dblp"})


def same_work_titles(preprint: str, published: str) -> bool:
    """Whether a published title can be the preprint's: close overall, and no word replaced by
    another ('... in Mamba' vs '... in GPT'). Words only added or dropped are fine: journals add
    subtitles and drop project names ('ChemCrow: Augmenting ...' -> 'Augmenting ...')."""
    if title_similarity(preprint, published) < SAME_WORK_SIMILARITY:
        return False
    return not (words_missing_from(preprint, published) and words_missing_from(published, preprint))


NO_IDENTIFIER = "no arXiv id, DOI or other identifier in its links"
# Why an entry whose only identifiers are of these kinds stays as the list wrote it.
_NOT_LOOKED_UP = {
    IdKind.URL: "a web page whose metadata could not be read: kept as the list gives it",
    IdKind.PMLR: "a PMLR proceedings page: no title match either",
    IdKind.NEURIPS: "a NeurIPS proceedings page: no title match either",
    IdKind.S2: "Semantic Scholar records are not looked up by their own id",
}


def _explain_nothing(ids: Sequence[Identifier], book: Lookups, notes: _Notes) -> None:
    if not ids:
        if not notes.problems:
            notes.problems.append(NO_IDENTIFIER)
        return
    for identifier in ids:
        if identifier.kind is IdKind.URL:
            answer = book.lookup(page)
            if identifier.value in answer.failed:
                notes.problems.append(f"{identifier.value}: {answer.failed[identifier.value]}")
    if not notes.problems:
        notes.problems.append(_NOT_LOOKED_UP.get(ids[0].kind, "its links are not looked up"))


def fallback_record(entry: ListEntry, ids: tuple[Identifier, ...]) -> Record:
    """A `@misc` from the list's own data: its title, first link and year; nothing invented."""
    url = next((i.value for i in ids if i.kind is IdKind.URL), None)
    if url is None and entry.links:
        url = entry.links[0].url if entry.links[0].url.startswith("http") else None
    venue: dict[str, str] = {}
    kind = WorkKind.UNRESOLVED
    if ids and all(i.kind is IdKind.URL for i in ids) and url:
        kind = WorkKind.WEB
        venue["howpublished"] = urlsplit(url).netloc.removeprefix("www.")
    # The identifiers are facts of the link, so the placeholder keeps them: it is then the same
    # work as the entry a later (or earlier) run resolves. Only a DOI the list wrote counts: one
    # derived from an Anthology id (`10.18653/v1/<id>`) may not exist (TACL's are MIT Press DOIs,
    # COLING 2018 has none) and no service confirmed it.
    arxiv_id = next((i.value for i in ids if i.kind is IdKind.ARXIV), None)
    listed_doi = next((i.value for i in ids if i.kind is IdKind.DOI), None)
    return Record(
        source="list",
        entry_type="misc",
        title=entry.title,
        year=_year_of(entry.date_hint)
        or venues.parse_hint(entry.venue_hint or "")[1]
        or _arxiv_year(arxiv_id),
        doi=None if arxiv_id else listed_doi,
        arxiv_id=arxiv_id,
        url=url,
        venue=venue,
        kind=kind,
    )


def _arxiv_year(arxiv_id: str | None) -> str | None:
    """The year a new-style arXiv id was given (`2211.11031`: 2022), a fact of the link."""
    if arxiv_id and len(arxiv_id) >= 4 and arxiv_id[:4].isdigit() and "." in arxiv_id:
        return f"20{arxiv_id[:2]}"
    return None


def _year_of(date_hint: str | None) -> str | None:
    if date_hint and len(date_hint) >= 4 and date_hint[:4].isdigit():
        return date_hint[:4]
    return None
