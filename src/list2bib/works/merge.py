"""This run's works against the existing references.bib: which keys to keep, which entries to keep
exactly as they are, and which keys become aliases (`reconcile` then weighs the fields).

- A work already in the file keeps its citation key (unless that entry was only a placeholder
  list2bib wrote for an entry it could not verify: the first real record gives it a proper key).
  A placeholder is also found by its key when the state says the work's list entries made it
  (`earlier`): built offline from a list's text, it may share no identity with the real record.
- Several entries of the file found to be one work: the survivor keeps its key, every other key
  (and any placeholder key replaced) becomes an alias, written to biblatex's `ids` field and the
  rename map, so `\\cite{oldkey}` keeps working. A key is never silently dropped.
- A work this run could not verify, or verified only in part because a service failed, keeps the
  file's previous entry verbatim when that entry was a real one: a service outage must not degrade
  a good entry (to a placeholder, or a published paper to its preprint).
- Entries no list produces are kept verbatim (or, with prune, removed and listed).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from list2bib.bibtex.parse import BibEntry
from list2bib.model import Status
from list2bib.text.identity import bib_identities, conflicting, identity_keys
from list2bib.works.dedupe import Work


@dataclass(frozen=True, slots=True)
class MergePlan:
    reserved: dict[str, str]  # work_id -> the key it already has in the file
    previous: dict[str, BibEntry]  # work_id -> the file's entry, written again verbatim
    untouched: list[BibEntry]  # entries of the file that no list produced, kept verbatim
    matched: dict[str, BibEntry] = field(default_factory=dict)  # work_id -> its surviving entry
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # work_id -> other keys
    merged: dict[str, tuple[str, ...]] = field(default_factory=dict)  # newly merged this run


def entry_ids(entry: BibEntry) -> tuple[str, ...]:
    """The keys an entry's biblatex `ids` field lists."""
    return tuple(k for k in (p.strip() for p in entry.fields.get("ids", "").split(",")) if k)


def plan(
    works: Sequence[Work],
    existing: Sequence[BibEntry],
    managed: Collection[str] = (),
    earlier: Mapping[str, Collection[str]] | None = None,
) -> MergePlan:
    """Match works to the file's entries. `managed`: keys list2bib wrote on an earlier run (they
    win a tie when two entries turn out to be one work); `earlier`: work id -> the keys the last
    run gave the works its list entries made (a placeholder among them is this work's)."""
    placeholders = {e.key: i for i, e in enumerate(existing) if e.unverified}
    by_identity: dict[str, list[int]] = {}
    identities: list[list[str]] = []
    for index, entry in enumerate(existing):
        identities.append(bib_identities(entry.fields))
        for identity in identities[-1]:
            by_identity.setdefault(identity, []).append(index)

    plan_ = MergePlan({}, {}, [])
    claimed: set[int] = set()
    for work in works:
        found: dict[int, int] = {}  # entry index -> strength of the identity that matched it
        keys = identity_keys(work.record)
        for strength, identity in enumerate(keys):
            for index in by_identity.get(identity, ()):
                last_resort = identity.startswith("tay:")
                if index in claimed or (last_resort and conflicting(keys, identities[index])):
                    continue
                found.setdefault(index, strength)
        for key in (earlier or {}).get(work.work_id, ()):
            index = placeholders.get(key, -1)
            if index >= 0 and index not in claimed:
                found.setdefault(index, len(keys))
        if not found:
            continue
        ranked = sorted(
            found,
            key=lambda i: (existing[i].unverified, existing[i].key not in managed, found[i], i),
        )
        survivor = existing[ranked[0]]
        if not survivor.unverified and (work.status is not Status.RESOLVED or work.incomplete):
            claimed.add(ranked[0])  # keep the good old entry verbatim; merge nothing today
            plan_.previous[work.work_id] = survivor
            continue
        claimed.update(ranked)
        plan_.matched[work.work_id] = survivor
        if not survivor.unverified:
            plan_.reserved[work.work_id] = survivor.key
        others = [existing[i] for i in ranked[1:]]
        old_aliases = tuple(k for e in (survivor, *others) for k in entry_ids(e))
        new_keys = tuple(e.key for e in others if e.key != survivor.key)
        if survivor.unverified:
            new_keys = (survivor.key, *new_keys)  # replaced by a proper key later: keep it citable
        aliases = tuple(dict.fromkeys((*old_aliases, *new_keys)))
        if aliases:
            plan_.aliases[work.work_id] = aliases
        merged = tuple(k for k in new_keys if k not in old_aliases)
        if merged:
            plan_.merged[work.work_id] = merged
    plan_.untouched.extend(e for i, e in enumerate(existing) if i not in claimed)
    return plan_
