"""A venue's page an earlier run wrote as `url` (the proceedings page DBLP links), and the volume's
editors and series with it, are kept by a run that knows the same published version only with its
arXiv copy: DBLP not asked (`proceedings_urls` off) or failing. They are niceties, not verified
facts that hold the entry and make the run partial (works/monotone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from list2bib.bibtex.parse import BibEntry
from list2bib.model import Record, Status, WorkKind
from list2bib.text.identifiers import split_url
from list2bib.works.dedupe import Work
from list2bib.works.monotone import record_facts
from list2bib.works.state import State

# Hosts whose pages are a copy or a resolver, never the venue's own page.
_NOT_VENUE_PAGES = ("arxiv.org", "doi.org")
# What a volume's own record adds to its papers' (resolve/sources/dblp_volumes.with_volume).
_VOLUME_FIELDS = ("editor", "series")


def kept(works: Sequence[Work], matched: Mapping[str, BibEntry], old: State) -> list[Work]:
    """`works`, each whose record has only the arXiv page as `url` given the url the state says
    list2bib wrote for its entry (and the editors and series it lacks), when that was a venue's
    page of the same published version (same type, eprint, venue, year and number of authors, and
    no DOI either time)."""
    by_key = old.by_key()
    result: list[Work] = []
    for work in works:
        entry = matched.get(work.work_id)
        before = by_key.get(entry.key) if entry is not None else None
        if before is not None and work.status is Status.RESOLVED and not work.incomplete:
            earlier = before[1].record
            page = _earlier_page(earlier, work.record)
            if page is not None:
                venue = {n: v for n, v in earlier.venue.items() if n in _VOLUME_FIELDS}
                venue.update(work.record.venue)
                work = replace(work, record=replace(work.record, url=page, venue=venue))
        result.append(work)
    return result


def _earlier_page(before: Record, now: Record) -> str | None:
    if now.kind is not WorkKind.PUBLISHED or now.doi or not now.arxiv_id:
        return None
    if now.url and not _copy_or_resolver(now.url):
        return None  # this run has a venue's page of its own
    if not before.url or _copy_or_resolver(before.url) or record_facts(before) != record_facts(now):
        return None
    return before.url


def _copy_or_resolver(url: str) -> bool:
    parts = split_url(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return True
    return any(host == name or host.endswith("." + name) for name in _NOT_VENUE_PAGES)
