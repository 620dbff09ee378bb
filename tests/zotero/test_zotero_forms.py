"""One item per work across the forms lists give it: an arXiv link in one list and the OpenReview
forum in another, synced alone or together, give one item; a member's item without identifiers is
adopted by title, first author and year when it is the only one, and never against its DOI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServices, FakeZotero, World, make_http
from fakes.zotero import reference
from list2bib.model import Person, Reference
from list2bib.zotero.client import ZoteroClient
from list2bib.zotero.sync import SyncResult, sync
from zotero_cli import cli_sync

zotero = pytest.importorskip("pyzotero.zotero")
GROUP = "12345"
LORA = "LoRA: Low-Rank Adaptation of Large Language Models"


@pytest.fixture(scope="module")
def services() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as fakes:
        yield fakes


@pytest.mark.parametrize("together", [False, True])
def test_an_arxiv_link_and_an_openreview_link_give_one_item(
    services: FakeServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, together: bool
) -> None:
    (tmp_path / "a.md").write_text(
        f"# A\n\n## Adapters\n\n- [{LORA}](https://arxiv.org/abs/2106.09685)\n", encoding="utf-8"
    )
    (tmp_path / "b.md").write_text(
        "# B\n\n## Fine-tuning\n\n- [LoRA](https://openreview.net/forum?id=nZeVKeeFYf9)\n",
        encoding="utf-8",
    )
    with FakeZotero() as fake:
        runs = [("a.md", "b.md")] if together else [("a.md",), ("b.md",), ("a.md",)]
        for lists in runs:
            result = cli_sync(tmp_path, services, fake, monkeypatch, lists)
            assert result.exit_code == 0, result.output
        member = zotero.Zotero(GROUP, "group", FakeZotero.MEMBER)
        member.endpoint = fake.base_url
        (item,) = member.top()
        names = {c["data"]["name"] for c in member.collections()}
        assert {"Adapters", "Fine-tuning"} <= names
        assert len(item["data"]["collections"]) == 2
        assert "list2bib-openreview: nZeVKeeFYf9" in item["data"]["extra"]
        assert "2106.09685" in item["data"]["extra"]


class Runner:
    def __init__(self, fake: FakeZotero, tmp_path: Path) -> None:
        self.fake = fake
        self.index = tmp_path / "index.json"
        self.clock = FakeClock()

    def __call__(self, refs: list[Reference]) -> SyncResult:
        with make_http(clock=self.clock, retries=2) as http:
            client = ZoteroClient(http, self.fake.base_url, GROUP, FakeZotero.WRITER)
            return sync(refs, client, self.index)


def by_title(title: str) -> Reference:
    ref = reference("hu2022lora", doi="10.1000/lora", title=title)
    authors = (Person("Hu", "Edward J."), Person("Shen", "Yelong"))
    return replace(ref, record=replace(ref.record, authors=authors))


def test_a_members_item_without_ids_is_adopted_when_it_is_the_only_one(tmp_path: Path) -> None:
    with FakeZotero() as fake:
        run = Runner(fake, tmp_path)
        hers = fake.add_item({"itemType": "journalArticle", "title": "LoRA: low-rank adaptation "
                              "of large language models", "date": "March 2022",
                              "creators": [{"creatorType": "author", "firstName": "Edward",
                                            "lastName": "Hu"}]})  # fmt: skip
        before = dict(fake.items[hers])
        result = run([by_title(LORA)])
        assert result.count("create") == 0 and result.count("file") == 1
        assert len(fake.items) == 1
        after = fake.items[hers]
        assert {n: after[n] for n in before if n not in ("version", "collections",
                                                           "dateModified")} == {
            n: before[n] for n in before if n not in ("version", "collections", "dateModified")
        }  # fmt: skip


def test_two_alike_items_or_another_doi_adopt_nothing(tmp_path: Path) -> None:
    with FakeZotero() as fake:
        run = Runner(fake, tmp_path)
        hu = {"creatorType": "author", "lastName": "Hu", "firstName": "E."}
        alike = {"itemType": "journalArticle", "title": LORA, "date": "2022", "creators": [hu]}
        other = fake.add_item({**alike, "DOI": "10.9999/another.version"})
        result = run([by_title(LORA)])
        assert result.count("create") == 1  # the same title, author and year; another DOI
        assert fake.items[other]["collections"] == []
    with FakeZotero() as fake:
        run = Runner(fake, tmp_path / "second")
        first, second = fake.add_item(alike), fake.add_item(alike)
        result = run([by_title(LORA)])
        assert result.count("create") == 1  # two candidates: neither is taken
        assert fake.items[first]["collections"] == fake.items[second]["collections"] == []
