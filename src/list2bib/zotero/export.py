"""A group's own items as works for a bib (`zotero export`): which items count (no notes,
attachments or trashed items; inside a collection and its subcollections when one is named), and
each item's record, citation key and topics. Pure functions over the local index."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from list2bib.bibtex.render import writable_key
from list2bib.errors import ConfigError
from list2bib.model import TOPIC_SEPARATOR, Link, ListEntry, Person, Record, Resolution, Status
from list2bib.model import WorkKind as Kind
from list2bib.text.dates import find_date
from list2bib.zotero.index import Index
from list2bib.zotero.items import VENUE_FIELDS, extra_lines, identities

NOT_WORKS = frozenset({"note", "attachment", "annotation"})
# Zotero item type -> BibTeX entry type; any other type is `misc`.
ENTRY_TYPES = {
    "conferencePaper": "inproceedings",
    "journalArticle": "article",
    "bookSection": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "report": "techreport",
}
# BibTeX field -> Zotero field, for the types list2bib itself never writes to a group.
MORE_VENUE_FIELDS: dict[str, dict[str, str]] = {
    "book": {"publisher": "publisher", "address": "place", "edition": "edition"},
    "thesis": {"school": "university"},
    "report": {"institution": "institution", "number": "reportNumber"},
}
SOURCE = "zotero"


def source_of(group: str, key: str) -> str:
    """Where an item is named in messages and in the state file: its Web API path."""
    return f"zotero:groups/{group}/items/{key}"


def collection_key(index: Index, path: str) -> str:
    """The key of the collection `path` names: a top-level name, or names joined by ` > ` or
    `/` from the top (`Reading group > Editing`)."""
    parts = [path] if _child(index, False, path) else _split(path)
    parent: str | bool = False
    for name in parts:
        found = _child(index, parent, name)
        if found is None:
            top = ", ".join(sorted(str(c.get("name")) for c in index.children(False))) or "none"
            raise ConfigError(
                f"zotero: no collection {path!r} in group {index.group} (no {name!r} there);"
                f" collections at the top: {top}"
            )
        parent = found
    return str(parent)


def exported_items(index: Index, collection: str | None) -> list[dict[str, Any]]:
    """The items to write, in key order: works (not notes or attachments), not in the trash,
    and, with `collection`, in it or in one of its subcollections."""
    inside = _subtree(index, collection) if collection else None
    return [
        data
        for _, data in sorted(index.items.items())
        if data.get("itemType") not in NOT_WORKS
        and not data.get("deleted")
        and not data.get("parentItem")
        and str(data.get("title") or "").strip()
        and (inside is None or inside & set(data.get("collections") or []))
    ]


def resolutions(index: Index, items: list[dict[str, Any]]) -> list[Resolution]:
    """One resolved entry per item: the item's record, its citation key when it has a usable
    one, its collections as topics."""
    paths = _collection_paths(index)
    found: list[Resolution] = []
    for data in items:
        record = record_of(data)
        entry = ListEntry(
            source=source_of(index.group, str(data["key"])),
            line=1,
            topics=tuple(paths[c] for c in data.get("collections") or [] if c in paths),
            title=record.title,
            links=(Link(record.url),) if record.url else (),
            key=citation_key(data),
        )
        found.append(Resolution(entry, Status.RESOLVED, record=record))
    return found


def citation_key(data: Mapping[str, Any]) -> str | None:
    """The item's own citation key: the `citationKey` field, else a `Citation Key:` line in Extra
    (clients before Zotero 7); None when unset or not writable as a BibTeX key."""
    key = str(data.get("citationKey") or "").strip()
    if not key:
        key = next(iter(extra_lines(str(data.get("extra") or "")).get("citation key", [])), "")
    return key if key and writable_key(key) else None


def record_of(data: Mapping[str, Any]) -> Record:
    """The record an item's fields give, in BibTeX terms."""
    item_type = str(data.get("itemType") or "")
    _, dois, arxiv_ids = identities(dict(data))
    doi = min(dois, default=None)
    arxiv_id = min(arxiv_ids, default=None)
    if item_type in ("webpage", "blogPost"):
        kind = Kind.WEB
    elif item_type == "preprint" or (arxiv_id and not doi and item_type not in ENTRY_TYPES):
        kind = Kind.PREPRINT
    else:
        kind = Kind.PUBLISHED
    fields = {**VENUE_FIELDS.get(item_type, {}), **MORE_VENUE_FIELDS.get(item_type, {})}
    venue = {bib: _text(data.get(name)) for bib, name in fields.items() if _text(data.get(name))}
    date = find_date(_text(data.get("date"))) or ""
    month = int(date[5:7]) if len(date) >= 7 else None
    return Record(
        source=SOURCE,
        entry_type=ENTRY_TYPES.get(item_type, "misc"),
        title=_text(data.get("title")),
        authors=tuple(_person(c) for c in data.get("creators") or [] if _is_author(c)),
        year=date[:4] or None,
        month=month,
        doi=doi,
        arxiv_id=arxiv_id,
        url=_text(data.get("url")) or None,
        venue=venue,
        kind=kind,
        abstract=_text(data.get("abstractNote")) or None,
    )


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _is_author(creator: Mapping[str, Any]) -> bool:
    named = _text(creator.get("lastName") or creator.get("name"))
    return bool(named) and creator.get("creatorType", "author") == "author"


def _person(creator: Mapping[str, Any]) -> Person:
    if creator.get("name"):
        return Person(_text(creator["name"]), literal=True)
    return Person(_text(creator.get("lastName")), _text(creator.get("firstName")))


def _split(path: str) -> list[str]:
    separator = TOPIC_SEPARATOR if TOPIC_SEPARATOR in path else "/"
    return [part.strip() for part in path.split(separator) if part.strip()]


def _child(index: Index, parent: str | bool, name: str) -> str | None:
    keys = sorted(str(c["key"]) for c in index.children(parent) if c.get("name") == name)
    return keys[0] if keys else None


def _subtree(index: Index, key: str) -> set[str]:
    found, todo = set(), [key]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(str(c["key"]) for c in index.children(current))
    return found


def _collection_paths(index: Index) -> dict[str, str]:
    """Each collection's path of names from the top (`Survey > interpretability`)."""
    paths: dict[str, str] = {}
    todo: list[tuple[str | bool, str]] = [(False, "")]
    while todo:
        parent, prefix = todo.pop()
        for child in index.children(parent):
            key = str(child["key"])
            if key not in paths:
                name = str(child["name"])
                paths[key] = f"{prefix}{TOPIC_SEPARATOR}{name}" if prefix else name
                todo.append((key, paths[key]))
    return paths
