"""The pure diff between what the lists produce and what the group holds: collections to create,
items to create, update, file into collections, or trash. No I/O; `sync` applies the result."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from list2bib.model import TOPIC_SEPARATOR
from list2bib.text.identity import conflicting
from list2bib.zotero import owners, tidy
from list2bib.zotero.export import citation_key
from list2bib.zotero.index import Index
from list2bib.zotero.items import Desired, attachment, identities, item_names
from list2bib.zotero.merge import merge

# Zotero object keys: 8 symbols of this alphabet (no 0, 1, O). The first 32 symbols encode 5 bits.
KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
DEFAULT_ROOT = "list2bib"


# Added to Extra when --prune trashes an item, so a later run knows it may bring it back.
PRUNED_MARK = "list2bib-pruned: no list produces it"


@dataclass(frozen=True, slots=True)
class NewCollection:
    """A collection to create: its key, name, parent key (False at the top) and path
    (`list2bib > Survey`)."""

    key: str
    name: str
    parent: str | bool
    path: str


@dataclass(frozen=True, slots=True)
class ItemWrite:
    """One object of a write. `version` 0 means "must not exist yet" (a create)."""

    action: str  # create | update | file | trash | attach
    key: str
    version: int
    label: str
    payload: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"key": self.key, "version": self.version, **self.payload}


@dataclass(frozen=True, slots=True)
class Plan:
    collections: tuple[NewCollection, ...] = ()
    writes: tuple[ItemWrite, ...] = ()
    notes: tuple[str, ...] = ()
    # Fields where a member's edit and the lists now agree: list2bib's base moves to them.
    agreed: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Per item, which lists put each collection and tag on it after this plan (`owners`).
    owned: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # (key, path) of empty collections list2bib made that no list files into (`--prune`).
    removals: tuple[tuple[str, str], ...] = ()
    # list2bib's key -> the citation key a member set on the work's item (`-o` writes it).
    pinned: dict[str, str] = field(default_factory=dict)

    def of(self, action: str) -> tuple[ItemWrite, ...]:
        return tuple(w for w in self.writes if w.action == action)

    @property
    def empty(self) -> bool:
        return not self.collections and not self.writes and not self.removals


def object_key(group: str, kind: str, identity: str, taken: Iterable[str]) -> str:
    """A deterministic key for a new object: a retried create hits the same key (a per-object
    412), never a second object. A key already used by another object moves to the next salt."""
    used = set(taken)
    for salt in count():
        seed = f"{group}\x1f{kind}\x1f{identity}\x1f{salt}".encode()
        number = int.from_bytes(hashlib.sha256(seed).digest()[:5], "big")
        key = "".join(KEY_ALPHABET[(number >> (35 - 5 * i)) & 31] for i in range(8))
        if key not in used:
            return key
    raise AssertionError("unreachable")


def make_plan(
    wanted: Sequence[Desired],
    index: Index,
    *,
    root: str = DEFAULT_ROOT,
    adopt: bool = True,
    prune: bool = False,
    keep: Iterable[str] = (),
    lists: Iterable[str] = (),
) -> Plan:
    """What to write so the group holds `wanted`, filed by topic under the `root` collection.

    `keep` lists identities (`doi:…`, `arxiv:…`) of works a list still names but that are not
    synced this run (unresolved): items for them are never pruned. `lists`: every list synced
    this run; what other lists put on an item stays (`owners`)."""
    folders = _Folders(index, root or DEFAULT_ROOT)
    matcher = _Matcher(index)
    run = set(lists) | {src for want in wanted for src, _ in want.placed}
    writes: list[ItemWrite] = []
    notes: list[str] = []
    agreed: dict[str, dict[str, Any]] = {}
    owned: dict[str, dict[str, list[str]]] = {}
    pinned: dict[str, str] = {}
    seen: set[str] = set()
    taken = set(index.items)
    parents: list[tuple[Desired, str]] = []  # list2bib's items of this run's works
    for want in wanted:
        if want.identity in seen:
            continue
        seen.add(want.identity)
        asks = _asks(want, folders)
        target = {k.removeprefix("c:") for k in asks if k.startswith("c:")}
        found = matcher.claim(want.identity, want.names)
        if found is None:
            key = object_key(index.group, "item", want.identity, taken)
            taken.add(key)
            payload = {**want.data, "collections": sorted(target)}
            writes.append(ItemWrite("create", key, 0, want.label, payload))
            owned[key] = owners.settle(None, (), asks, run)[1]
            parents.append((want, key))
            continue
        if found in matcher.gone:
            notes.append(f"{want.label}: a member deleted its item {found}; not created again")
            continue
        current = index.items[found]
        # Only what list2bib itself trashed (--prune) comes back; a user's trashing stands.
        restore = bool(current.get("deleted")) and PRUNED_MARK in str(current.get("extra") or "")
        if current.get("deleted") and not restore:
            notes.append(f"{want.label}: item {found} is in the Zotero trash; left there")
            continue
        present = [owners.collection(c) for c in current.get("collections", [])]
        present += [owners.tag(t["tag"]) for t in current.get("tags", []) if t.get("type")]
        drop, owned[found] = owners.settle(index.owned.get(found), present, asks, run)
        collections = sorted(
            {c for c in current.get("collections", []) if owners.collection(c) not in drop} | target
        )
        refiled = set(collections) != set(current.get("collections", []))
        if matcher.ours(found):
            parents.append((want, found))
            droppable = {n.removeprefix("t:") for n in drop if n.startswith("t:")}
            merged = merge(current, want.data, index.written.get(found), droppable)
            if merged.agreed:
                agreed[found] = merged.agreed
            ours_key = str(want.data.get("citationKey") or "")
            member_key = _member_key(merged.data, ours_key)
            if member_key:
                pinned[ours_key] = member_key
            if merged.theirs:
                names = ", ".join(sorted(merged.theirs))
                notes.append(
                    f"{want.label}: kept the {names} a member set in Zotero (item {found})"
                )
            payload = _changes(current, merged.data)
            if restore:  # pruned once, listed again: back out of the trash
                payload["deleted"] = 0
                payload["extra"] = merged.data["extra"]
                notes.append(f"{want.label}: item {found} restored from the Zotero trash")
            if payload:
                if refiled:
                    payload["collections"] = collections
                writes.append(ItemWrite("update", found, _version(current), want.label, payload))
            elif refiled:
                payload = {"collections": collections}
                writes.append(ItemWrite("file", found, _version(current), want.label, payload))
        elif not adopt:
            notes.append(f"{want.label}: item {found} was added by hand; not adopted (--no-adopt)")
        elif refiled:
            # Adopted: filed into the topic collections; its fields are the user's and stay.
            payload = {"collections": collections}
            writes.append(ItemWrite("file", found, _version(current), want.label, payload))
    writes.extend(_attachments(parents, index))
    for ident in keep:
        matcher.claim(ident, (ident,))
    stale = []
    for key in matcher.unclaimed_ours():
        memory = index.owned.get(key)
        if index.items[key].get("deleted") or not owners.only_listed_by(memory, run):
            continue  # another list (not synced now) may still produce it
        stale.append(key)
        if memory is not None:
            owned[key] = {**memory, owners.LISTED: []}
    for key in sorted(stale):
        data = index.items[key]
        label = f"{data.get('citationKey') or key} ({str(data.get('title', ''))[:60]})"
        if prune:
            extra = str(data.get("extra") or "").rstrip("\n")
            payload = {"deleted": 1, "extra": f"{extra}\n{PRUNED_MARK}".lstrip("\n")}
            writes.append(ItemWrite("trash", key, _version(index.items[key]), label, payload))
    if stale and not prune:
        notes.append(
            f"{len(stale)} items list2bib created are in no list any more (--prune trashes them)"
        )
    empty = tidy.empty_collections(
        index.collections,
        _filled(index, writes),
        folders.used,
        lambda key, path: object_key(index.group, "collection", path, ()) == key,
    )
    if not prune:
        notes.extend(
            f"collection {path} is empty and no list files into it (--prune removes it)"
            for _, path in empty
        )
    removals = tuple(empty) if prune else ()
    return Plan(tuple(folders.new), tuple(writes), tuple(notes), agreed, owned, removals, pinned)


def _member_key(data: dict[str, Any], ours: str) -> str | None:
    """The citation key a member set on an item list2bib made (merged: a field list2bib wrote
    differs only when a member edited it; list2bib never writes a `Citation Key:` line), when it
    is not `ours` and is writable as a BibTeX key."""
    for probe in ({"citationKey": data.get("citationKey")}, {"extra": data.get("extra")}):
        key = citation_key(probe)
        if key and key != ours:
            return key
    return None


def _attachments(parents: Sequence[tuple[Desired, str]], index: Index) -> list[ItemWrite]:
    """A linked-URL attachment to each work's PDF, created once: its key is deterministic, so one
    the group holds, or a member deleted, is never made again; nor one beside a member's own link
    to the same PDF."""
    linked = {(d.get("parentItem"), d.get("url")) for d in index.items.values()}
    creates = []
    for want, parent in parents:
        if not want.pdf or (parent, want.pdf) in linked:
            continue
        key = object_key(index.group, "attachment", f"{parent}\x1f{want.pdf}", ())
        if key not in index.items and key not in index.gone:
            payload = attachment(parent, want.pdf)
            creates.append(ItemWrite("attach", key, 0, f"{want.label}: PDF link", payload))
    return creates


def _filled(index: Index, writes: Sequence[ItemWrite]) -> set[str]:
    """The collections some item is in once `writes` are done (what --prune trashed counts not)."""
    items = index.items
    final = {
        key: data.get("collections", [])
        for key, data in items.items()
        if not data.get("parentItem")
        and not (data.get("deleted") and PRUNED_MARK in str(data.get("extra") or ""))
    }
    for write in writes:
        if write.action == "trash":
            final.pop(write.key, None)
        elif write.action != "attach":
            here = items.get(write.key, {}).get("collections", [])
            final[write.key] = write.payload.get("collections", here)
    return {c for collections in final.values() for c in collections}


def _asks(want: Desired, folders: _Folders) -> dict[str, set[str]]:
    """What this run's lists put on the item (collections, tags, being listed), and by which."""
    placed = [(src, topic) for src, topic in want.placed if topic]
    placed = placed or [(src, "") for src, _ in want.placed] or [("", "")]
    asks: dict[str, set[str]] = {owners.LISTED: {src for src, _ in placed}}
    for src, topic in placed:
        asks.setdefault(owners.collection(folders.key_for(topic)), set()).add(src)
    for src, name in want.tagged:
        asks.setdefault(owners.tag(name), set()).add(src)
    return asks


