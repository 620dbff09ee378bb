"""Resolutions -> works: one cluster per work across all lists, the best record chosen for each.

Two resolutions are one work when they share an identity (`text.identity`: versionless arXiv id,
DOI, DBLP key, OpenReview forum, ACL Anthology id; for unverified entries the URL; as a last resort
the normalised title + first author + year). The published record wins over the preprint; topics
are unioned.
Works that only share a title are reported as possible duplicates, never merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from list2bib.model import KeyedWork, Resolution, Status, WorkKind
from list2bib.text.identity import conflicting, identity_keys, work_id
from list2bib.text.titles import normalize_title

_STATUS_RANK = {Status.RESOLVED: 0, Status.AMBIGUOUS: 1, Status.UNRESOLVED: 2}
_KIND_RANK = {WorkKind.PUBLISHED: 0, WorkKind.PREPRINT: 1, WorkKind.WEB: 2, WorkKind.UNRESOLVED: 3}


@dataclass(frozen=True, slots=True)
class Work(KeyedWork):
    """One work and everything the lists said about it, keyed by its identity until citation keys
    are chosen. `incomplete`: the record chosen was settled while a service was failing."""

    @property
    def work_id(self) -> str:
        return self.key


def cluster(resolutions: Sequence[Resolution]) -> list[Work]:
    """Group resolutions that share any identity; keep first-seen order of the groups. The
    last-resort title + first author + year joins two groups only when their ids do not
    conflict."""
    parent = list(range(len(resolutions)))
    ids: dict[int, set[str]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[a] = b
            ids[b] = ids.pop(a, set()) | ids.get(b, set())

    owner: dict[str, int] = {}
    late: list[tuple[int, str]] = []
    for index, resolution in enumerate(resolutions):
        if resolution.record is None:
            continue
        keys = identity_keys(resolution.record)
        ids[index] = set(keys)
        for key in keys:
            if key.startswith("tay:"):
                late.append((index, key))
            elif key in owner:
                union(index, owner[key])
            else:
                owner[key] = index
    for index, key in late:
        if key not in owner:
            owner[key] = index
        elif not conflicting(ids[find(index)], ids[find(owner[key])]):
            union(index, owner[key])

    groups: dict[int, list[Resolution]] = {}
    for index, resolution in enumerate(resolutions):
        if resolution.record is not None:
            groups.setdefault(find(index), []).append(resolution)
    return flag_near_duplicates([_merge(group) for group in groups.values()])


def flag_near_duplicates(works: Sequence[Work]) -> list[Work]:
    """Works with the same normalised title but no shared identity (a preprint under another first
    author, a list title without a link) are not provably one work: each gets a problem naming
    the others, so a person can decide."""
    by_title: dict[str, list[str]] = {}
    for work in works:
        title = normalize_title(work.record.title)
        if len(title.split()) >= 3:  # "Introduction" is no evidence of anything
            by_title.setdefault(title, []).append(work.work_id)
    flagged: list[Work] = []
    for work in works:
        others = [
            other
            for other in by_title.get(normalize_title(work.record.title), ())
            if other != work.work_id
        ]
        if others:
            note = f"same title as {', '.join(sorted(others))}: possibly one work, not merged"
            work = replace(work, problems=(*work.problems, note))
        flagged.append(work)
    return flagged


def _merge(group: list[Resolution]) -> Work:
    best = min(group, key=lambda r: (_STATUS_RANK[r.status], _rank_kind(r)))
    record = best.record
    assert record is not None
    if record.arxiv_id is None:
        donor = next((r.record for r in group if r.record and r.record.arxiv_id), None)
        if donor is not None:
            record = replace(record, arxiv_id=donor.arxiv_id, primary_class=donor.primary_class)
    # The work's other identities as its other records know them (the OpenReview forum of a
    # paper resolved through arXiv), so a file entry made from any of them is recognised.
    for name in ("dblp_key", "openreview_id", "acl_id"):
        if getattr(record, name) is None:
            value = next((v for r in group if r.record and (v := getattr(r.record, name))), None)
            if value is not None:
                record = replace(record, **{name: value})
    problems = tuple(dict.fromkeys(p for r in group for p in r.problems))
    return Work(
        key=work_id(record),
        record=record,
        entries=tuple(r.entry for r in group),
        status=best.status,
        problems=problems,
        evidence=tuple(dict.fromkeys(e for r in group for e in r.evidence)),
        candidates=best.candidates,
        lint=tuple(dict.fromkeys(f for r in group for f in r.lint)),
        incomplete=best.incomplete,
    )


def _rank_kind(resolution: Resolution) -> int:
    return _KIND_RANK[resolution.record.kind] if resolution.record else len(_KIND_RANK)
