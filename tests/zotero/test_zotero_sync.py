"""Zotero group sync against the strict fake: idempotent, minimal writes, no duplicates after a
lost reply, throttling survived, hand-added items adopted but never modified, prune, dry run."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from fakes import FakeClock, make_http
from fakes.zotero import FakeZotero, reference
from list2bib.errors import ZoteroAccessError
from list2bib.model import Reference
from list2bib.zotero.client import ZoteroClient
from list2bib.zotero.sync import SyncResult, sync

GROUP = "12345"


@pytest.fixture
def fake() -> Iterator[FakeZotero]:
    with FakeZotero() as server:
        yield server


class Runner:
    """Runs syncs as the CLI would: one index file, a fresh Http each run, a fake clock."""

    def __init__(self, fake: FakeZotero, tmp_path: Path) -> None:
        self.fake = fake
        self.index = tmp_path / "cache" / "zotero" / "group-12345.json"
        self.clock = FakeClock()

    def __call__(
        self, refs: list[Reference], key: str = FakeZotero.WRITER, **options: Any
    ) -> SyncResult:
        with make_http(clock=self.clock, retries=4) as http:
            client = ZoteroClient(http, self.fake.base_url, GROUP, key)
            return sync(refs, client, self.index, **options)


@pytest.fixture
def run(fake: FakeZotero, tmp_path: Path) -> Runner:
    return Runner(fake, tmp_path)


def writes(fake: FakeZotero) -> list[Any]:
    return [r for r in fake.requests if r.method != "GET"]


def refs(n: int) -> list[Reference]:
    return [reference(f"paper{i}", doi=f"10.1000/p{i}") for i in range(n)]


def collection_paths(fake: FakeZotero) -> set[str]:
    def path(key: str) -> str:
        data = fake.collections[key]
        parent = data["parentCollection"]
        return (path(parent) + " > " if parent else "") + data["name"]

    return {path(k) for k in fake.collections}


def test_first_sync_creates_everything_the_second_writes_nothing(
    fake: FakeZotero, run: Runner
) -> None:
    first = run(refs(120))
    assert first.count("create") == 120 and not first.failed
    assert len(fake.items) == 120
    item_posts = [r for r in writes(fake) if r.path.endswith("/items")]
    assert len(item_posts) == 3  # 50 + 50 + 20: never more than 50 objects per write
    assert all(len(json.loads(r.body)) <= 50 for r in item_posts)
    assert collection_paths(fake) == {"list2bib", "list2bib > Papers"}
    version = fake.version
    fake.clear_log()
    second = run(refs(120))
    assert not any(second.done.values()) and not second.failed
    assert writes(fake) == []
    assert len(fake.requests) <= 3
    assert fake.version == version


def test_a_list_change_writes_only_the_change(fake: FakeZotero, run: Runner) -> None:
    run(refs(10))
    fake.clear_log()
    changed = refs(10)
    changed[3] = reference("paper3", doi="10.1000/p3", title="A corrected title")
    changed.append(reference("paper10", doi="10.1000/p10"))
    result = run(changed)
    assert result.count("create") == 1 and result.count("update") == 1
    posts = writes(fake)
    assert len(posts) == 1
    body = json.loads(posts[0].body)
    assert len(body) == 2
    update = next(o for o in body if o["version"] > 0)
    assert set(update) == {"key", "version", "title"}  # only the change is sent
    assert next(o for o in body if o["version"] == 0)["citationKey"] == "paper10"
    titles = {d["citationKey"]: d["title"] for d in fake.items.values()}
    assert titles["paper3"] == "A corrected title"


def test_a_reply_lost_after_the_commit_creates_no_duplicate(fake: FakeZotero, run: Runner) -> None:
    run(refs(2))
    fake.clear_log()
    fake.lose_reply_next(1)  # the next write commits, then the connection drops
    result = run(refs(30))
    assert not result.failed
    assert len(fake.items) == 30
    dois = [d["DOI"] for d in fake.items.values()]
    assert len(dois) == len(set(dois))
    # The transport retried with the same write token: Zotero said it was already used.
    posts = [r for r in writes(fake) if r.path.endswith("/items")]
    assert posts[0].headers["zotero-write-token"] == posts[1].headers["zotero-write-token"]
    fake.clear_log()
    assert not any(run(refs(30)).done.values()) and writes(fake) == []


def test_a_lost_reply_on_the_first_sync_also_creates_no_duplicate(
    fake: FakeZotero, run: Runner
) -> None:
    fake.lose_reply_next(2)  # collections and the items both lose their answers
    result = run(refs(5))
    assert not result.failed
    assert len(fake.items) == 5 and len(fake.collections) == 2


def test_throttling_mid_sync_completes(fake: FakeZotero, run: Runner) -> None:
    run(refs(3))
    fake.clear_log()
    fake.fail_next(1, "429")  # a read throttled (Retry-After: 1)
    fake.throttle_writes(2, retry_after=7)  # and two writes
    fake.backoff_next(1, 30)
    result = run(refs(80))
    assert not result.failed and len(fake.items) == 80
    statuses = [r.method for r in fake.requests]
    assert statuses.count("POST") == 2 + 2  # two item writes, throttled twice in all
    assert 1.0 in run.clock.sleeps and 7.0 in run.clock.sleeps  # Retry-After was honoured
    assert any(s >= 29 for s in run.clock.sleeps)  # and so was Backoff


def test_concurrency_stays_at_most_four(fake: FakeZotero, run: Runner) -> None:
    run(refs(60))
    assert fake.max_in_flight <= 4


def test_hand_added_item_is_adopted_not_modified(fake: FakeZotero, run: Runner) -> None:
    hand = fake.add_item(
        {
            "itemType": "journalArticle",
            "title": "My own copy",
            "DOI": "https://doi.org/10.1000/P1",  # another spelling of the same DOI
            "tags": [{"tag": "mine"}],
            "extra": "read twice",
        }
    )
    by_arxiv = fake.add_item(
        {"itemType": "preprint", "title": "Saved from arXiv", "archiveID": "arXiv:2202.05262"}
    )
    before = {k: dict(fake.items[k]) for k in (hand, by_arxiv)}
    arxiv_ref = reference("meng2022locating", arxiv="2202.05262", kind="preprint")
    result = run([*refs(3), arxiv_ref])
    assert result.count("create") == 2 and result.count("file") == 2
    assert len(fake.items) == 4
    for key in (hand, by_arxiv):
        after = fake.items[key]
        assert len(after["collections"]) == 1
        for name in ("title", "tags", "extra", "DOI", "itemType", "creators", "archiveID"):
            assert after.get(name) == before[key].get(name), name
    fake.clear_log()
    assert not any(run([*refs(3), arxiv_ref]).done.values())


def test_no_adopt_leaves_hand_added_items_alone(fake: FakeZotero, run: Runner) -> None:
    hand = fake.add_item({"itemType": "journalArticle", "title": "Mine", "DOI": "10.1000/p0"})
    result = run(refs(2), adopt=False)
    assert fake.items[hand]["collections"] == []
    assert len(fake.items) == 2  # no duplicate either
    assert any("not adopted" in n for n in result.notes)


def test_prune_trashes_only_items_list2bib_created(fake: FakeZotero, run: Runner) -> None:
    hand = fake.add_item({"itemType": "webpage", "title": "Someone's bookmark"})
    run(refs(4))
    result = run(refs(2))  # paper2, paper3 dropped from the lists
    assert result.count("trash") == 0 and "--prune" in " ".join(result.notes)
    result = run(refs(2), prune=True)
    assert sorted(label.split()[0] for label in result.done["trash"]) == ["paper2", "paper3"]
    trashed = {d["citationKey"] for d in fake.items.values() if d.get("deleted")}
    assert trashed == {"paper2", "paper3"}
    assert not fake.items[hand].get("deleted")
    assert len(fake.items) == 5  # trash, not delete


def test_an_unresolved_work_is_not_pruned(fake: FakeZotero, run: Runner) -> None:
    from list2bib.model import Status

    run(refs(2))
    down = replace(refs(2)[1], status=Status.UNRESOLVED)  # a service was down this run
    result = run([refs(2)[0], down], prune=True)
    assert result.count("trash") == 0
    assert result.skipped


def test_dry_run_prints_the_plan_and_writes_nothing(fake: FakeZotero, run: Runner) -> None:
    result = run(refs(3), dry_run=True)
    assert len(result.plan.of("create")) == 3 and len(result.plan.collections) == 2
    assert writes(fake) == [] and fake.items == {}


def test_item_under_two_topics_is_one_item_in_two_collections(
    fake: FakeZotero, run: Runner
) -> None:
    ref = reference("x", doi="10.1000/x", topics=(("Survey", "interpretability"), ("Papers",)))
    run([ref])
    assert len(fake.items) == 1
    (item,) = fake.items.values()
    names = {fake.collections[c]["name"] for c in item["collections"]}
    assert names == {"interpretability", "Papers"}
    assert collection_paths(fake) == {
        "list2bib",
        "list2bib > Papers",
        "list2bib > Survey",
        "list2bib > Survey > interpretability",
    }


def test_existing_collections_are_reused_by_name_and_parent(
    fake: FakeZotero, run: Runner, tmp_path: Path
) -> None:
    report = fake._write_objects("collections", [{"name": "Reading"}], header=False)
    root = report["success"]["0"]
    fake._write_objects("collections", [{"name": "Survey", "parentCollection": root}], header=False)
    fake._write_objects("collections", [{"name": "Survey"}], header=False)  # elsewhere
    run([reference("x", doi="10.1000/x", topics=(("Survey",),))], root="Reading")
    assert len(fake.collections) == 3
    # A lost index (new cache folder) must not duplicate them either.
    run.index.unlink()
    run([reference("x", doi="10.1000/x", topics=(("Survey",),))], root="Reading")
    assert len(fake.collections) == 3 and len(fake.items) == 1


def test_a_key_without_write_access_fails_before_writing(fake: FakeZotero, run: Runner) -> None:
    with pytest.raises(ZoteroAccessError, match="not write"):
        run(refs(2), key=FakeZotero.READER)
    assert writes(fake) == []


def test_all_groups_grant_in_an_admins_only_group(run: Runner, fake: FakeZotero) -> None:
    fake.add_key("ALLkey0123456789ABCDEFGH", {"all": {"library": True, "write": True}})
    fake.group_data["libraryEditing"] = "admins"
    with pytest.raises(ZoteroAccessError, match="only its admins"):
        run(refs(1), key="ALLkey0123456789ABCDEFGH")
    assert writes(fake) == []


def test_someone_else_writing_mid_sync_is_read_and_respected(fake: FakeZotero, run: Runner) -> None:
    run(refs(3))
    target = next(k for k, d in fake.items.items() if d["citationKey"] == "paper1")

    def user_edit(server: FakeZotero) -> None:
        tags = [{"tag": "to read"}, *server.items[target]["tags"]]
        server.edit_item(target, tags=tags)

    # Another client tags an item between our read and our write: our write gets a 412.
    fake.before_next_write(user_edit)
    fake.clear_log()
    changed = refs(3)
    changed[1] = reference("paper1", doi="10.1000/p1", title="Renamed")
    result = run(changed)
    assert not result.failed
    posts = [r for r in fake.requests if r.method == "POST"]
    assert len(posts) == 2  # 412, re-read, written again
    assert fake.items[target]["title"] == "Renamed"
    assert {"tag": "to read"} in fake.items[target]["tags"]  # the user's manual tag survives


def test_per_object_failures_are_read_and_reported(fake: FakeZotero, run: Runner) -> None:
    fake.fail_object_next(1, 400, "'foo' is not a valid field for type 'journalArticle'")
    result = run(refs(3))
    assert len(result.failed) == 1 and "paper1" in result.failed[0]
    assert "HTTP 400" in result.failed[0]
    assert result.count("create") == 2


def test_the_api_key_is_never_logged_or_stored(
    fake: FakeZotero, run: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="list2bib")
    fake.fail_next(1, "429")
    run(refs(2))
    with pytest.raises(ZoteroAccessError) as info:
        run(refs(2), key=FakeZotero.READER)
    assert FakeZotero.WRITER not in caplog.text and FakeZotero.READER not in caplog.text
    assert FakeZotero.READER not in str(info.value)
    assert FakeZotero.WRITER not in run.index.read_text(encoding="utf-8")
    assert all("key" not in r.query for r in fake.requests)


def test_an_item_deleted_in_zotero_is_not_recreated_and_trash_is_respected(
    fake: FakeZotero, run: Runner
) -> None:
    run(refs(3))
    keys = {d["citationKey"]: k for k, d in fake.items.items()}
    fake._write_objects(
        "items", [{"key": keys["paper0"], "version": fake.items[keys["paper0"]]["version"],
                   "deleted": 1}], header=False,
    )  # fmt: skip
    del fake.items[keys["paper2"]]
    fake.version += 1
    fake.deleted_log.append(("items", keys["paper2"], fake.version))
    result = run(refs(3))
    assert any("trash" in n for n in result.notes)
    assert any(f"deleted its item {keys['paper2']}" in n for n in result.notes)
    assert result.count("create") == 0 and len(fake.items) == 2
    assert fake.items[keys["paper0"]].get("deleted") == 1


def test_a_server_error_after_a_partial_commit_creates_no_duplicate(
    fake: FakeZotero, run: Runner
) -> None:
    run(refs(1))
    fake.crash_after_next(7)  # 7 items committed, then HTTP 500; the transport retries
    result = run(refs(40))
    assert not result.failed
    assert len(fake.items) == 40
    assert len({d["DOI"] for d in fake.items.values()}) == 40


def test_a_stale_index_cannot_cause_a_duplicate(fake: FakeZotero, run: Runner) -> None:
    run(refs(3))
    saved = json.loads(run.index.read_text(encoding="utf-8"))
    forgotten = next(iter(saved["items"]))
    del saved["items"][forgotten]  # the index no longer knows an item the group holds
    run.index.write_text(json.dumps(saved), encoding="utf-8")
    fake.clear_log()
    result = run(refs(3))
    assert not result.failed and len(fake.items) == 3
    # The create hit the item's deterministic key (per-object 412): read again, nothing to do.
    assert [r.method for r in fake.requests].count("POST") == 1
    assert result.count("create") == 0


def test_zotero_answers_are_never_cached(fake: FakeZotero, tmp_path: Path) -> None:
    cache = tmp_path / "http-cache.sqlite"
    with make_http(clock=FakeClock(), cache_path=cache) as http:
        client = ZoteroClient(http, fake.base_url, GROUP, FakeZotero.WRITER)
        sync(refs(2), client, tmp_path / "index.json")
        sync(refs(2), client, tmp_path / "index.json")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("http-cache.sqlite*"))
    assert FakeZotero.WRITER.encode() not in stored
    assert b"/groups/12345" not in stored
    assert len([r for r in fake.requests if r.path == "/keys/current"]) == 2


def test_the_index_is_read_incrementally(fake: FakeZotero, run: Runner) -> None:
    run(refs(5))
    version = fake.version
    other = fake.add_item({"itemType": "webpage", "title": "Added elsewhere"})
    fake.clear_log()
    run(refs(5))
    reads = [r for r in fake.requests if r.method == "GET" and r.path != "/keys/current"]
    assert reads[0].query["since"] == str(version)
    fetched = [r.query["itemKey"] for r in reads if "itemKey" in r.query]
    assert fetched == [other]  # only what changed is fetched
    saved = json.loads(run.index.read_text(encoding="utf-8"))
    assert other in saved["items"] and saved["version"] == fake.version


def test_a_collection_deleted_in_zotero_is_recreated_and_refiled(
    fake: FakeZotero, run: Runner
) -> None:
    run(refs(3))
    papers = next(k for k, c in fake.collections.items() if c["name"] == "Papers")
    requests.delete(
        f"{fake.base_url}/groups/12345/collections/{papers}",
        headers={"Zotero-API-Key": FakeZotero.WRITER, "If-Unmodified-Since-Version": "999"},
        timeout=5,
    )
    assert all(papers not in d["collections"] for d in fake.items.values())
    result = run(refs(3))
    assert result.count("collection") == 1 and result.count("file") == 3
    new = next(k for k, c in fake.collections.items() if c["name"] == "Papers")
    assert all(d["collections"] == [new] for d in fake.items.values())


def test_a_preprint_that_was_published_becomes_the_published_item(
    fake: FakeZotero, run: Runner
) -> None:
    preprint = reference("meng2022locating", arxiv="2202.05262", kind="preprint")
    run([preprint])
    (key,) = fake.top_items
    published = reference("meng2022locating", doi="10.5555/3600270.3601532")
    published = replace(published, record=replace(published.record, arxiv_id="2202.05262"))
    result = run([published])
    assert result.count("update") == 1 and result.count("create") == 0
    data = fake.items[key]
    assert data["itemType"] == "conferencePaper" and data["DOI"] == "10.5555/3600270.3601532"
    assert "archiveID" not in data or data["archiveID"] == ""
    assert "arXiv: 2202.05262" in data["extra"].splitlines()
    assert not any(run([published]).done.values())


def test_an_item_pruned_then_listed_again_comes_back_from_the_trash(
    fake: FakeZotero, run: Runner
) -> None:
    run(refs(3))
    run(refs(2), prune=True)
    assert {d["citationKey"] for d in fake.items.values() if d.get("deleted")} == {"paper2"}
    result = run(refs(3))
    assert not any(d.get("deleted") for d in fake.items.values())
    assert len(fake.items) == 3  # the same item, not a new one
    assert any("restored from the Zotero trash" in n for n in result.notes)
    fake.clear_log()
    assert not any(run(refs(3)).done.values())  # and then nothing more to do