class _Folders:
    """Topic paths -> collection keys: existing collections are reused by name and parent."""

    def __init__(self, index: Index, root: str) -> None:
        self._index = index
        self._root = root
        self._by_path: dict[str, str] = {}
        self.new: list[NewCollection] = []
        self._taken = set(index.collections)
        self.used: set[str] = set()  # every collection this run files into, with its parents
        self.key_for("")

    def key_for(self, topic: str) -> str:
        parts = [self._root, *(p.strip() for p in topic.split(TOPIC_SEPARATOR) if p.strip())]
        parent: str | bool = False
        for depth in range(1, len(parts) + 1):
            path = TOPIC_SEPARATOR.join(parts[:depth])
            key = self._by_path.get(path)
            if key is None:
                key = self._existing(parts[depth - 1], parent) or self._create(
                    parts[depth - 1], parent, path
                )
                self._by_path[path] = key
                self.used.add(key)
            parent = key
        return str(parent)

    def _existing(self, name: str, parent: str | bool) -> str | None:
        if parent in {c.key for c in self.new}:
            return None
        same = [c["key"] for c in self._index.children(parent) if c.get("name") == name]
        return min(same) if same else None

    def _create(self, name: str, parent: str | bool, path: str) -> str:
        key = object_key(self._index.group, "collection", path, self._taken)
        self._taken.add(key)
        self.new.append(NewCollection(key, name, parent, path))
        return key


