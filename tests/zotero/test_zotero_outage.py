"""A sync during an outage never makes the group worse: a work a failing service left short is
not written (its item keeps its type, DOI and venue), nothing is trashed, the run exits 5 and
names each such work; pages that did not answer are never pushed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeClock, FakeServices, FakeZotero, World, make_http
from fakes.zotero import reference
from list2bib.errors import EXIT_PARTIAL
from list2bib.model import Reference
from list2bib.zotero.client import ZoteroClient
from list2bib.zotero.sync import SyncResult, sync
from zotero_cli import cli_sync

GROUP = "12345"
# Published works the list links by their arXiv page: arXiv announces the DOI (or not) and
# Crossref, doi.org, Semantic Scholar or DBLP establish the published version.
LISTED = {
    "maldacena1998large": "https://arxiv.org/abs/hep-th/9711200",
    "perlmutter1999measurements": "https://arxiv.org/abs/astro-ph/9812133",
    "bran2024augmenting": "https://arxiv.org/abs/2304.05376",
    "devlin2019bert": "https://arxiv.org/abs/1810.04805",
    "he2016deep": "https://arxiv.org/abs/1512.03385",
}
LIST = ("list.md",)
NETWORK = "retries = 1"
WATCHED = ("itemType", "DOI", "publicationTitle", "proceedingsTitle", "publisher", "citationKey")


@pytest.fixture(scope="module")
def services() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as fakes:
        yield fakes


@pytest.fixture
def zotero() -> Iterator[FakeZotero]:
    with FakeZotero() as fake:
        yield fake


def _list_text() -> str:
    titles = {w["key"]: w["title"] for w in World.load().works}
    lines = ["# Reading", "", "## Published", ""]
    lines += [f"- [{titles[key]}]({url})" for key, url in LISTED.items()]
    return "\n".join(lines) + "\n"


def watched(zotero: FakeZotero) -> dict[str, tuple[Any, ...]]:
    return {k: tuple(d.get(f) for f in WATCHED) for k, d in zotero.top_items.items()}


def test_an_outage_of_every_service_but_arxiv_changes_no_item(
    services: FakeServices, zotero: FakeZotero, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "list.md").write_text(_list_text(), encoding="utf-8")
    healthy = cli_sync(tmp_path, services, zotero, monkeypatch, LIST, network=NETWORK)
    assert healthy.exit_code == 0, healthy.output
    before = watched(zotero)
    assert len(before) == len(LISTED)
    published = {k for k, v in before.items() if v[0] != "preprint"}
    assert len(published) >= 4, before
    version = zotero.version
    shutil.rmtree(tmp_path / "cache")  # a cold cache: nothing to fall back on
    down = [s for s in services.servers() if s is not services.arxiv]
    for server in down:
        server.fault_mode(1.0, kinds=("503",))
    try:
        dry = cli_sync(
            tmp_path, services, zotero, monkeypatch, LIST, "--dry-run", "--prune", network=NETWORK
        )
        outage = cli_sync(tmp_path, services, zotero, monkeypatch, LIST, "--prune", network=NETWORK)
    finally:
        for server in down:
            server.fault_mode(0)
    assert dry.exit_code == EXIT_PARTIAL, dry.output
    assert "0 items to move to the trash" in dry.output and "0 items to update" in dry.output
    assert outage.exit_code == EXIT_PARTIAL, outage.output
    assert watched(zotero) == before
    assert zotero.version == version  # not one write
    assert not any(d.get("deleted") for d in zotero.items.values())
    assert outage.output.count("a service failed for it") >= len(published)
    again = cli_sync(tmp_path, services, zotero, monkeypatch, LIST, network=NETWORK)
    assert again.exit_code == 0, again.output
    assert watched(zotero) == before and zotero.version == version


class Runner:
    def __init__(self, fake: FakeZotero, tmp_path: Path) -> None:
        self.fake = fake
        self.index = tmp_path / "index.json"
        self.clock = FakeClock()

    def __call__(self, refs: list[Reference], **options: Any) -> SyncResult:
        with make_http(clock=self.clock, retries=2) as http:
            client = ZoteroClient(http, self.fake.base_url, GROUP, FakeZotero.WRITER)
            return sync(refs, client, self.index, **options)


def test_a_work_left_short_keeps_its_item_and_stops_the_prune(
    zotero: FakeZotero, tmp_path: Path
) -> None:
    run = Runner(zotero, tmp_path)
    published = reference("meng2022locating", doi="10.5555/3600270.3601532")
    published = replace(published, record=replace(published.record, arxiv_id="2202.05262"))
    other = reference("other", doi="10.1000/other")
    run([published, other])
    (key,) = [k for k, d in zotero.top_items.items() if d["citationKey"] == "meng2022locating"]
    before = dict(zotero.items[key])
    # This run only arXiv answered: the record is the preprint, marked incomplete.
    short = reference("meng2022locatingx", arxiv="2202.05262", kind="preprint")
    short = replace(short, incomplete=True)
    result = run([short], prune=True)  # `other` is no longer listed either
    assert result.held and "meng2022locatingx" in result.held[0]
    assert not any(result.done.values())
    assert zotero.items[key] == before
    assert not any(d.get("deleted") for d in zotero.items.values())
    assert any("nothing trashed" in n for n in result.notes)
    # A new work a failing service left short is not created either.
    fresh = replace(reference("fresh", arxiv="2301.00001", kind="preprint"), incomplete=True)
    assert not any(run([published, other, fresh]).done.values())
    assert len(zotero.top_items) == 2
