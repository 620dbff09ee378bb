"""List entries -> resolutions: ask each source once per batch, then settle every entry.

Identifiers are collected from all entries first so each service is asked in as few requests as it
allows (arXiv `id_list` batches), then DOIs, including the published DOIs arXiv announces. Failures
are data: an entry whose service failed keeps a clearly marked record built from the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Protocol
from urllib.parse import urlsplit

from list2bib import bibinput
from list2bib.config import Config
from list2bib.identifiers import identifiers_from_links, parse_identifier
from list2bib.model import (
    Identifier,
    IdKind,
    ListEntry,
    Record,
    Resolution,
    Status,
    WorkKind,
)
from list2bib.net import Http
from list2bib.sources import Lookup, arxiv, doi
from list2bib.titles import title_similarity, words_missing_from

# Below this similarity a published record is not trusted to be the preprint's publication.
SAME_WORK_SIMILARITY = 80.0
ACL_DOI_PREFIX = "10.18653/v1/"
# Why an entry whose only identifiers are of these kinds stays as the list wrote it.
_NOT_LOOKED_UP = {
    IdKind.URL: "a web page: kept as the list gives it (title, link, year)",
    IdKind.OPENREVIEW: "OpenReview records are not looked up yet",
    IdKind.PMLR: "PMLR proceedings pages are not looked up yet",
    IdKind.NEURIPS: "NeurIPS proceedings pages are not looked up yet",
    IdKind.S2: "Semantic Scholar records are not looked up yet",
    IdKind.DBLP: "DBLP records are not looked up yet",
}


class Progress(Protocol):
    """Where resolution reports how far it is (the CLI draws a bar; tests pass nothing)."""

    def add(self, total: int, description: str) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class _NoProgress:
    def add(self, total: int, description: str) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


def entry_identifiers(entry: ListEntry) -> tuple[Identifier, ...]:
    """Every identifier an entry's links name, best first; a bare id written as the title counts."""
    ids = list(identifiers_from_links(entry.links))
    if not ids and entry.title:
        found = parse_identifier(entry.title.strip())
        if found is not None:
            ids.append(found)
    return tuple(ids)


def resolve(
    entries: Sequence[ListEntry],
    http: Http,
    config: Config,
    progress: Progress | None = None,
) -> list[Resolution]:
    progress = progress or _NoProgress()
    ids_by_entry = [entry_identifiers(e) for e in entries]
    arxiv_ids = sorted({i.value for ids in ids_by_entry for i in ids if i.kind is IdKind.ARXIV})
    arxiv_found = _fetch_arxiv(http, config, arxiv_ids, progress)

    dois = {_doi_of(i) for ids in ids_by_entry for i in ids} - {None}
    dois |= {r.published_doi for r in arxiv_found.found.values() if r.published_doi}
    doi_found = _fetch_dois(http, config, sorted(d for d in dois if d), progress)

    return [
        _settle(entry, ids, arxiv_found, doi_found)
        for entry, ids in zip(entries, ids_by_entry, strict=True)
    ]


def _fetch_arxiv(http: Http, config: Config, ids: list[str], progress: Progress) -> Lookup:
    service = config.service("arxiv")
    size = service.batch_size
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    if batches:
        progress.add(len(batches), "arXiv")
    parts = []
    for batch in batches:
        parts.append(arxiv.fetch(http, service, batch))
        progress.advance()
    return _combine(parts)


def _fetch_dois(http: Http, config: Config, dois: list[str], progress: Progress) -> Lookup:
    service = config.service("doi")
    if dois:
        progress.add(len(dois), "DOI")
    parts = []
    for one in dois:
        parts.append(doi.fetch(http, service, [one]))
        progress.advance()
    return _combine(parts)


def _combine(parts: Iterable[Lookup]) -> Lookup:
    found: dict[str, Record] = {}
    missing: set[str] = set()
    failed: dict[str, str] = {}
    for part in parts:
        found.update(part.found)
        missing |= part.missing
        failed.update(part.failed)
    return Lookup(found=found, missing=frozenset(missing), failed=failed)


