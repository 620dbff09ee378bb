"""Members' edits between syncs are theirs: a corrected title, a cleared abstract, a fixed date, a
pinned citation key, a line added to Extra, a tag removed; list2bib keeps writing the fields no one
touched. The edits are made and read back through pyzotero, as a member's own client would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeClock, make_http
from fakes.zotero import FakeZotero, reference
from list2bib.model import Reference
from list2bib.zotero.client import ZoteroClient
from list2bib.zotero.sync import SyncResult, sync

zotero = pytest.importorskip("pyzotero.zotero")
GROUP = "12345"


class Group:
    """The fake group, list2bib's syncs into it and a member's pyzotero client."""

    def __init__(self, fake: FakeZotero, tmp_path: Path) -> None:
        self.fake = fake
        self.index = tmp_path / "index.json"
        self.clock = FakeClock()
        self.member = zotero.Zotero(GROUP, "group", FakeZotero.MEMBER)
        self.member.endpoint = fake.base_url

    def sync(self, refs: list[Reference], **options: Any) -> SyncResult:
        with make_http(clock=self.clock, retries=2) as http:
            client = ZoteroClient(http, self.fake.base_url, GROUP, FakeZotero.WRITER)
            return sync(refs, client, self.index, **options)

    def item(self, citation_key: str) -> dict[str, Any]:
        found = [i["data"] for i in self.member.everything(self.member.top())]
        return next(d for d in found if d["citationKey"] == citation_key)

    def edit(self, citation_key: str, **fields: Any) -> None:
        """A member's edit in their own client (a PATCH with the item's version)."""
        data = self.item(citation_key)
        assert self.member.update_item({**data, **fields})

    def writes(self) -> int:
        return sum(r.method != "GET" for r in self.fake.requests)


@pytest.fixture
def group(tmp_path: Path) -> Iterator[Group]:
    with FakeZotero() as fake:
        yield Group(fake, tmp_path)


def works(title: str = "", tags: tuple[str, ...] = ("editing", "memory")) -> list[Reference]:
    lu = reference("lu2022fantastically", doi="10.18653/v1/2022.acl-long.556", tags=tags,
                   title=title or "Fantastically ordered prompts")  # fmt: skip
    lu = replace(lu, record=replace(lu.record, abstract="When primed with only a handful..."))
    return [lu, reference("other", doi="10.1000/other", tags=tags)]


def test_members_edits_survive_every_later_sync(group: Group) -> None:
    group.sync(works())
    before = group.item("lu2022fantastically")
    assert before["abstractNote"] and {"tag": "memory", "type": 1} in before["tags"]
    group.edit(
        "lu2022fantastically",
        title="Fantastically Ordered Prompts and Where to Find Them",
        abstractNote="",
        date="2022-05",
        citationKey="Lu2022Fantastic",
        extra=before["extra"] + "\nread in week 3",
        tags=[t for t in before["tags"] if t["tag"] != "memory"],
    )
    edited = group.item("Lu2022Fantastic")
    group.fake.clear_log()
    for _ in range(2):
        result = group.sync(works())
        assert not any(result.done.values()) and not result.failed
    assert group.writes() == 0
    assert group.item("Lu2022Fantastic") == edited
    # A field no member touched still follows the lists; the edited ones stay the member's.
    group.fake.clear_log()
    result = group.sync(
        works(title="Fantastically ordered prompts, revised", tags=("editing", "icl"))
    )
    after = group.item("Lu2022Fantastic")
    assert after["title"] == "Fantastically Ordered Prompts and Where to Find Them"
    assert any("kept the title a member set" in n for n in result.notes)
    assert {t["tag"] for t in after["tags"]} == {"editing", "icl"}
    assert after["extra"].endswith("\nread in week 3") and "list2bib-id: doi:" in after["extra"]
    assert (after["date"], after["abstractNote"]) == ("2022-05", "")
    other = group.item("other")
    assert {t["tag"] for t in other["tags"]} == {"editing", "icl"}


def test_a_fix_made_during_a_sync_survives_the_re_plan(group: Group) -> None:
    fake = group.fake
    group.sync(works())
    target = group.item("other")["key"]

    def member_fix(server: FakeZotero) -> None:
        server.edit_item(target, title="The corrected title")

    # The member's fix lands between list2bib's read and its write: a 412, a re-read, a re-plan.
    fake.before_next_write(member_fix)
    refs = works(tags=("editing", "memory", "new tag"))
    result = group.sync(refs)
    assert not result.failed
    data = group.item("other")
    assert data["title"] == "The corrected title"
    assert {"tag": "new tag", "type": 1} in data["tags"]
    fake.clear_log()
    assert not any(group.sync(refs).done.values()) and group.writes() == 0


def test_a_member_who_changes_the_type_owns_the_fields(group: Group) -> None:
    group.sync(works())
    data = group.item("other")
    for name in ("proceedingsTitle", "conferenceName", "place", "series"):
        data.pop(name, None)  # fields a journal article does not have
    assert group.member.update_item(
        {**data, "itemType": "journalArticle", "publicationTitle": "Journal of Others"}
    )
    group.fake.clear_log()
    result = group.sync(works(title="A new title from the services"))
    data = group.item("other")
    assert data["itemType"] == "journalArticle" and data["publicationTitle"] == "Journal of Others"
    assert data["title"] == "A study of other"
    assert not result.failed


def test_without_a_remembered_base_list2bib_writes_as_before(group: Group) -> None:
    group.sync(works())
    group.edit("other", title="Edited", extra=group.item("other")["extra"] + "\nmine")
    group.index.unlink()  # a lost cache: nothing says what list2bib last wrote
    group.sync(works())
    data = group.item("other")
    assert data["title"] == "A study of other"  # list2bib's value again
    assert data["extra"].endswith("\nmine")  # but a member's Extra line always stays


def test_an_item_a_member_deleted_is_not_created_again(group: Group) -> None:
    group.sync(works())
    data = group.item("other")
    group.member.delete_item(data)
    for _ in range(2):
        result = group.sync(works(), prune=True)
        assert not any(result.done.values()) and not result.failed
        assert any(f"deleted its item {data['key']}" in n for n in result.notes)
    assert [i["data"]["citationKey"] for i in group.member.top()] == ["lu2022fantastically"]


def test_an_item_list2bib_pruned_and_a_member_emptied_comes_back(group: Group) -> None:
    group.sync(works())
    group.sync(works()[:1], prune=True)
    (trashed,) = group.member.trash()
    group.member.delete_item(trashed)  # emptying the trash deletes it for good
    result = group.sync(works())
    assert result.count("create") == 1
    assert {i["data"]["citationKey"] for i in group.member.top()} == {
        "lu2022fantastically",
        "other",
    }


def test_a_pdf_link_is_attached_once_and_a_deleted_one_stays_deleted(group: Group) -> None:
    preprint = reference("meng2022locating", arxiv="2202.05262", kind="preprint")
    first = group.sync([preprint])
    assert first.count("attach") == 1
    (parent,) = [i for i in group.member.top() if i["data"]["citationKey"] == "meng2022locating"]
    (link,) = group.member.children(parent["key"])
    assert link["data"]["linkMode"] == "linked_url"
    assert link["data"]["url"] == "https://arxiv.org/pdf/2202.05262"
    assert link["data"]["contentType"] == "application/pdf"
    group.fake.clear_log()
    assert not any(group.sync([preprint]).done.values()) and group.writes() == 0
    group.member.delete_item(link)  # a member does not want it
    assert not any(group.sync([preprint]).done.values())
    assert group.member.children(parent["key"]) == []


def test_no_second_link_beside_a_members_own(group: Group) -> None:
    preprint = reference("meng2022locating", arxiv="2202.05262", kind="preprint")
    group.sync([replace(preprint, record=replace(preprint.record, arxiv_id=None))])
    (parent,) = group.member.top()
    group.fake.add_item({"itemType": "attachment", "parentItem": parent["key"],
                         "linkMode": "linked_url", "title": "PDF",
                         "url": "https://arxiv.org/pdf/2202.05262"})  # fmt: skip
    result = group.sync([preprint])
    assert result.count("attach") == 0
    assert len(group.member.children(parent["key"])) == 1
