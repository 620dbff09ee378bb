"""Interop: after a sync, pyzotero 1.6.11 (an independent client) reads from the fake exactly the
items, collections and tags list2bib meant to write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeClock, make_http
from fakes.zotero import FakeZotero, reference
from list2bib.zotero.client import ZoteroClient
from list2bib.zotero.sync import sync

zotero = pytest.importorskip("pyzotero.zotero")


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[tuple[FakeZotero, Any]]:
    refs = [reference(f"paper{i}", doi=f"10.1000/p{i}", tags=("editing",)) for i in range(110)]
    refs.append(
        reference(
            "meng2022locating",
            arxiv="2202.05262",
            kind="preprint",
            topics=(("Survey", "interpretability"), ("Papers",)),
            tags=("causal tracing",),
            venue="NeurIPS 2022",
        )
    )
    with FakeZotero() as fake:
        with make_http(clock=FakeClock()) as http:
            client = ZoteroClient(http, fake.base_url, "12345", FakeZotero.WRITER)
            result = sync(refs, client, tmp_path / "index.json", root="Reading group")
        assert not result.failed
        zot = zotero.Zotero("12345", "group", FakeZotero.WRITER)
        zot.endpoint = fake.base_url
        yield fake, zot


def test_pyzotero_reads_the_items(synced: tuple[FakeZotero, Any]) -> None:
    _, zot = synced
    items = zot.everything(zot.top())  # 111 items: pyzotero follows the Link headers
    assert len(items) == 111
    by_key = {i["data"]["citationKey"]: i["data"] for i in items}
    preprint = by_key["meng2022locating"]
    assert preprint["itemType"] == "preprint"
    assert preprint["archiveID"] == "arXiv:2202.05262" and preprint["repository"] == "arXiv"
    assert preprint["creators"][0] == {
        "creatorType": "author",
        "firstName": "Kevin",
        "lastName": "Meng",
    }
    assert by_key["paper7"]["DOI"] == "10.1000/p7"
    assert by_key["paper7"]["itemType"] == "conferencePaper"
    assert "list2bib-id: doi:10.1000/p7" in by_key["paper7"]["extra"]


def test_pyzotero_reads_collections_and_membership(synced: tuple[FakeZotero, Any]) -> None:
    _, zot = synced
    collections = zot.everything(zot.collections())
    by_name = {c["data"]["name"]: c["data"] for c in collections}
    assert set(by_name) == {"Reading group", "Papers", "Survey", "interpretability"}
    root = by_name["Reading group"]["key"]
    assert by_name["Reading group"]["parentCollection"] is False
    assert by_name["Survey"]["parentCollection"] == root
    assert by_name["interpretability"]["parentCollection"] == by_name["Survey"]["key"]
    inside = zot.everything(zot.collection_items_top(by_name["interpretability"]["key"]))
    assert [i["data"]["citationKey"] for i in inside] == ["meng2022locating"]
    papers = zot.everything(zot.collection_items_top(by_name["Papers"]["key"]))
    assert len(papers) == 111  # the preprint is one item in two collections


def test_pyzotero_reads_the_tags(synced: tuple[FakeZotero, Any]) -> None:
    _, zot = synced
    tags = set(zot.everything(zot.tags()))
    assert tags == {"editing", "causal tracing", "NeurIPS 2022"}


def test_written_fields_are_zotero_fields(synced: tuple[FakeZotero, Any]) -> None:
    _, zot = synced
    item = zot.top(limit=1)[0]["data"]
    template = zot.item_template(item["itemType"])
    # pyzotero 1.6.11 leaves the template's itemType filter on the client: clear it.
    zot.url_params = None
    ours = {k for k in item if k not in ("key", "version", "dateAdded", "dateModified")}
    assert ours <= set(template) | {"relations"}
    assert zot.check_items([{k: item[k] for k in ours if k in template}])
    assert len(zot.top(limit=5)) == 5
