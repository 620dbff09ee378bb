"""Finding the config file as git and ruff do: the nearest one from the working folder up to the
repository's root, with its paths (and the default output) taken beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from list2bib.config import find_config_file, load_config


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a nested subfolder."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "lists" / "ml").mkdir(parents=True)
    return tmp_path / "repo"


def test_the_nearest_file_up_to_the_repository_root(repo: Path) -> None:
    (repo / "list2bib.toml").write_text("[build]\nstrict = true\n", encoding="utf-8")
    assert find_config_file(repo / "lists" / "ml") == repo / "lists" / "ml" / ".." / ".." / (
        "list2bib.toml"
    )
    (repo / "lists" / "list2bib.toml").write_text("", encoding="utf-8")
    assert find_config_file(repo / "lists" / "ml") == repo / "lists" / "ml" / ".." / (
        "list2bib.toml"
    )


def test_a_pyproject_table_counts_and_one_without_it_does_not(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.list2bib.build]\nascii = true\n", "utf-8")
    (repo / "lists" / "pyproject.toml").write_text("[project]\nname = 'x'\n", "utf-8")
    found = find_config_file(repo / "lists" / "ml")
    assert found is not None and found.resolve() == repo / "pyproject.toml"


def test_nothing_above_the_repository_root_is_read(tmp_path: Path, repo: Path) -> None:
    (tmp_path / "list2bib.toml").write_text("[build]\nstrict = true\n", encoding="utf-8")
    assert find_config_file(repo / "lists") is None
    outside = tmp_path / "plain" / "sub"
    outside.mkdir(parents=True)
    assert find_config_file(outside) is None  # outside a repository: the working folder only


def test_from_a_subfolder_paths_and_the_default_output_are_beside_the_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "list2bib.toml").write_text('[build]\nreport = "review.md"\n', encoding="utf-8")
    monkeypatch.chdir(repo / "lists" / "ml")
    config = load_config(None, env={})
    assert config.output.resolve() == repo / "output" / "references.bib"
    assert config.report is not None and config.report.resolve() == repo / "review.md"
    assert str(config.output) == "../../output/references.bib"  # short in messages


def test_a_file_named_with_config_keeps_the_default_output_here(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "list2bib.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(repo / "lists")
    assert load_config(Path("../list2bib.toml"), env={}).output == Path("output/references.bib")
