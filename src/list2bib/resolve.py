"""List entries -> resolutions: ask each source once per batch, then settle every entry.

Identifiers are collected from all entries first, so each service is asked in as few requests as it
allows (arXiv `id_list` batches), source by source in the order of SOURCES; a record that announces
its published version (arXiv's `doi`) adds that DOI to the later sources' work. Failures are data:
an entry whose service failed keeps a clearly marked record built from the list.

A new source is one module in `sources/` with `SERVICE`, `key_of(identifier)` and
`fetch(http, service_config, keys) -> Lookup`, added to SOURCES (and to config.SERVICE_DEFAULTS).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol
from urllib.parse import urlsplit

from list2bib import bibinput
from list2bib.config import Config, ServiceConfig
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


class Source(Protocol):
    """What a module in `sources/` provides."""

    SERVICE: str

    def key_of(self, identifier: Identifier) -> str | None: ...

    def fetch(self, http: Http, service: ServiceConfig, keys: Sequence[str]) -> Lookup: ...


SOURCES: tuple[Source, ...] = (arxiv, doi)
# Below this similarity a published record is not trusted to be the preprint's publication.
SAME_WORK_SIMILARITY = 80.0
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
    wanted = {i for ids in ids_by_entry for i in ids}
    lookups: dict[str, Lookup] = {}
    for source in SOURCES:
        keys = sorted({key for i in wanted if (key := source.key_of(i))})
        lookups[source.SERVICE] = _fetch(source, keys, http, config, progress)
        wanted |= _announced(lookups[source.SERVICE].found.values())
    return [_settle(entry, ids, lookups) for entry, ids in zip(entries, ids_by_entry, strict=True)]


def _announced(records: Iterable[Record]) -> set[Identifier]:
    """Published versions that records name (arXiv's `doi` field), to be asked next."""
    return {Identifier(IdKind.DOI, r.published_doi) for r in records if r.published_doi}


def _fetch(
    source: Source, keys: list[str], http: Http, config: Config, progress: Progress
) -> Lookup:
    service = config.service(source.SERVICE)
    size = service.batch_size
    batches = [keys[i : i + size] for i in range(0, len(keys), size)]
    if batches:
        progress.add(len(batches), source.SERVICE)
    parts = []
    for batch in batches:
        parts.append(source.fetch(http, service, batch))
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


def _settle(
    entry: ListEntry, ids: tuple[Identifier, ...], lookups: dict[str, Lookup]
) -> Resolution:
    problems: list[str] = []
    records = [
        record
        for source in SOURCES
        if (record := _first_record(ids, source, lookups[source.SERVICE], problems))
    ]
    preprint = next((r for r in records if r.kind is not WorkKind.PUBLISHED), None)
    published = next((r for r in records if r.kind is WorkKind.PUBLISHED), None)
    if preprint is not None and published is None and preprint.published_doi:
        announced = (Identifier(IdKind.DOI, preprint.published_doi),)
        for source in SOURCES:
            published = published or _first_record(
                announced, source, lookups[source.SERVICE], problems
            )
        if published is None:
            problems.append("kept the preprint: its published version could not be fetched")

    record = _combine_versions(preprint, published, problems)
    if record is None:
        if not ids:
            problems.append("no arXiv id, DOI or other identifier in its links")
        elif not any(source.key_of(i) for i in ids for source in SOURCES):
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
    ids: Sequence[Identifier], source: Source, lookup: Lookup, problems: list[str]
) -> Record | None:
    """The record of the first identifier the source knows; notes why the others failed."""
    for identifier in ids:
        key = source.key_of(identifier)
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
    if not same_work_titles(preprint.title, published.title):
        problems.append(
            f"doi:{published.doi} has a different title ({published.title!r}); "
            "kept the arXiv record"
        )
        # Forget the claim too, or deduplication would still treat the DOI as this work's.
        return replace(preprint, published_doi=None)
    return replace(published, arxiv_id=preprint.arxiv_id, primary_class=preprint.primary_class)


def same_work_titles(preprint: str, published: str) -> bool:
    """Whether a published title can be the preprint's: close overall, and no word replaced by
    another ('... in Mamba' vs '... in GPT'). Words only added or dropped are fine: journals add
    subtitles and drop project names ('ChemCrow: Augmenting ...' -> 'Augmenting ...')."""
    if title_similarity(preprint, published) < SAME_WORK_SIMILARITY:
        return False
    return not (words_missing_from(preprint, published) and words_missing_from(published, preprint))


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
    listed_doi = next((d for d in map(doi.key_of, ids) if d), None)
    return Record(
        source="list",
        entry_type="misc",
        title=entry.title,
        year=_year_of(entry.date_hint),
        doi=None if arxiv_id else listed_doi,
        arxiv_id=arxiv_id,
        url=url,
        venue=venue,
        kind=kind,
    )


def _year_of(date_hint: str | None) -> str | None:
    if date_hint and len(date_hint) >= 4 and date_hint[:4].isdigit():
        return date_hint[:4]
    return None
