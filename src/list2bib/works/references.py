"""Works + citation keys -> the references the bib lists: which of them list2bib writes, and which
of the file's entries it keeps verbatim (or, with prune, removes)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from list2bib.bibtex.parse import BibEntry
from list2bib.model import Reference, WorkKind
from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan
from list2bib.works.sites import one_name_per_site
from list2bib.works.state import State

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def keyed(
    works: Sequence[Work], keys: Mapping[str, str], merged: MergePlan, output: str
) -> list[Reference]:
    """One reference per work, in the works' order, one name per web site (`sites`); a work whose
    previous entry in `output` is kept unchanged says so among its problems."""
    references: list[Reference] = []
    for work in works:
        problems = work.problems
        if work.work_id in merged.previous:
            problems += (f"kept the previous entry from {output} unchanged",)
        references.append(
            Reference(
                keys[work.work_id], work.record, work.entries, work.status, problems,
                evidence=work.evidence, candidates=work.candidates, lint=work.lint,
                incomplete=work.incomplete,
            )
        )  # fmt: skip
    return one_name_per_site(references)


def to_write(
    works: Sequence[Work], references: Sequence[Reference], merged: MergePlan
) -> list[Reference]:
    """The references list2bib writes itself: all but those whose previous entry is kept."""
    pairs = zip(works, references, strict=True)
    return [ref for work, ref in pairs if work.work_id not in merged.previous]


def with_urldates(
    refs: Sequence[Reference], checked: Mapping[str, str], old: State
) -> list[Reference]:
    """`refs` with `urldate` on every web work, which styles print as "accessed": the day it was
    first read (the urldate the state `old` says was written), else the day it was checked
    (`checked`: citation key -> ISO time). A later check does not move it, so a refresh leaves
    the file as it was."""
    earlier = {key: work.written.get("urldate", "") for key, (_, work) in old.by_key().items()}
    out: list[Reference] = []
    for ref in refs:
        day = earlier.get(ref.key, "")
        day = day if _DAY.fullmatch(day) else checked.get(ref.key, "")[:10]
        if ref.record.kind is WorkKind.WEB and ref.record.url and _DAY.fullmatch(day):
            venue = {**ref.record.venue, "urldate": day}
            ref = replace(ref, record=replace(ref.record, venue=venue))
        out.append(ref)
    return out


@dataclass(frozen=True, slots=True)
class Verbatim:
    """The file's entries written again exactly as they are (`kept`: the previous entries of works
    this run could not verify, then those no list produced unless pruned) and those removed."""

    kept: tuple[BibEntry, ...]
    untouched: tuple[BibEntry, ...]
    removed: tuple[BibEntry, ...]


def verbatim(merged: MergePlan, *, prune: bool) -> Verbatim:
    untouched = () if prune else tuple(merged.untouched)
    removed = tuple(merged.untouched) if prune else ()
    return Verbatim((*merged.previous.values(), *untouched), untouched, removed)
