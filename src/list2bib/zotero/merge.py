"""Three-way merge of one item list2bib made: what it last wrote (the base, kept in the index),
what the group holds now, and what the lists produce today. A field a member changed is theirs."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from typing import Any

from list2bib.zotero.items import ARXIV_LINE, ID_LINES, MARKER, OLD_ARXIV_LINE

# Lines of Extra whose label list2bib writes; every other line is a member's and stays.
OWN_LABELS = ("list2bib-", f"{ARXIV_LINE.lower()}:")
MARKER_LABEL = MARKER.lower()
ID_KINDS = frozenset({ARXIV_LINE.lower(), *ID_LINES.values()})
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


def merge(
    current: dict[str, Any],
    want: dict[str, Any],
    base: dict[str, Any] | None,
    droppable: Set[str] = frozenset(),
) -> Merged:
    """`want` with every field a member edited since list2bib wrote it taken from the group;
    `droppable`: list2bib's automatic tags the lists no longer ask for (see `owners.settle`).

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
    data["tags"] = merge_tags(
        current.get("tags", []), want.get("tags", []), base.get("tags"), droppable
    )
    return Merged(data, theirs, agreed)


def merge_extra(current: str, ours: str) -> str:
    """list2bib's lines, then every line a member keeps in Extra, in their order.

    An item keeps what identifies it across the forms lists give a work in: its marker, and each
    kind of id line (`list2bib-openreview:`, ...) this run's record does not have."""
    lines = ours.splitlines()
    have = current.splitlines()
    kinds = {_kind(line) for line in lines}
    marker = next((line for line in have if _kind(line) == MARKER_LABEL), None)
    if marker is not None:
        lines = [marker if _kind(line) == MARKER_LABEL else line for line in lines]
    ids = [line for line in have if _kind(line) in ID_KINDS and _kind(line) not in kinds]
    mine = [line for line in have if not _own(line) and line.strip()]
    return "\n".join([*lines, *ids, *(line for line in mine if line not in lines)])


def _kind(line: str) -> str:
    """A line's label, lower-cased; the arXiv line as earlier versions wrote it is the same."""
    label = line.partition(":")[0].strip().lower()
    return ARXIV_LINE.lower() if label == OLD_ARXIV_LINE else label


def merge_tags(
    current: list[dict[str, Any]],
    ours: list[dict[str, Any]],
    base: list[dict[str, Any]] | None,
    droppable: Set[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Members' manual tags stay; list2bib's automatic ones follow the lists (a tag goes when it
    is `droppable`: no list asks for it), except a tag a member removed, which is not put back."""
    wrote = {t["tag"] for t in base or [] if int(t.get("type", 0)) == 1}
    removed = wrote - {t["tag"] for t in current}
    names = {t["tag"] for t in ours}
    stay = [
        t for t in current
        if int(t.get("type", 0)) != 1 or (t["tag"] not in names and t["tag"] not in droppable)
    ]  # fmt: skip
    return [*stay, *(t for t in ours if t["tag"] not in removed and t not in stay)]


def _own(line: str) -> bool:
    return line.strip().lower().startswith(OWN_LABELS)
