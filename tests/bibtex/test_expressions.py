"""A field written as a BibTeX expression (an `@string` name, a concatenation, a month macro)
reads as its text and is written back exactly as it was written; a CRLF file is read as LF and
says so."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from list2bib.bibtex.parse import BibValue, parse_file_text, read_file
from list2bib.bibtex.render import render
from list2bib.model import ListEntry, Record, Reference, Status

TEXT = (
    "@string{me = {Jane Doe}}\n"
    "@misc{a,\n"
    '  note = {My note} # " -- " # me,\n'
    "  howpublished = me,\n"
    "  month = jan,\n"
    "  year = 2020,\n"
    '  title = "Quoted {T}itle",\n'
    "}\n"
)


def test_expressions_read_as_text_and_remember_how_they_were_written() -> None:
    (entry,) = parse_file_text(TEXT).entries
    fields = entry.fields
    assert fields["howpublished"] == "Jane Doe" and fields["howpublished"].source == "me"  # type: ignore[attr-defined]
    assert fields["note"].source == '{My note} # " -- " # me'  # type: ignore[attr-defined]
    assert isinstance(fields["month"], BibValue)
    assert not isinstance(fields["title"], BibValue) and fields["title"] == "Quoted {T}itle"
    assert not isinstance(fields["year"], BibValue)
    again = pickle.loads(pickle.dumps(fields["howpublished"]))  # kept in memos
    assert isinstance(again, BibValue) and again.source == "me"


@pytest.mark.parametrize("ascii", [False, True])
def test_an_expression_override_is_written_as_it_was(ascii: bool) -> None:
    (entry,) = parse_file_text(TEXT).entries
    ref = Reference("a", Record("crossref", "misc", "Title"), (ListEntry("l.md", 1, (), "t"),),
                    Status.RESOLVED)  # fmt: skip
    overrides = {"a": {k: entry.fields[k] for k in ("note", "howpublished")}}
    text = render([ref], ascii=ascii, overrides=overrides)
    assert '  note = {My note} # " -- " # me,\n' in text
    assert "  howpublished = me,\n" in text


def test_an_expression_that_cannot_stand_bare_is_braced() -> None:
    ref = Reference("a", Record("crossref", "misc", "Title"), (ListEntry("l.md", 1, (), "t"),),
                    Status.RESOLVED)  # fmt: skip
    text = render([ref], overrides={"a": {"note": BibValue("x, y", "x, y")}})
    assert "  note = {x, y},\n" in text


def test_a_crlf_file_is_read_as_lf(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode())
    parsed = read_file(path)
    assert parsed.newline == "\r\n"
    assert all("\r" not in macro for macro in parsed.macros)
    assert "\r" not in parsed.entries[0].raw
    path.write_text(TEXT, encoding="utf-8")
    assert read_file(path).newline == "\n"
