"""The fake Zotero server answers as the spec (../shared/zotero-api.md) says api.zotero.org does:
versions, preconditions, write tokens, limits, per-object reports, paging, permissions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fakes import FakeZotero

KEY = {"Zotero-API-Key": FakeZotero.WRITER, "Zotero-API-Version": "3"}


@pytest.fixture
def fake() -> Iterator[FakeZotero]:
    with FakeZotero() as server:
        yield server


def url(fake: FakeZotero, path: str) -> str:
    return f"{fake.base_url}/groups/12345/{path}"


def post(fake: FakeZotero, path: str, body: Any, **headers: str) -> requests.Response:
    return requests.post(url(fake, path), json=body, headers={**KEY, **headers}, timeout=5)


def get(fake: FakeZotero, path: str, **params: str) -> requests.Response:
    return requests.get(url(fake, path), params=params, headers=KEY, timeout=5)


def item(**fields: Any) -> dict[str, Any]:
    return {"itemType": "journalArticle", "title": "T", **fields}


def test_each_object_gets_its_own_version_and_unchanged_still_bumps(fake: FakeZotero) -> None:
    reply = post(fake, "items", [item(title="a"), item(title="b"), item(title="c")])
    assert reply.status_code == 200
    report = reply.json()
    assert set(report) == {"successful", "success", "unchanged", "failed"}
    versions = [report["successful"][str(i)]["version"] for i in range(3)]
    assert versions == [1, 2, 3] and reply.headers["Last-Modified-Version"] == "3"
    key = report["success"]["0"]
    again = post(fake, "items", [{"key": key, "version": 1, "title": "a"}])
    assert again.json()["unchanged"] == {"0": key}
    assert again.headers["Last-Modified-Version"] == "4"
    assert fake.items[key]["version"] == 1


def test_failed_objects_roll_back_their_version_and_carry_no_key(fake: FakeZotero) -> None:
    reply = post(fake, "items", [item(), item(archiveID="arXiv:1"), item()])
    report = reply.json()
    assert report["failed"]["1"]["code"] == 400 and "key" not in report["failed"]["1"]
    assert "&#039;archiveID&#039; is not a valid field" in report["failed"]["1"]["message"]
    assert [report["successful"][i]["version"] for i in ("0", "2")] == [1, 2]


def test_keyed_writes_need_a_version_or_the_header(fake: FakeZotero) -> None:
    report = post(fake, "items", [item(key="ABCD2345")]).json()
    assert report["failed"]["0"]["code"] == 428
    created = post(fake, "items", [item(key="ABCD2345", version=0)]).json()
    assert created["success"] == {"0": "ABCD2345"}
    retried = post(fake, "items", [item(key="ABCD2345", version=0)]).json()
    assert retried["failed"]["0"]["code"] == 412  # a retried create cannot duplicate
    missing = post(fake, "items", [item(key="ZZZZ2345", version=5)]).json()
    assert missing["failed"]["0"]["code"] == 404


def test_library_precondition_and_limits(fake: FakeZotero) -> None:
    post(fake, "items", [item()])
    stale = post(fake, "items", [item()], **{"If-Unmodified-Since-Version": "0"})
    assert stale.status_code == 412 and "Last-Modified-Version" not in stale.headers
    assert "Library has been modified" in stale.text
    big = post(fake, "items", [item()] * 51)
    assert big.status_code == 413
    assert post(fake, "items", {"not": "a list"}).status_code == 400
    assert len(fake.items) == 1


def test_write_tokens_are_single_use(fake: FakeZotero) -> None:
    token = {"Zotero-Write-Token": "0123456789abcdef0123456789abcdef"}
    assert post(fake, "items", [item()], **token).status_code == 200
    again = post(fake, "items", [item()], **token)
    assert again.status_code == 412 and again.text == "Write token already used"
    assert post(fake, "items", [item()], **{"Zotero-Write-Token": "abc"}).status_code == 400


def test_versions_since_304_and_deleted(fake: FakeZotero) -> None:
    keys = post(fake, "items", [item(), item()]).json()["success"]
    versions = get(fake, "items", since="1", format="versions")
    assert versions.json() == {keys["1"]: 2}
    assert get(fake, "collections", format="versions").json() == {}
    not_modified = requests.get(
        url(fake, "items"), headers={**KEY, "If-Modified-Since-Version": "2"}, timeout=5
    )
    assert not_modified.status_code == 304
    requests.delete(
        url(fake, "items"),
        params={"itemKey": keys["0"]},
        headers={**KEY, "If-Unmodified-Since-Version": "2"},
        timeout=5,
    )
    assert get(fake, "deleted", since="2").json()["items"] == [keys["0"]]
    assert get(fake, "deleted").status_code == 400


def test_paging_has_link_and_total_results(fake: FakeZotero) -> None:
    post(fake, "items", [item(title=f"t{i}") for i in range(30)])
    first = get(fake, "items", limit="10")
    assert first.headers["Total-Results"] == "30" and len(first.json()) == 10
    links = first.headers["Link"]
    assert 'start=10>; rel="next"' in links and 'start=20>; rel="last"' in links
    assert "key=" not in links
    last = get(fake, "items", limit="10", start="20")
    assert 'rel="next"' not in last.headers["Link"] and 'rel="prev"' in last.headers["Link"]
    assert len(get(fake, "items", limit="500").json()) == 30  # clamped to 100, all fit


def test_trash_is_hidden_unless_asked(fake: FakeZotero) -> None:
    key = post(fake, "items", [item()]).json()["success"]["0"]
    post(fake, "items", [{"key": key, "version": 1, "deleted": 1}])
    assert get(fake, "items").json() == []
    assert get(fake, "items", itemKey=key).json() == []
    assert get(fake, "items", itemKey=key, includeTrashed="1").json()[0]["data"]["deleted"] == 1
    assert len(get(fake, "items/trash").json()) == 1


def test_collections_need_existing_parents(fake: FakeZotero) -> None:
    report = post(
        fake,
        "collections",
        [
            {"key": "PARENT22", "version": 0, "name": "A"},
            {"key": "CHILD222", "version": 0, "name": "B", "parentCollection": "PARENT22"},
            {"name": "C", "parentCollection": "MISS2222"},
        ],
    ).json()
    assert set(report["success"].values()) == {"PARENT22", "CHILD222"}
    assert report["failed"]["2"]["code"] == 409
    assert report["successful"]["0"]["data"]["parentCollection"] is False
    bad = post(fake, "items", [item(collections=["MISS2222"])]).json()
    assert bad["failed"]["0"]["code"] == 409


def test_keys_and_permissions(fake: FakeZotero) -> None:
    current = requests.get(f"{fake.base_url}/keys/current", headers=KEY, timeout=5).json()
    assert current["access"]["groups"]["12345"] == {"library": True, "write": True}
    reader = {"Zotero-API-Key": FakeZotero.READER}
    denied = requests.post(url(fake, "items"), json=[item()], headers=reader, timeout=5)
    assert denied.status_code == 403 and denied.text == "Write access denied"
    bad = requests.get(url(fake, "items"), headers={"Zotero-API-Key": "nope"}, timeout=5)
    assert bad.status_code == 403 and bad.text == "Invalid key"
    bearer = {"Authorization": f"Bearer {FakeZotero.WRITER}"}
    assert requests.get(url(fake, "items"), headers=bearer, timeout=5).status_code == 200


def test_error_bodies_are_escaped_text(fake: FakeZotero) -> None:
    reply = get(fake, "items", sort="nope")
    assert (
        reply.status_code == 400 and reply.text == "Invalid &#039;sort&#039; value &#039;nope&#039;"
    )
    assert "Last-Modified-Version" not in reply.headers
    json.dumps(reply.text)  # text, not JSON


def test_attachments_are_children_of_regular_items(fake: FakeZotero) -> None:
    parent = fake.add_item({"itemType": "preprint", "title": "A paper"})
    link = {"itemType": "attachment", "linkMode": "linked_url", "url": "https://x.org/a.pdf"}
    report = post(fake, "items", [
        {**link, "parentItem": parent},
        {**link, "parentItem": "ABCD2345"},
        {**link, "parentItem": parent, "collections": ["ABCD2345"]},
        {"itemType": "attachment", "parentItem": parent},
        {"itemType": "preprint", "title": "x", "parentItem": parent},
    ]).json()  # fmt: skip
    assert list(report["successful"]) == ["0"]
    codes = {i: f["code"] for i, f in report["failed"].items()}
    assert codes == {"1": 409, "2": 400, "3": 400, "4": 400}
    child = report["successful"]["0"]["key"]
    assert post(fake, "items", [{**link, "parentItem": child}]).json()["failed"]["0"]["code"] == 409
    top = get(fake, "items/top").json()
    assert [o["key"] for o in top] == [parent]
    version = fake.items[parent]["version"]
    requests.delete(url(fake, f"items/{parent}"), timeout=5,
                    headers={"Zotero-API-Key": FakeZotero.WRITER,
                             "If-Unmodified-Since-Version": str(version)})  # fmt: skip
    assert fake.items == {}  # the parent's children go with it
    assert set(get(fake, "deleted", since="0").json()["items"]) == {parent, child}
