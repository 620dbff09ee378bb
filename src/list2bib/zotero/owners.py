"""Which lists put what on an item: its collections (`c:<key>`), its automatic tags (`t:<tag>`)
and the item itself (`l:`, the lists that produce the work). A run takes off only what every list
that put it there no longer asks for, and only when all those lists are synced in this run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set

LISTED = "l:"


def collection(key: str) -> str:
    return f"c:{key}"


def tag(name: str) -> str:
    return f"t:{name}"


def settle(
    memory: Mapping[str, list[str]] | None,
    present: Iterable[str],
    wanted: Mapping[str, Set[str]],
    run: Set[str],
) -> tuple[set[str], dict[str, list[str]]]:
    """(names on the item this run may take off, the item's memory after this run).

    `present`: the names on the item now; `wanted`: the names this run's lists put on it, each
    with the lists that do. A name no memory says list2bib put there (a member's collection or
    tag) is never taken off; nor is one another list, not synced now, still puts there. A name
    taken off stays remembered with no list until it is gone, so a write that must be planned
    again (a 412) takes it off again."""
    memory = memory or {}
    after: dict[str, list[str]] = {}
    drop: set[str] = set()
    for name in present:
        if name in wanted or name not in memory:
            continue
        others = set(memory[name]) - run
        if not others:
            drop.add(name)
        after[name] = sorted(others)
    for name, lists in wanted.items():
        after[name] = sorted((set(memory.get(name, [])) - run) | lists)
    return drop, after


def only_listed_by(memory: Mapping[str, list[str]] | None, run: Set[str]) -> bool:
    """Whether every list that produced the item is synced in this run (so none still does)."""
    return memory is not None and LISTED in memory and set(memory[LISTED]) <= run
