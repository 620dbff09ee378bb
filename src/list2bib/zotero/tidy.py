"""Collections list2bib made that no list files into any more (a heading renamed or removed) and
that hold nothing: no item, no collection of their own that stays."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from list2bib.model import TOPIC_SEPARATOR


def collection_paths(collections: Mapping[str, Mapping[str, object]]) -> dict[str, str]:
    """Each live collection's path of names from the top (`list2bib > Survey`)."""
    live = {k: c for k, c in collections.items() if not c.get("deleted")}
    paths: dict[str, str] = {}

    def path(key: str, depth: int = 0) -> str:
        if key not in paths:
            data = live[key]
            parent = data.get("parentCollection") or False
            name = str(data.get("name", ""))
            above = path(str(parent), depth + 1) if parent in live and depth < 64 else ""
            paths[key] = f"{above}{TOPIC_SEPARATOR}{name}" if above else name
        return paths[key]

    for key in live:
        path(key)
    return paths


def empty_collections(
    collections: Mapping[str, Mapping[str, object]],
    filled: Iterable[str],
    used: set[str],
    made: Callable[[str, str], bool],
) -> list[tuple[str, str]]:
    """(key, path) of each collection list2bib `made` (by key and path) that this run does not
    use, holds no item of `filled`, and has no subcollection but ones removed with it."""
    paths = collection_paths(collections)
    occupied = set(filled)
    children: dict[str, list[str]] = {}
    for key, data in collections.items():
        if key in paths and data.get("parentCollection"):
            children.setdefault(str(data["parentCollection"]), []).append(key)
    verdict: dict[str, bool] = {}

    def removable(key: str) -> bool:
        if key not in verdict:
            verdict[key] = False  # a cycle never counts as empty
            verdict[key] = (
                key not in used
                and key not in occupied
                and made(key, paths[key])
                and all(removable(child) for child in children.get(key, []))
            )
        return verdict[key]

    return sorted(((k, paths[k]) for k in paths if removable(k)), key=lambda kp: kp[1])
