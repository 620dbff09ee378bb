"""Links that name another paper: an entry whose title contradicts the record its link names, or one
of several differently titled entries that share one identifier. Such an entry is looked up by its
own title (the same fail-closed rule as any title), stays its own work, and the link is reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from list2bib.model import Identifier, IdKind, ListEntry, Record, Resolution
from list2bib.resolve import match
from list2bib.resolve.book import Lookups
from list2bib.text.identifiers import parse_identifier
from list2bib.text.titles import STOPWORDS, normalize_title

# A title this short may be a nickname (`ROME`, `LoRA paper`): it never overrides a link alone.
MIN_TITLE_WORDS = 4
# Below this share of the list title's words in the record's title, the two are different papers.
MIN_SHARED_WORDS = 0.5
# An entry that shares its identifier with differently titled entries gives up the link when its
# title is this far from the record's (0-100) and not a shortened form of it.
MAX_SHARED_SIMILARITY = 75.0


@dataclass(frozen=True, slots=True)
class WrongLink:
    """One entry's link to another paper: the identifiers to drop and the finding to report."""

    dropped: frozenset[Identifier]
    finding: str


def find(
    entries: Sequence[ListEntry], ids_by_entry: Sequence[tuple[Identifier, ...]], book: Lookups
) -> dict[int, WrongLink]:
    """Entry index -> its wrong link, for entries whose title the linked record contradicts and for
    differently titled entries sharing an identifier whose record is not theirs."""
    sharing: dict[Identifier, set[str]] = defaultdict(set)
    for entry, ids in zip(entries, ids_by_entry, strict=True):
        for ident in ids:
            if ident.kind is not IdKind.URL and entry.title.strip():
                sharing[ident].add(normalize_title(entry.title))
    found: dict[int, WrongLink] = {}
    for n, (entry, ids) in enumerate(zip(entries, ids_by_entry, strict=True)):
        words = normalize_title(entry.title).split()
        if len(words) < MIN_TITLE_WORDS - (1 if _shared(ids, sharing) else 0):
            continue
        records = [(i, r) for i in ids if i.kind is not IdKind.URL and (r := _record_of(i, book))]
        if any(match.title_agreement(entry.title, r.title)[1] is None for _, r in records):
            continue  # another of its links is the paper: settling reports the odd one out
        for ident, record in records:
            if not record.title:
                continue
            score, difference = match.title_agreement(entry.title, record.title)
            if difference is None:
                continue
            shared = len(sharing[ident]) > 1 and score < MAX_SHARED_SIMILARITY
            if (shared and _shared_words(entry.title, record.title) < 1) or _shared_words(
                entry.title, record.title
            ) < MIN_SHARED_WORDS:
                finding = f"{entry.where}: links {ident}, which is {record.title!r}"
                found[n] = WrongLink(frozenset({ident}), finding)
                break
    return found


def mark(resolution: Resolution, wrong: WrongLink) -> Resolution:
    """The resolution of an entry looked up by its title, with the finding; a placeholder does not
    carry the wrong link (it would be taken for the linked paper)."""
    record = resolution.record
    placeholder = record is not None and record.source == "list" and bool(record.url)
    if record is not None and placeholder and parse_identifier(record.url or "") in wrong.dropped:
        record = replace(record, url=None)
    return replace(resolution, record=record, lint=(*resolution.lint, wrong.finding))


def _shared(ids: Sequence[Identifier], sharing: dict[Identifier, set[str]]) -> bool:
    return any(len(sharing.get(ident, ())) > 1 for ident in ids)


def _record_of(ident: Identifier, book: Lookups) -> Record | None:
    if ident.kind is IdKind.DOI:
        return book.by_doi(ident.value)
    return next(book.records_of([ident]), None)


def _shared_words(listed: str, recorded: str) -> float:
    """The share of the list title's significant words that are in the record's title: 1 for a
    shortened title (`Deep Residual Learning`), low for another paper's."""
    ours = [w for w in normalize_title(listed).split() if w not in STOPWORDS]
    theirs = set(normalize_title(recorded).split())
    return sum(w in theirs for w in ours) / len(ours) if ours else 1.0