class _Matcher:
    """Finds the group's item for a work: by identity marker, DOI or arXiv id; each item once."""

    def __init__(self, index: Index) -> None:
        self._marker: dict[str, str | None] = {}
        self._names: dict[str, set[str]] = {}
        self._by: dict[str, set[str]] = {}
        self._claimed: set[str] = set()
        self._trashed = {k for k, d in index.items.items() if d.get("deleted")}
        # Deleted for good by a member (what list2bib pruned and a member then emptied from the
        # trash may come back: it carries the prune mark).
        self.gone = {k for k, d in index.gone.items() if PRUNED_MARK not in str(d.get("extra"))}
        for key, data in [*index.items.items(), *((k, index.gone[k]) for k in self.gone)]:
            if data.get("parentItem"):
                continue
            marker = identities(data)[0]
            self._marker[key] = marker
            self._names[key] = {_normal(n) for n in item_names(data)}
            for name in self._names[key] | ({f"id:{marker}"} if marker else set()):
                self._by.setdefault(name, set()).add(key)

    def ours(self, key: str) -> bool:
        return self._marker.get(key) is not None

    def claim(self, ident: str, names: Iterable[str]) -> str | None:
        """The item of the work marked `ident` with identities `names`: one sharing an id, else
        the one item (fail-closed: two is none) of the same title, first author and year whose
        DOIs and arXiv ids do not say it is another work."""
        names = {_normal(n) for n in names}
        strong = {f"id:{ident}"} | {n for n in names if not n.startswith("tay:")}
        found = {k for n in strong for k in self._by.get(n, ())} - self._claimed
        if not found:
            alike = {k for n in names - strong for k in self._by.get(n, ())} - self._claimed
            found = {k for k in alike if not conflicting(names, self._names[k])}
            if len(found) != 1:
                return None
        best = min(found, key=lambda k: (k in self.gone, not self.ours(k), k in self._trashed, k))
        self._claimed.add(best)
        return best

    def unclaimed_ours(self) -> list[str]:
        return [k for k in self._marker if self.ours(k) and k not in self._claimed | self.gone]


def _normal(name: str) -> str:
    """arXiv ids compare case-blind (`hep-th/…`); OpenReview ids are case-sensitive."""
    return name.lower() if name.startswith("arxiv:") else name


def _version(data: dict[str, Any]) -> int:
    return int(data.get("version", 0))


def _changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The properties to send: only those that differ (a multi-object write patches an existing
    item), or everything when the item type changes (Zotero drops fields the new type lacks)."""
    changed: dict[str, Any] = {}
    for name, value in wanted.items():
        have = current.get(name, [] if isinstance(value, list) else "")
        if name == "tags":
            if {(t["tag"], int(t.get("type", 0))) for t in have} != {
                (t["tag"], int(t.get("type", 0))) for t in value
            }:
                changed[name] = value
        elif have != value:
            changed[name] = value
    if "itemType" in changed:
        return dict(wanted)
    return changed
