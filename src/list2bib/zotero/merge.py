"""Three-way merge of one item list2bib made: what it last wrote (the base, kept in the index),
what the group holds now, and what the lists produce today. A field a member changed is theirs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Lines of Extra whose label list2bib writes; every other line is a member's and stays.
OWN_LABELS = ("list2bib-",)
# Not merged field by field: the item's collections and trash state are decided by the plan.
_NOT_FIELDS = frozenset({"key", "version", "collections", "deleted", "relations", "dateAdded",
                         "dateModified", "parentItem"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Merged:
    """The data to want for an item, the fields kept as a member left them (with what list2bib
    would have written), and the fields where list2bib and the group now agree."""

    data: dict[str, Any]
    theirs: dict[str, Any] = field(default_factory=dict)
    agreed: dict[str, Any] = field(default_factory=dict)


def base_of(data: dict[str, Any], sent: Iterable[str]) -> dict[str, Any]:
    """What list2bib wrote, as the group stored it: the fields it sent, read from `data`."""
    return {name: data.get(name, "") for name in sent if name not in _NOT_FIELDS}


def merge(current: dict[str, Any], want: dict[str, Any], base: dict[str, Any] | None) -> Merged:
    """`want` with every field a member edited since list2bib wrote it taken from the group.

    Without a base (an index from before list2bib kept one, or a lost index) only Extra lines and
    tags are merged: list2bib's fields are written as before."""
    base = base or {}
    if "itemType" in base and current.get("itemType") != base["itemType"]:
        # A member gave it another type: every field is theirs now (ours may not fit the type).
        data = {n: current.get(n, v) for n, v in want.items()}
        return Merged(data, theirs={"itemType": want.get("itemType")})
    data = dict(want)
    theirs: dict[str, Any] = {}
    agreed: dict[str, Any] = {}
    for name, value in want.items():
        if name in ("tags", "extra") or name in _NOT_FIELDS:
            continue
        have = current.get(name, [] if isinstance(value, list) else "")
        if have == value:
            if name in base and base[name] != have:
                agreed[name] = have  # a member's edit the services now agree with
            continue
        if name in base and have != base[name]:
            data[name] = have
            if value != base[name]:
                theirs[name] = value
    data["extra"] = merge_extra(str(current.get("extra") or ""), str(want.get("extra") or ""))
    data["tags"] = merge_tags(current.get("tags", []), want.get("tags", []), base.get("tags"))
    return Merged(data, theirs, agreed)


def merge_extra(current: str, ours: str) -> str:
    """list2bib's lines, then every line a member keeps in Extra, in their order."""
    mine = [line for line in current.splitlines() if not _own(line) and line.strip()]
    lines = ours.splitlines()
    return "\n".join([*lines, *(line for line in mine if line not in lines)])


def merge_tags(
    current: list[dict[str, Any]], ours: list[dict[str, Any]], base: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Members' manual tags stay; list2bib's automatic ones follow the lists, except a tag a
    member removed from the item, which is not put back."""
    kept = [t for t in current if int(t.get("type", 0)) != 1]
    wrote = {t["tag"] for t in base or [] if int(t.get("type", 0)) == 1}
    have = {t["tag"] for t in current}
    removed = wrote - have
    # Automatic tags list2bib never wrote (another tool's import) are not list2bib's to drop.
    others = [t for t in current if int(t.get("type", 0)) == 1 and base is not None
              and t["tag"] not in wrote]  # fmt: skip
    new = [t for t in ours if t["tag"] not in removed]
    return [*kept, *(t for t in [*new, *others] if t not in kept)]


def _own(line: str) -> bool:
    return line.strip().lower().startswith(OWN_LABELS)
