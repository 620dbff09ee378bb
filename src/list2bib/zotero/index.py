"""The local index of a group library: every item's and collection's `data` and version, kept
under the cache folder. Read in full once, then incrementally (`since=` + `format=versions`),
because Zotero's search cannot find DOIs, arXiv ids or `extra` lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from list2bib.infra.files import replace_file

logger = logging.getLogger("list2bib")

FORMAT = 1
# A library that keeps changing while it is read is read again, this many times at most.
MAX_READ_ROUNDS = 3


class Reader(Protocol):
    """The reads the index needs (implemented by `client.ZoteroClient`)."""

    def versions(self, kind: str, since: int) -> tuple[dict[str, int] | None, int]: ...

    def deleted(self, since: int) -> dict[str, list[str]]: ...

    def fetch(self, kind: str, keys: Iterable[str]) -> list[dict[str, Any]]: ...


@dataclass
class Index:
    """What list2bib knows of one group: `data` of each item and collection, by key."""

    group: str
    version: int = 0
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Per item list2bib wrote: each field's value as last written (the base of a three-way
    # merge: a group value that differs from it is a member's edit).
    written: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Items deleted from the group for good (the last `data` known of each): a member deleted
    # the work (or its PDF link), so it is not created again.
    gone: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Per item, which lists put each of its collections and tags there (`owners`).
    owned: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    # persistence
    @staticmethod
    def path_for(cache_dir: Path, group: str) -> Path:
        return cache_dir / "zotero" / f"group-{group}.json"

    @classmethod
    def load(cls, path: Path, group: str) -> Index:
        """The saved index, or an empty one (a full read follows) when missing or unreadable."""
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("format") != FORMAT or str(saved.get("group")) != group:
                raise ValueError("other format or group")
            memory = [saved.get(name, {}) for name in ("written", "gone", "owned")]
            if not all(isinstance(table, dict) for table in memory):
                raise ValueError("written, gone or owned is no table")
            index = cls(group, int(saved["version"]), saved["items"], saved["collections"])
            index.written, index.gone, index.owned = memory
            return index
        except FileNotFoundError:
            return cls(group)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("%s: unreadable Zotero index (%s); reading the group again", path, exc)
            return cls(group)

    def save(self, path: Path) -> None:
        """Atomically (temp file + rename): a crash never leaves a half-written index."""
        body = {
            "format": FORMAT,
            "group": self.group,
            "version": self.version,
            "items": self.items,
            "collections": self.collections,
            "written": self.written,
            "gone": self.gone,
            "owned": self.owned,
        }
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        replace_file(path, text.encode("utf-8"), private=True)

    # reading the library
    def refresh(self, reader: Reader) -> bool:
        """Bring the index up to the library's current version. Returns whether anything changed.

        One `items?since=V&format=versions` with `If-Modified-Since-Version: V` answers 304 when
        nothing changed: an unchanged library costs one request."""
        changed = False
        for _ in range(MAX_READ_ROUNDS):
            since = self.version
            item_versions, version = reader.versions("items", since)
            if item_versions is None:
                return changed
            changed = True
            collection_versions, other = reader.versions("collections", since)
            if since > 0:
                self._forget(reader.deleted(since))
            newest = max(
                self._merge("collections", collection_versions or {}, reader),
                self._merge("items", item_versions, reader),
            )
            # Everything after `version` is read again next time, so a library that moved while
            # it was read is never half-known.
            self.version = version
            if other == version and newest <= version:
                return changed
        return changed

    def _merge(self, kind: str, versions: Mapping[str, int], reader: Reader) -> int:
        """Fetch the objects whose version differs from the index; returns the newest version."""
        store = self.items if kind == "items" else self.collections
        stale = [k for k, v in versions.items() if store.get(k, {}).get("version") != v]
        newest = 0
        for obj in reader.fetch(kind, stale):
            self.put(kind, obj["data"])
            newest = max(newest, int(obj["data"].get("version", 0)))
        return newest

    def _forget(self, deleted: Mapping[str, list[str]]) -> None:
        gone = set(deleted.get("collections", []))
        for key in deleted.get("items", []):
            data = self.items.pop(key, None)
            self.written.pop(key, None)
            self.owned.pop(key, None)
            if data:
                self.gone[key] = data
        for key in gone:
            self.collections.pop(key, None)
        # Deleting a collection drops memberships without bumping the items' versions.
        for data in self.items.values():
            if gone & set(data.get("collections", [])):
                data["collections"] = [c for c in data["collections"] if c not in gone]

    def forget_all(self) -> None:
        """Drop everything known of the group, so the next `refresh` reads it all again (what
        list2bib wrote is its own memory and stays)."""
        self.version = 0
        self.items = {}
        self.collections = {}

    def put(self, kind: str, data: Mapping[str, Any]) -> None:
        """Record an object's current `data` (from a read or a write's `successful` entry)."""
        store = self.items if kind == "items" else self.collections
        store[str(data["key"])] = dict(data)
        if kind == "items":
            self.gone.pop(str(data["key"]), None)

    def wrote(self, key: str, fields: Mapping[str, Any]) -> None:
        """Remember the values list2bib wrote to an item's fields."""
        self.written.setdefault(key, {}).update(fields)

    def children(self, parent: str | bool) -> list[dict[str, Any]]:
        return [
            c
            for c in self.collections.values()
            if (c.get("parentCollection") or False) == parent and not c.get("deleted")
        ]
