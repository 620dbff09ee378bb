"""Lists on the command line: which argument is a file, standard input, an identifier, a URL or
a title, and which is none of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from list2bib.errors import InputError
from list2bib.read.arguments import (
    ARGUMENTS_NAME,
    STDIN_NAME,
    InlineList,
    is_title,
    list_sources,
    read_source,
)


def no_stdin() -> bytes:
    raise AssertionError("standard input read without -")


def test_identifiers_urls_and_titles_become_one_list_line_by_argument() -> None:
    args = ["arXiv:2202.05262", "10.1109/cvpr.2016.90", "Attention is all you need",
            "https://openreview.net/forum?id=abc"]  # fmt: skip
    [source] = list_sources(args, no_stdin)
    assert isinstance(source, InlineList) and source.name == ARGUMENTS_NAME
    entries = read_source(source)
    assert [e.line for e in entries] == [1, 2, 3, 4]
    assert [e.links[0].url for e in entries if e.links] == [
        "arXiv:2202.05262", "10.1109/cvpr.2016.90", "https://openreview.net/forum?id=abc"
    ]  # fmt: skip
    assert entries[2].title == "Attention is all you need" and not entries[2].links
    assert entries[0].where == f"{ARGUMENTS_NAME}:1"


def test_a_file_of_that_name_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Attention is all you need").write_text("arXiv:1706.03762\n", encoding="utf-8")
    sources = list_sources(["Attention is all you need", "arXiv:2202.05262"], no_stdin)
    assert sources[0] == Path("Attention is all you need")
    assert isinstance(sources[1], InlineList)
    # The file's position is a blank line: the identifier keeps its argument's number.
    assert [e.line for e in read_source(sources[1])] == [2]


def test_dash_reads_standard_input_as_a_list() -> None:
    text = "# Papers\n\n## Editing\n\n- [ROME](https://arxiv.org/abs/2202.05262)\n"
    [source] = list_sources(["-"], lambda: text.encode())
    assert source == InlineList(STDIN_NAME, text)
    [entry] = read_source(source)
    assert entry.topics == ("Editing",) and entry.where == f"{STDIN_NAME}:5"


def test_standard_input_may_be_a_bib() -> None:
    bib = "@article{mine,\n  title = {Deep learning},\n  doi = {10.1038/nature14539}\n}\n"
    [source] = list_sources(["-"], lambda: bib.encode())
    [entry] = read_source(source)
    assert entry.key == "mine" and entry.links[0].url == "https://doi.org/10.1038/nature14539"


def test_standard_input_that_is_not_utf8_names_its_line() -> None:
    with pytest.raises(InputError, match=r"<stdin>:2: not UTF-8 \(byte 0xff\)"):
        list_sources(["-"], lambda: b"arXiv:2202.05262\n\xff\n")


def test_dash_twice_is_an_error() -> None:
    with pytest.raises(InputError, match="standard input given twice"):
        list_sources(["-", "-"], lambda: b"arXiv:2202.05262\n")


@pytest.mark.parametrize("argument", ["papers.md", "README", "lists/ml.txt", "my list.md", "./a b"])
def test_an_argument_that_is_neither_is_one_error(
    argument: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="no such file, and not an identifier, URL or quoted"):
        list_sources([argument], no_stdin)


@pytest.mark.parametrize(
    ("text", "title"),
    [("Attention is all you need", True), ("Deep learning", True), ("2 3", False),
     ("notes for lab.txt", False), ("~/papers list", False), ("word", False)],
)  # fmt: skip
def test_is_title(text: str, title: bool) -> None:
    assert is_title(text) is title


def test_a_title_too_long_for_a_file_name_is_still_a_title() -> None:
    title = "A study of " + "very " * 80 + "long titles"
    [source] = list_sources([title], no_stdin)
    assert isinstance(source, InlineList) and read_source(source)[0].title == title
