"""Citation keys pinned elsewhere (a member's key in the Zotero group) become works' keys: the
key list2bib gave stays citable as an alias (`ids`, the rename map); a key in use is refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan


@dataclass(frozen=True, slots=True)
class Pinned:
    """The keys after pinning, the merge plan with each replaced key among its work's aliases,
    and one line per pin refused."""

    keys: dict[str, str]
    merged: MergePlan
    refused: tuple[str, ...] = ()


def pin(
    works: Sequence[Work],
    keys: Mapping[str, str],
    merged: MergePlan,
    pinned: Mapping[str, str],
    renamed: Mapping[str, str],
) -> Pinned:
    """Give each work whose key is in `pinned` (key now -> pinned key) the pinned key, unless
    another work, an entry of the file, an alias of another work or an old key of the rename map
    `renamed` holds it (case-blind, as BibTeX compares keys). A work whose previous entry is kept
    verbatim keeps its key: its entry is written as it is."""
    out = dict(keys)
    aliases = {work_id: tuple(names) for work_id, names in merged.aliases.items()}
    refused: list[str] = []
    for work in works:
        old = out[work.work_id]
        new = pinned.get(old)
        if new is None or new == old or work.work_id in merged.previous:
            continue
        own = {old.casefold(), *(a.casefold() for a in aliases.get(work.work_id, ()))}
        taken = {k.casefold() for w, k in out.items() if w != work.work_id}
        taken |= {e.key.casefold() for e in merged.untouched}
        taken |= {a.casefold() for w, names in aliases.items() if w != work.work_id for a in names}
        taken |= {a.casefold() for a, target in renamed.items() if target.casefold() not in own}
        if new.casefold() in taken:
            refused.append(f"{old}: the key {new} set in Zotero is another work's; kept {old}")
            continue
        out[work.work_id] = new
        kept = tuple(a for a in aliases.get(work.work_id, ()) if a.casefold() != new.casefold())
        aliases[work.work_id] = (*kept, old)
    return Pinned(out, replace(merged, aliases=aliases), tuple(refused))
