"""What list2bib writes now against what the file holds: the user's hand edits and own fields
survive as overrides, and a work's other keys go to biblatex's `ids` field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from list2bib.bibtex.render import written_fields
from list2bib.model import Reference
from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan
from list2bib.works.state import State

# Fields list2bib owns outright: never taken for a hand edit.
OWN_FIELDS = frozenset({"ids"})

# Fields list2bib writes from the services' data: without a record of what it last wrote, their
# values in the file cannot be told from stale data, so the services' values win.
MANAGED_FIELDS = frozenset(
    {"author", "title", "booktitle", "journal", "volume", "number", "pages", "year", "month",
     "publisher", "address", "howpublished", "organization", "school", "institution", "doi",
     "eprint", "archiveprefix", "primaryclass", "url", "keywords", "ids", "key", "editor",
     "series", "urldate",
     # biblatex's names for the same (`--format biblatex`)
     "date", "journaltitle", "location", "eprinttype", "eprintclass", "type"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reconciled:
    """Fields by citation key: as list2bib writes them on its own (`bare`, what the state records),
    the values that replace them (`overrides`; None drops a field), the fields edited by hand
    (`edited`, for the changes report) and the result, as the file will hold it (`fields`)."""

    bare: dict[str, dict[str, str]]
    overrides: dict[str, dict[str, str | None]] = field(default_factory=dict)
    edited: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)


def reconcile(
    works: Sequence[Work],
    keys: Mapping[str, str],
    written: Sequence[Reference],
    merged: MergePlan,
    old: State,
    *,
    ascii: bool,
    biblatex: bool = False,
) -> Reconciled:
    """The overrides for the references list2bib writes (`written`; the works kept verbatim are
    not among them), given the file's entries matched in `merged` and what the state `old` says
    list2bib wrote before."""
    bare = written_fields(written, ascii=ascii, biblatex=biblatex)
    overrides: dict[str, dict[str, str | None]] = {}
    edited: dict[str, list[str]] = {}
    by_key = old.by_key()
    for work in works:
        key = keys[work.work_id]
        survivor = merged.matched.get(work.work_id)
        aliases = sorted(
            {a for a in merged.aliases.get(work.work_id, ()) if a != key}, key=str.casefold
        )
        if aliases:
            overrides.setdefault(key, {})["ids"] = ", ".join(aliases)
        if survivor is None:
            continue
        if survivor.key not in by_key:
            # No record of what list2bib wrote (the user's own file, or a lost state file): the
            # fields list2bib never writes (`note`, `abstract`, `file`, ...) are the user's.
            own = users_own_fields(survivor.fields, bare.get(key, {}))
            if own:
                overrides.setdefault(key, {}).update(own)
            continue
        edits = hand_edits(survivor.fields, by_key[survivor.key][1].written)
        # A field equal to what list2bib writes now is no edit (e.g. a run killed before it
        # could record what it wrote).
        edits = {n: v for n, v in edits.items() if bare.get(key, {}).get(n) != v}
        if edits:
            overrides.setdefault(key, {}).update(edits)
            edited[key] = list(edits)
    final = dict(bare)
    final.update(
        written_fields(
            [r for r in written if r.key in overrides],
            ascii=ascii,
            overrides=overrides,
            biblatex=biblatex,
        )
    )
    return Reconciled(bare, overrides, edited, final)


def hand_edits(current: Mapping[str, str], written: Mapping[str, str]) -> dict[str, str | None]:
    """Fields the user changed since list2bib wrote `written`: name -> the user's value, or None
    for a field the user deleted. Values are compared as read back from the file."""
    edits: dict[str, str | None] = {}
    for name in sorted(set(current) | set(written)):
        if name in OWN_FIELDS:
            continue
        now, then = current.get(name), written.get(name)
        if now != then and _squash(now) != _squash(then):
            edits[name] = now
    return edits


def users_own_fields(current: Mapping[str, str], written: Mapping[str, str]) -> dict[str, str]:
    """Fields of an entry that list2bib neither manages nor writes for it now: the user's own,
    kept even when no state file says what list2bib wrote before."""
    return {
        name: value
        for name, value in current.items()
        if name not in MANAGED_FIELDS and name not in written and value.strip()
    }


def _squash(value: str | None) -> str | None:
    return " ".join(value.split()) if value is not None else None
