"""Ownership by list: what a list puts on an item (its topic collections, its tags, the item
itself) is taken off only by a sync of that list; collections members made, inside list2bib's
root or named by `--collection`, keep every item in them. Read back through pyzotero."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeClock, make_http
from fakes.zotero import FakeZotero, reference
from list2bib.model import ListEntry, Reference
from list2bib.zotero.client import ZoteroClient
from list2bib.zotero.sync import SyncResult, sync

zotero = pytest.importorskip("pyzotero.zotero")


class Group:
    def __init__(self, fake: FakeZotero, tmp_path: Path) -> None:
        self.fake = fake
        self.index = tmp_path / "index.json"
        self.member = zotero.Zotero("12345", "group", FakeZotero.MEMBER)
        self.member.endpoint = fake.base_url
        self.clock = FakeClock()

    def sync(self, refs: list[Reference], **options: Any) -> SyncResult:
        with make_http(clock=self.clock, retries=2) as http:
            client = ZoteroClient(http, self.fake.base_url, "12345", FakeZotero.WRITER)
            result = sync(refs, client, self.index, **options)
        assert not result.failed
        return result

    def items(self) -> dict[str, dict[str, Any]]:
        return {i["data"]["citationKey"] or i["key"]: i["data"] for i in self.member.top()}

    def paths(self, data: dict[str, Any]) -> set[str]:
        names = {c["key"]: c["data"] for c in self.member.collections()}

        def path(key: str) -> str:
            parent = names[key]["parentCollection"]
            return (path(parent) + " > " if parent else "") + names[key]["name"]

        return {path(k) for k in data["collections"]}

    def tags(self, data: dict[str, Any]) -> set[str]:
        return {t["tag"] for t in data["tags"]}


@pytest.fixture
def group(tmp_path: Path) -> Iterator[Group]:
    with FakeZotero() as fake:
        yield Group(fake, tmp_path)


def listed(key: str, doi: str, *places: tuple[str, str, str]) -> Reference:
    """A work named in each (list file, topic, tag) of `places`."""
    ref = reference(key, doi=doi)
    entries = tuple(
        ListEntry(source, n + 1, (topic,), ref.record.title, tags=(tag,))
        for n, (source, topic, tag) in enumerate(places)
    )
    return replace(ref, entries=entries)


def test_syncing_one_list_alone_takes_nothing_of_another_list(group: Group) -> None:
    shared = listed("shared", "10.1000/s", ("a.md", "Probing", "from-a"), ("b.md", "Editing",
                                                                           "from-b"))  # fmt: skip
    only_a = listed("onlya", "10.1000/a", ("a.md", "Probing", "from-a"))
    group.sync([shared, only_a])
    # Then list b alone, in which the shared work moved to another topic.
    moved = listed("shared", "10.1000/s", ("b.md", "Circuits", "from-b"))
    result = group.sync([moved], prune=True)
    assert result.count("trash") == 0
    items = group.items()
    assert group.paths(items["shared"]) == {"list2bib > Probing", "list2bib > Circuits"}
    assert group.tags(items["shared"]) == {"from-a", "from-b"}
    assert group.paths(items["onlya"]) == {"list2bib > Probing"}
    assert not items["onlya"].get("deleted")
    # List a, synced with the work moved in it too, takes it out of its own old topic.
    group.sync([listed("shared", "10.1000/s", ("a.md", "Circuits", "from-a")), only_a])
    assert group.paths(group.items()["shared"]) == {"list2bib > Circuits"}
    # And a sync of both lists without `onlya` prunes it: no list produces it any more.
    both = listed("shared", "10.1000/s", ("a.md", "Circuits", "x"), ("b.md", "Circuits", "x"))
    assert group.sync([both], prune=True).count("trash") == 1


def test_a_members_subcollection_inside_the_root_keeps_its_items(group: Group) -> None:
    work = listed("work", "10.1000/w", ("a.md", "Probing", "t"))
    group.sync([work])
    root = next(c["key"] for c in group.member.collections() if c["data"]["name"] == "list2bib")
    made = group.member.create_collections([{"name": "Favourites", "parentCollection": root}])
    favourites = made["success"]["0"]
    (item,) = [i for i in group.member.top() if i["data"]["citationKey"] == "work"]
    assert group.member.addto_collection(favourites, item)
    group.sync([listed("work", "10.1000/w", ("a.md", "Circuits", "t"))])
    assert group.paths(group.items()["work"]) == {
        "list2bib > Favourites",
        "list2bib > Circuits",
    }


def test_collection_naming_an_existing_collection_takes_nothing_out(group: Group) -> None:
    made = group.member.create_collections([{"name": "Reading group"}])
    reading = made["success"]["0"]
    for title in ("Our favourite paper", "Another one"):
        group.fake.add_item(
            {"itemType": "journalArticle", "title": title, "collections": [reading]}
        )
    group.sync([listed("work", "10.1000/w", ("a.md", "Probing", "t"))], root="Reading group")
    items = group.items()
    inside = {k for k, d in items.items() if reading in d["collections"]}
    assert len(inside) == 2 and "work" not in inside
    assert group.paths(items["work"]) == {"Reading group > Probing"}
    assert len([c for c in group.member.collections() if c["data"]["name"] == "Reading group"]) == 1


def test_a_renamed_headings_empty_collections_are_named_then_removed(group: Group) -> None:
    group.sync([listed("w1", "10.1000/1", ("a.md", "Old > Deep", "t")),
                listed("w2", "10.1000/2", ("a.md", "Kept", "t"))])  # fmt: skip
    renamed = [listed("w1", "10.1000/1", ("a.md", "New > Deep", "t")),
               listed("w2", "10.1000/2", ("a.md", "Kept", "t"))]  # fmt: skip
    result = group.sync(renamed)
    assert group.paths(group.items()["w1"]) == {"list2bib > New > Deep"}
    named = [n for n in result.notes if "is empty and no list files into it" in n]
    assert len(named) == 2 and any("list2bib > Old > Deep " in n for n in named)
    names = {c["data"]["name"] for c in group.member.collections()}
    assert {"Old", "Deep", "New", "Kept"} <= names
    result = group.sync(renamed, prune=True)
    assert sorted(result.done["remove"]) == ["collection list2bib > Old",
                                             "collection list2bib > Old > Deep"]  # fmt: skip
    paths = {group_path for d in group.items().values() for group_path in group.paths(d)}
    assert paths == {"list2bib > New > Deep", "list2bib > Kept"}
    assert "Old" not in {c["data"]["name"] for c in group.member.collections()}
    group.fake.clear_log()
    assert not any(group.sync(renamed, prune=True).done.values())


def test_a_collection_a_member_uses_is_never_removed(group: Group) -> None:
    group.sync([listed("w1", "10.1000/1", ("a.md", "Old", "t")),
                listed("w2", "10.1000/2", ("a.md", "Gone", "t"))])  # fmt: skip
    by_name = {c["data"]["name"]: c["key"] for c in group.member.collections()}
    group.member.create_collections([{"name": "Mine", "parentCollection": by_name["Old"]}])
    group.fake.add_item(
        {"itemType": "document", "title": "Notes", "collections": [by_name["Gone"]]}
    )
    moved = [listed("w1", "10.1000/1", ("a.md", "New", "t")),
             listed("w2", "10.1000/2", ("a.md", "New", "t"))]  # fmt: skip
    result = group.sync(moved, prune=True)
    assert "remove" not in result.done
    assert {"Old", "Mine", "Gone", "New"} <= {c["data"]["name"] for c in group.member.collections()}
