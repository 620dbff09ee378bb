"""Reading an unchanged input file again gives the remembered result; anything else reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from list2bib.errors import InputError
from list2bib.infra import memo as memo_module
from list2bib.infra.memo import Memo
from list2bib.pipeline import read_lists


class Counting:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.path.read_text(encoding="utf-8").upper()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "list.md"
    path.write_text("- a paper\n", encoding="utf-8")
    return path


def test_an_unchanged_file_is_read_once(tmp_path: Path, source: Path) -> None:
    memo, compute = Memo(tmp_path / "memo"), Counting(source)
    assert memo.read("list", source, compute) == "- A PAPER\n"
    assert memo.read("list", source, compute) == "- A PAPER\n"
    assert compute.calls == 1


def test_a_changed_file_is_read_again(tmp_path: Path, source: Path) -> None:
    memo, compute = Memo(tmp_path / "memo"), Counting(source)
    memo.read("list", source, compute)
    source.write_text("- another paper\n", encoding="utf-8")
    assert memo.read("list", source, compute) == "- ANOTHER PAPER\n"
    assert compute.calls == 2


def test_kinds_and_paths_do_not_mix(tmp_path: Path, source: Path) -> None:
    memo = Memo(tmp_path / "memo")
    copy = tmp_path / "copy.md"
    copy.write_bytes(source.read_bytes())
    memo.read("list", source, lambda: "as a list")
    assert memo.read("bib", source, lambda: "as a bib") == "as a bib"
    assert memo.read("list", copy, lambda: "the copy") == "the copy"


def test_a_damaged_memo_is_read_again(tmp_path: Path, source: Path) -> None:
    memo, compute = Memo(tmp_path / "memo"), Counting(source)
    memo.read("list", source, compute)
    for stored in (tmp_path / "memo").iterdir():
        stored.write_bytes(b"\x80\x04 not a pickle")
    assert memo.read("list", source, compute) == "- A PAPER\n"
    assert compute.calls == 2


def test_new_code_forgets_every_memo(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo, compute = Memo(tmp_path / "memo"), Counting(source)
    memo.read("list", source, compute)
    monkeypatch.setattr(memo_module, "code_digest", lambda: b"another version")
    memo.read("list", source, compute)
    assert compute.calls == 2


def test_a_memo_that_cannot_be_kept_is_not_an_error(tmp_path: Path, source: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("in the way", encoding="utf-8")
    memo, compute = Memo(blocked / "memo"), Counting(source)
    assert memo.read("list", source, compute) == "- A PAPER\n"
    assert memo.read("list", source, compute) == "- A PAPER\n"
    assert compute.calls == 2


def test_an_unreadable_file_gets_its_own_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_lists([tmp_path / "missing.md"], Memo(tmp_path / "memo"))


def test_lists_without_any_entry_are_refused(tmp_path: Path) -> None:
    prose = tmp_path / "notes.md"
    prose.write_text("# Awesome\n\n## Tools\n\n- [x](https://github.com/x/y)\n", encoding="utf-8")
    with pytest.raises(InputError, match="no paper entries"):
        read_lists([prose])
