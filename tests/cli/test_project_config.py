"""A run from a subfolder of a project uses the project's config and writes the project's bib."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from list2bib.cli import main


def test_build_from_a_subfolder_finds_the_config_above(env: Path) -> None:
    (env / ".git").mkdir()
    (env / "lists").mkdir()
    (env / "lists" / "ml.txt").write_text("arXiv:2202.05262\n", encoding="utf-8")
    os.chdir(env / "lists")  # the env fixture restores the working folder
    result = CliRunner().invoke(main, ["build", "ml.txt"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "meng2022locating" in (env / "output" / "references.bib").read_text(encoding="utf-8")
    assert not (env / "lists" / "output").exists()
