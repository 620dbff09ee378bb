"""Resolutions -> works: one cluster per work across all lists, the best record chosen for each.

Two resolutions are one work when they share an identity (versionless arXiv id, DOI, DBLP key,
OpenReview forum, ACL Anthology id; for unverified entries the URL; as a last resort the normalised
title + first author + year). The published record wins over the preprint; topics are unioned.
Works that only share a title are reported as possible duplicates, never merged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from list2bib.model import Candidate, ListEntry, Record, Resolution, Status, WorkKind
from list2bib.text.identifiers import strip_doi_prefix
from list2bib.text.titles import fold_ascii, normalize_title

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
    incomplete: bool = False  # the record chosen was settled while a service was failing


def identity_keys(record: Record) -> list[str]:
    """The identities that prove two records are the same work, strongest first."""
    keys: list[str] = []
    if record.arxiv_id:
        keys.append(f"arxiv:{record.arxiv_id}")
    for doi in (record.doi, record.published_doi):
        identity = doi_identity(doi or "")
        if identity:
            keys.append(identity)
    for prefix, value in (
        ("dblp", record.dblp_key),
        ("openreview", record.openreview_id),
        ("acl", record.acl_id),
    ):
        if value and value.strip():
            keys.append(f"{prefix}:{value.strip()}")
    if not keys and record.url:
        keys.append(f"url:{record.url.rstrip('/')}")
    if not keys and record.title:
        keys.append(f"title:{normalize_title(record.title)}")
    first = record.authors[0] if record.authors else None
    last_resort = title_author_year(
        record.title, (first.family or first.given) if first else "", record.year or ""
    )
    if last_resort:
        keys.append(last_resort)
    return list(dict.fromkeys(keys))


def title_author_year(title: str, family: str, year: str) -> str | None:
    """`tay:<normalised title>|<first author's family name>|<year>`: the last-resort identity, only
    when all three are known (a placeholder without authors never gets one)."""
    return last_resort_identity(normalize_title(title), family, year)


def last_resort_identity(words: str, family: str, year: str) -> str | None:
    """`title_author_year` for a title already normalised."""
    name = "".join(c for c in fold_ascii(family) if c.isalnum()).lower()
    year = year.strip()[:4]
    if not (words and name and year.isdigit()):
        return None
    return f"tay:{words}|{name}|{year}"


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


def conflicting(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two sets of identities name different works: both have DOIs (or arXiv ids) and
    share none. A journal extension with the same title, authors and year is another work."""
    left, right = set(a), set(b)
    for prefix in ("doi:", "arxiv:"):
        mine = {k for k in left if k.startswith(prefix)}
        theirs = {k for k in right if k.startswith(prefix)}
        if mine and theirs and not mine & theirs:
            return True
    return False


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
        work_id=work_id(record),
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