def _doi_of(identifier: Identifier) -> str | None:
    """The DOI to ask doi.org for: a DOI, or the Crossref DOI of an ACL Anthology paper."""
    if identifier.kind is IdKind.DOI:
        return identifier.value
    if identifier.kind is IdKind.ACL:
        return (ACL_DOI_PREFIX + identifier.value).lower()
    return None


def _settle(
    entry: ListEntry, ids: tuple[Identifier, ...], arxiv_found: Lookup, doi_found: Lookup
) -> Resolution:
    problems: list[str] = []
    preprint = _first_record(ids, IdKind.ARXIV, lambda i: i.value, arxiv_found, problems)
    published = _first_record(ids, None, _doi_of, doi_found, problems)

    if preprint is not None and published is None and preprint.published_doi:
        announced = preprint.published_doi
        if announced in doi_found.found:
            published = doi_found.found[announced]
        elif announced in doi_found.failed:
            problems.append(
                f"published version doi:{announced} not fetched "
                f"({doi_found.failed[announced]}); kept the preprint"
            )

    record = _combine_versions(preprint, published, problems)
    if record is None:
        if not ids:
            problems.append("no arXiv id, DOI or other identifier in its links")
        elif all(i.kind not in (IdKind.ARXIV, IdKind.DOI, IdKind.ACL) for i in ids):
            problems.append(_NOT_LOOKED_UP.get(ids[0].kind, "its links are not looked up"))
    elif entry.title and words_missing_from(entry.title, record.title):
        problems.append(
            f"check the link: the list says {entry.title!r} but it points to {record.title!r}"
        )
    status = Status.UNRESOLVED if record is None else Status.RESOLVED
    if entry.fields:  # from a .bib: never write it back worse than it was
        record = bibinput.combine(record, entry, problems)
    return Resolution(entry, status, ids, record or fallback_record(entry, ids), tuple(problems))


def _first_record(
    ids: tuple[Identifier, ...],
    kind: IdKind | None,
    key_of: Callable[[Identifier], str | None],
    lookup: Lookup,
    problems: list[str],
) -> Record | None:
    """The record of the first identifier (of `kind`) the lookup knows; notes why others failed."""
    for identifier in ids:
        if kind is not None and identifier.kind is not kind:
            continue
        key = key_of(identifier)
        if not key:
            continue
        if key in lookup.found:
            return lookup.found[key]
        if key in lookup.failed:
            problems.append(f"{identifier}: {lookup.failed[key]}")
        elif key in lookup.missing:
            problems.append(f"{identifier}: no such record")
    return None


def _combine_versions(
    preprint: Record | None, published: Record | None, problems: list[str]
) -> Record | None:
    """Published metadata with the arXiv fields kept, when both are provably the same work."""
    if preprint is None or published is None:
        return published or preprint
    if published.kind is WorkKind.PREPRINT:
        return preprint
    if title_similarity(preprint.title, published.title) < SAME_WORK_SIMILARITY:
        problems.append(
            f"doi:{published.doi} has a different title ({published.title!r}); "
            "kept the arXiv record"
        )
        return preprint
    return replace(published, arxiv_id=preprint.arxiv_id, primary_class=preprint.primary_class)


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
    # work as the entry a later (or earlier) run resolves.
    arxiv_id = next((i.value for i in ids if i.kind is IdKind.ARXIV), None)
    doi = next((d for d in map(_doi_of, ids) if d), None)
    return Record(
        source="list",
        entry_type="misc",
        title=entry.title,
        year=_year_of(entry.date_hint),
        doi=None if arxiv_id else doi,
        arxiv_id=arxiv_id,
        url=url,
        venue=venue,
        kind=kind,
    )


def _year_of(date_hint: str | None) -> str | None:
    if date_hint and len(date_hint) >= 4 and date_hint[:4].isdigit():
        return date_hint[:4]
    return None
