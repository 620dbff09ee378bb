"""Resolutions -> works: one cluster per work across all lists, the best record chosen for each.

Two resolutions are one work when they share an identity (versionless arXiv id, DOI, or for
unverified entries the URL). The published record wins over the preprint; topics are unioned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from list2bib.identifiers import strip_doi_prefix
from list2bib.model import Candidate, ListEntry, Record, Resolution, Status, WorkKind
from list2bib.titles import normalize_title

ARXIV_DOI_PREFIX = "10.48550/arxiv."

_STATUS_RANK = {Status.RESOLVED: 0, Status.AMBIGUOUS: 1, Status.UNRESOLVED: 2}
_KIND_RANK = {WorkKind.PUBLISHED: 0, WorkKind.PREPRINT: 1, WorkKind.WEB: 2, WorkKind.UNRESOLVED: 3}


@dataclass(frozen=True, slots=True)
class Work:
    """One work and everything the lists said about it."""

    work_id: str
    record: Record
    entries: tuple[ListEntry, ...]
    status: Status
    problems: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    lint: tuple[str, ...] = ()


def identity_keys(record: Record) -> list[str]:
    """The identities that prove two records are the same work, strongest first."""
    keys: list[str] = []
    if record.arxiv_id:
        keys.append(f"arxiv:{record.arxiv_id}")
    for doi in (record.doi, record.published_doi):
        identity = doi_identity(doi or "")
        if identity:
            keys.append(identity)
    if not keys and record.url:
        keys.append(f"url:{record.url.rstrip('/')}")
    if not keys and record.title:
        keys.append(f"title:{normalize_title(record.title)}")
    return list(dict.fromkeys(keys))


def doi_identity(doi: str) -> str | None:
    """`doi:<lower-case doi>`, or `arxiv:<id>` for arXiv's DataCite DOIs; None if not a DOI.
    Accepts `https://doi.org/…` and `doi:` forms, as found in .bib files."""
    value = strip_doi_prefix(doi).lower()
    if not value.startswith("10.") or "/" not in value:
        return None
    if value.startswith(ARXIV_DOI_PREFIX):
        return f"arxiv:{value.removeprefix(ARXIV_DOI_PREFIX)}"
    return f"doi:{value}"


def work_id(record: Record) -> str:
    """A stable identity string for a work (arXiv id first: it survives publication)."""
    keys = identity_keys(record)
    return keys[0] if keys else "untitled:"


def cluster(resolutions: Sequence[Resolution]) -> list[Work]:
    """Group resolutions that share any identity; keep first-seen order of the groups."""
    parent = list(range(len(resolutions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, resolution in enumerate(resolutions):
        if resolution.record is None:
            continue
        for key in identity_keys(resolution.record):
            if key in owner:
                parent[find(index)] = find(owner[key])
            else:
                owner[key] = index

    groups: dict[int, list[Resolution]] = {}
    for index, resolution in enumerate(resolutions):
        if resolution.record is not None:
            groups.setdefault(find(index), []).append(resolution)
    return [_merge(group) for group in groups.values()]


def _merge(group: list[Resolution]) -> Work:
    best = min(group, key=lambda r: (_STATUS_RANK[r.status], _rank_kind(r)))
    record = best.record
    assert record is not None
    if record.arxiv_id is None:
        donor = next((r.record for r in group if r.record and r.record.arxiv_id), None)
        if donor is not None:
            record = replace(record, arxiv_id=donor.arxiv_id, primary_class=donor.primary_class)
    problems = tuple(dict.fromkeys(p for r in group for p in r.problems))
    return Work(
        work_id=work_id(record),
        record=record,
        entries=tuple(r.entry for r in group),
        status=best.status,
        problems=problems,
        evidence=tuple(dict.fromkeys(e for r in group for e in r.evidence)),
        candidates=best.candidates,
        lint=tuple(dict.fromkeys(f for r in group for f in r.lint)),
    )


def _rank_kind(resolution: Resolution) -> int:
    return _KIND_RANK[resolution.record.kind] if resolution.record else len(_KIND_RANK)
