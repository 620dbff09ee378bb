"""The local index of a group library: every item's and collection's `data` and version, kept
under the cache folder. Read in full once, then incrementally (`since=` + `format=versions`),
because Zotero's search cannot find DOIs, arXiv ids or `extra` lines."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger("list2bib")

FORMAT = 1
# A library that keeps changing while it is read is read again, this many times at most.
MAX_READ_ROUNDS = 3
# A temp file this old was left by a run that was killed while saving (a live save takes ms).
STALE_TEMP_SECONDS = 3600.0


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
            return cls(group, int(saved["version"]), saved["items"], saved["collections"])
        except FileNotFoundError:
            return cls(group)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("%s: unreadable Zotero index (%s); reading the group again", path, exc)
            return cls(group)

    def save(self, path: Path) -> None:
        """Atomically (temp file + rename): a crash never leaves a half-written index."""
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "format": FORMAT,
            "group": self.group,
            "version": self.version,
            "items": self.items,
            "collections": self.collections,
        }
        _sweep(path)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(body, fh, ensure_ascii=False, sort_keys=True)
                # On disk before the rename: after a power cut the index is old or new, not empty.
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

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
            self.items.pop(key, None)
        for key in gone:
            self.collections.pop(key, None)
        # Deleting a collection drops memberships without bumping the items' versions.
        for data in self.items.values():
            if gone & set(data.get("collections", [])):
                data["collections"] = [c for c in data["collections"] if c not in gone]

    def forget_all(self) -> None:
        """Drop everything known, so the next `refresh` reads the whole group again."""
        self.version = 0
        self.items = {}
        self.collections = {}

    def put(self, kind: str, data: Mapping[str, Any]) -> None:
        """Record an object's current `data` (from a read or a write's `successful` entry)."""
        store = self.items if kind == "items" else self.collections
        store[str(data["key"])] = dict(data)

    def children(self, parent: str | bool) -> list[dict[str, Any]]:
        return [
            c
            for c in self.collections.values()
            if (c.get("parentCollection") or False) == parent and not c.get("deleted")
        ]


def _sweep(path: Path) -> None:
    """Remove temp files that killed runs left next to the index."""
    now = time.time()
    for stale in path.parent.glob(f"{path.name}*.tmp"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > STALE_TEMP_SECONDS:
                stale.unlink()
