"""`list2bib zotero export` end to end against the fake group: members' own items become a bib
with their citation keys, the trash stays out, a collection narrows it, an existing bib
is merged, and a second run reads only what changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fakes import make_http
from fakes.zotero import FakeZotero
from list2bib.cli import main
from list2bib.zotero.client import ZoteroClient

GROUP = "12345"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeZotero]:
    """A group members filled by hand, a read-only key (export only reads)."""
    with FakeZotero() as fake:
        monkeypatch.setenv("LIST2BIB_ZOTERO_URL", fake.base_url)
        monkeypatch.setenv("ZOTERO_API_KEY", FakeZotero.READER)
        monkeypatch.chdir(tmp_path)
        (tmp_path / "list2bib.toml").write_text(
            "[network]\nretries = 1\n[services.zotero]\nmin_interval = 0\n", encoding="utf-8"
        )
        with make_http() as http:
            client = ZoteroClient(http, fake.base_url, GROUP, FakeZotero.WRITER)
            report = client.write("collections", [
                {"key": "EDIT2345", "name": "Reading group", "parentCollection": False},
                {"key": "EDIT3456", "name": "Editing", "parentCollection": "EDIT2345"},
            ], 0)  # fmt: skip
            assert not report.failed
        fake.add_item({
            "itemType": "conferencePaper",
            "title": "Locating and Editing Factual Associations in GPT",
            "creators": [{"creatorType": "author", "firstName": "Kevin", "lastName": "Meng"},
                         {"creatorType": "editor", "firstName": "Ed", "lastName": "Itor"}],
            "date": "2022-12-01",
            "proceedingsTitle": "Advances in Neural Information Processing Systems",
            "DOI": "10.5555/rome", "citationKey": "rome", "collections": ["EDIT3456"],
        })  # fmt: skip
        fake.add_item({
            "itemType": "preprint", "title": "Mass-Editing Memory in a Transformer",
            "creators": [{"creatorType": "author", "name": "The MEMIT team"}],
            "date": "October 2022", "archiveID": "arXiv:2210.07229",
            "url": "https://arxiv.org/abs/2210.07229",
        })  # fmt: skip
        fake.add_item({"itemType": "journalArticle", "title": "Binned", "deleted": 1})
        yield fake


def export(*args: str) -> Result:
    return CliRunner().invoke(
        main, ["zotero", "export", "--group", GROUP, *args], catch_exceptions=False
    )


def entries(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("@")]


def test_the_groups_items_become_a_bib_with_their_citation_keys(
    fake: FakeZotero, tmp_path: Path
) -> None:
    result = export("-o", "refs.bib")
    assert result.exit_code == 0, result.output
    assert "2 items of group 12345 -> refs.bib: written" in result.output
    bib = tmp_path / "refs.bib"
    assert entries(bib) == ["@inproceedings{rome,", "@misc{the2022mass,"]
    text = bib.read_text(encoding="utf-8")
    assert "author = {Meng, Kevin}," in text  # the editor is no author
    assert "booktitle = {Advances in Neural Information Processing Systems}" in text
    assert "eprint = {2210.07229}" in text and "author = {{The MEMIT team}}" in text
    assert "Binned" not in text  # in the trash
    assert "keywords = {Reading group > Editing}" in text  # collections are its topics


def test_a_second_run_reads_only_what_changed_and_keeps_keys(
    fake: FakeZotero, tmp_path: Path
) -> None:
    assert export("-o", "refs.bib").exit_code == 0
    before = (tmp_path / "refs.bib").read_bytes()
    again = export("-o", "refs.bib")
    assert again.exit_code == 0 and "unchanged; 1 requests to Zotero" in again.output
    assert (tmp_path / "refs.bib").read_bytes() == before
    memit = next(k for k, d in fake.items.items() if d["title"].startswith("Mass-Editing"))
    fake.edit_item(memit, title="Mass-Editing Memory in a Transformer (ICLR)")
    start = len(fake.requests)
    third = export("-o", "refs.bib")
    assert third.exit_code == 0, third.output
    fetched = [r.query.get("itemKey") for r in fake.requests[start:] if "itemKey" in r.query]
    assert fetched == [memit]  # only the edited item was read again
    text = (tmp_path / "refs.bib").read_text(encoding="utf-8")
    assert "Mass-Editing Memory in a Transformer ({ICLR})" in text
    assert "@misc{the2022mass," in text  # the key once written stays


def test_an_existing_bib_keeps_its_other_entries(fake: FakeZotero, tmp_path: Path) -> None:
    mine = "@book{knuth1984texbook,\n  title = {The TeXbook},\n  year = {1984},\n}\n"
    (tmp_path / "refs.bib").write_text(mine, encoding="utf-8")
    assert export("-o", "refs.bib").exit_code == 0
    assert "@book{knuth1984texbook," in entries(tmp_path / "refs.bib")
    assert len(entries(tmp_path / "refs.bib")) == 3


def test_a_collection_narrows_the_export(fake: FakeZotero, tmp_path: Path) -> None:
    for path in ("Reading group", "Reading group > Editing", "Reading group/Editing"):
        result = export("-o", "refs.bib", "--collection", path)
        assert result.exit_code == 0, result.output
        assert entries(tmp_path / "refs.bib") == ["@inproceedings{rome,"]
        (tmp_path / "refs.bib").unlink()
    missing = export("-o", "refs.bib", "--collection", "Reading group > Memory")
    assert missing.exit_code == 2
    assert "no collection 'Reading group > Memory' in group 12345 (no 'Memory' there)" in (
        missing.output
    )
    assert not (tmp_path / "refs.bib").exists()


def test_without_a_key_it_is_one_line_and_exit_2(
    fake: FakeZotero, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZOTERO_API_KEY")
    result = export("-o", "refs.bib")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_format_biblatex_and_csl_json(fake: FakeZotero, tmp_path: Path) -> None:
    assert export("-o", "refs.bib", "--format", "biblatex").exit_code == 0
    assert "date = {2022-12}" in (tmp_path / "refs.bib").read_text(encoding="utf-8")
    assert export("-o", "refs.json").exit_code == 0
    data = json.loads((tmp_path / "refs.json").read_text(encoding="utf-8"))
    assert sorted(item["id"] for item in data) == ["rome", "the2022mass"]
