"""This run's works against the existing references.bib: which keys to keep, and which entries to
keep exactly as they are, so a run never loses what the file already had.

- A work already in the file keeps its citation key (unless that entry was only a placeholder
  list2bib wrote for an entry it could not verify).
- A work this run could not verify keeps the file's previous entry verbatim when that entry was
  a real one: a service outage must not degrade a good entry to a placeholder.
- Entries no list produces are kept verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from list2bib.bibtex import BibEntry
from list2bib.dedupe import Work, doi_identity, identity_keys
from list2bib.identifiers import parse_identifier
from list2bib.model import IdKind, Status
from list2bib.titles import normalize_title


@dataclass(frozen=True, slots=True)
class MergePlan:
    reserved: dict[str, str]  # work_id -> the key it already has in the file
    previous: dict[str, BibEntry]  # work_id -> the file's entry, written again verbatim
    untouched: list[BibEntry]  # entries of the file that no list produced, kept verbatim


def bib_identities(fields: dict[str, str]) -> list[str]:
    """The identities of a .bib entry, in the same terms as `dedupe.identity_keys`."""
    identities: list[str] = []
    eprint = fields.get("eprint", "").strip()
    if eprint and fields.get("archiveprefix", "arxiv").strip().lower() == "arxiv":
        found = parse_identifier(eprint) or parse_identifier(f"arXiv:{eprint}")
        if found is not None:
            identities.append(str(found))
    doi = doi_identity(fields.get("doi", ""))
    if doi:
        identities.append(doi)
    url = fields.get("url", "").strip()
    found = parse_identifier(url) if url else None
    if found is not None and found.kind is IdKind.ARXIV:
        identities.append(str(found))
    elif found is not None and found.kind is IdKind.DOI:
        identities.append(f"doi:{found.value}")
    if fields.get("url", "").strip():
        identities.append(f"url:{fields['url'].strip().rstrip('/')}")
    if fields.get("title", "").strip():
        identities.append(f"title:{normalize_title(fields['title'])}")
    return list(dict.fromkeys(identities))


def plan(works: Sequence[Work], existing: Sequence[BibEntry]) -> MergePlan:
    by_identity: dict[str, list[BibEntry]] = {}
    for entry in existing:
        for identity in bib_identities(entry.fields):
            by_identity.setdefault(identity, []).append(entry)

    reserved: dict[str, str] = {}
    previous: dict[str, BibEntry] = {}
    claimed: set[str] = set()
    for work in works:
        match = next(
            (
                entry
                for identity in identity_keys(work.record)
                for entry in by_identity.get(identity, ())
                if entry.key not in claimed
            ),
            None,
        )
        if match is None:
            continue
        claimed.add(match.key)
        if match.unverified:
            continue  # a placeholder: this run may do better, key included
        if work.status is Status.RESOLVED:
            reserved[work.work_id] = match.key
        else:
            previous[work.work_id] = match
    untouched = [entry for entry in existing if entry.key not in claimed]
    return MergePlan(reserved, previous, untouched)
