"""`list2bib zotero sync|check` as a user meets them: the example list resolved through the fake
services and synced to the fake Zotero, dry run, prune, access errors, config, secrets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fakes import (
    FakeArxiv,
    FakeDoi,
    FakeS2,
    FakeServer,
    FakeZotero,
    LoggedRequest,
    Reply,
    World,
)
from list2bib.cli import main
from list2bib.config import SERVICE_DEFAULTS, ConfigError, load_config, zotero_api_key

LIST = """# Reading list

## Papers

Locating and Editing Factual Associations in GPT. [[pdf](https://arxiv.org/pdf/2202.05262.pdf)] [NeurIPS 2022] [2022.2]

Transformer Feed-Forward Layers Are Key-Value Memories. [[pdf](https://arxiv.org/pdf/2012.14913.pdf)] [EMNLP 2021] [2020.12]

## Foundations

- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) (NeurIPS 2017)
- Deep Residual Learning for Image Recognition [[arXiv](http://arxiv.org/abs/1512.03385v1)] [CVPR 2016]
"""  # noqa: E501


class Nowhere(FakeServer):
    """Every service these tests do not fake answers 'not found', so none is asked for real
    (Semantic Scholar is faked: its batch answering 404 would be an outage, and a sync during an
    outage leaves the works it could not check alone)."""

    def handle(self, request: LoggedRequest) -> Reply:
        return Reply.text(404, "Not Found")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeZotero]:
    world = World.load()
    with (
        FakeArxiv(world) as arxiv,
        FakeDoi(world) as doi,
        FakeS2(world) as s2,
        FakeZotero() as zotero,
        Nowhere() as no,
    ):
        urls = {
            "ARXIV": arxiv.base_url,
            "S2": s2.base_url,
            "DOI": doi.base_url,
            "CROSSREF": doi.crossref.base_url,
            "DATACITE": doi.datacite.base_url,
            "ZOTERO": zotero.base_url,
        }
        for name in SERVICE_DEFAULTS:
            monkeypatch.setenv(f"LIST2BIB_{name.upper()}_URL", urls.get(name.upper(), no.base_url))
        monkeypatch.setenv("ZOTERO_API_KEY", FakeZotero.WRITER)
        monkeypatch.chdir(tmp_path)
        no_waits = "".join(f"[services.{name}]\nmin_interval = 0\n" for name in SERVICE_DEFAULTS)
        (tmp_path / "list2bib.toml").write_text(
            "[network]\nretries = 1\n" + no_waits, encoding="utf-8"
        )
        (tmp_path / "papers.md").write_text(LIST, encoding="utf-8")
        yield zotero


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert FakeZotero.WRITER not in result.output and FakeZotero.READER not in result.output
    return result


def test_sync_then_resync(fake: FakeZotero) -> None:
    first = run("zotero", "sync", "papers.md", "--group", "12345")
    assert first.exit_code == 0, first.output
    assert "items created" in first.output and "collections created" in first.output
    assert fake.items
    types = {d["itemType"] for d in fake.top_items.values()}
    assert "preprint" in types and types <= {"preprint", "conferencePaper", "journalArticle"}
    assert len(fake.top_items) == 4
    # Each work's PDF is one click away: a linked-URL attachment, made once.
    links = [d["url"] for d in fake.items.values() if d.get("linkMode") == "linked_url"]
    assert sorted(links) == sorted(set(links)) and len(links) == 4
    assert "https://arxiv.org/pdf/1706.03762" in links
    names = {c["name"] for c in fake.collections.values()}
    assert {"list2bib", "Papers", "Foundations"} <= names
    fake.clear_log()
    second = run("zotero", "sync", "papers.md", "--group", "12345")
    assert second.exit_code == 0, second.output
    assert "nothing to write" in second.output
    assert [r.method for r in fake.requests] == ["GET", "GET"]


def test_dry_run_prints_the_plan_and_writes_nothing(fake: FakeZotero) -> None:
    result = run("zotero", "sync", "papers.md", "--group", "12345", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "items to create" in result.output
    assert "collection list2bib > Papers" in result.output
    assert fake.items == {} and all(r.method == "GET" for r in fake.requests)


def test_prune_says_which_items_it_trashed(fake: FakeZotero, tmp_path: Path) -> None:
    run("zotero", "sync", "papers.md", "--group", "12345", "--collection", "Reading")
    # The list loses its second section: its works and its collection go.
    (tmp_path / "papers.md").write_text(LIST.split("## Foundations")[0], encoding="utf-8")
    result = run("zotero", "sync", "papers.md", "--group", "12345", "--collection", "Reading",
                 "--prune")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "items moved to the trash" in result.output
    assert "vaswani2017attention" in result.output
    assert "1 empty collections removed" in result.output
    assert "collection Reading > Foundations" in result.output
    # Another list synced alone trashes nothing of this one.
    (tmp_path / "other.md").write_text(LIST.split("## Foundations")[0], encoding="utf-8")
    other = run("zotero", "sync", "other.md", "--group", "12345", "--collection", "Reading",
                "--prune")  # fmt: skip
    assert other.exit_code == 0 and "trash" not in other.output, other.output


def test_check_says_what_is_missing(fake: FakeZotero, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = run("zotero", "check", "--group", "12345")
    assert ok.exit_code == 0 and "can read and write group 12345" in ok.output
    monkeypatch.setenv("ZOTERO_API_KEY", FakeZotero.READER)
    denied = run("zotero", "check", "--group", "12345")
    assert denied.exit_code == 1
    assert "may read group 12345 but not write" in denied.output
    assert "zotero.org/settings/keys" in denied.output
    monkeypatch.setenv("ZOTERO_API_KEY", "unknownKey0123456789ABCD")
    unknown = run("zotero", "check", "--group", "12345")
    assert unknown.exit_code == 1 and "does not know this API key" in unknown.output
    assert "unknownKey" not in unknown.output


def test_sync_stops_before_writing_without_write_access(
    fake: FakeZotero, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", FakeZotero.READER)
    result = run("zotero", "sync", "papers.md", "--group", "12345")
    assert result.exit_code == 1
    assert "cannot write to group 12345" in result.output
    assert all(r.method == "GET" for r in fake.requests)


def test_missing_key_or_group_is_a_usage_error(
    fake: FakeZotero, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("zotero", "sync", "papers.md").exit_code == 2
    monkeypatch.delenv("ZOTERO_API_KEY")
    result = run("zotero", "sync", "papers.md", "--group", "12345")
    assert result.exit_code == 2 and "ZOTERO_API_KEY" in result.output
    assert fake.requests == []


def test_group_and_key_variable_from_config(tmp_path: Path) -> None:
    path = tmp_path / "list2bib.toml"
    path.write_text('[zotero]\ngroup = 12345\napi_key_env = "LAB_ZOTERO_KEY"\n', encoding="utf-8")
    config = load_config(path, env={})
    assert config.zotero_group == "12345"
    assert zotero_api_key(config, {"LAB_ZOTERO_KEY": " abc "}) == "abc"
    with pytest.raises(ConfigError, match="LAB_ZOTERO_KEY"):
        zotero_api_key(config, {"ZOTERO_API_KEY": "abc"})
    path.write_text("[zotero]\ngroup = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"zotero\.group"):
        load_config(path, env={})


def test_a_group_that_is_not_a_number_is_bad_usage() -> None:
    from click.testing import CliRunner

    from list2bib.cli import main

    result = CliRunner().invoke(
        main, ["zotero", "check", "--group", "abc"], env={"ZOTERO_API_KEY": "k"}
    )
    assert result.exit_code == 2
    assert "must be a number" in result.output
