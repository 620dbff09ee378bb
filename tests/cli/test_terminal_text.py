"""Titles from lists and services reach the terminal as text: no bidi override, escape sequence
or carriage return in them can reorder, recolour or hide what list2bib prints."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from list2bib.cli import main
from list2bib.text.clean import terminal_text

UNSAFE = ("\u202e", "\u2066", "\u200f", "\x1b", "\r", "\x07", "\x9b")


@pytest.mark.parametrize("char", UNSAFE)
def test_terminal_text_shows_a_question_mark(char: str) -> None:
    assert terminal_text(f"a{char}b\n") == "a?b\n"


def test_terminal_text_keeps_ordinary_text() -> None:
    text = "Café 東京 مرحبا — Zoë\ttab\n"
    assert terminal_text(text) == text


def test_a_hostile_title_is_shown_safely(tmp_path: Path) -> None:
    (tmp_path / "list.md").write_text(
        "- Evil \u202eTitle\x1b[2J of \u2066Things\u2069\r (2020)\n", encoding="utf-8"
    )
    env = {"LIST2BIB_OFFLINE": "1", "LIST2BIB_CACHE_DIR": str(tmp_path / "cache")}
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(main, ["build", "list.md", "-v"], env=env)
    shown = result.stdout + result.stderr
    assert "Title" in shown and "Things" in shown  # the entry is named
    assert not any(char in shown for char in UNSAFE), repr(shown)
