"""Fields as reading the written file gives them back, read a slice of references at a time: the
same fields as reading the whole text, the same refusal of a key that repeats."""

from __future__ import annotations

import pytest

from list2bib.bibtex import render as render_module
from list2bib.bibtex.parse import parse_string
from list2bib.bibtex.render import render, written_fields
from list2bib.errors import InputError
from list2bib.model import ListEntry, Person, Record, Reference, Status

ENTRY = ListEntry(source="awesome.md", line=12, topics=("Survey",), title="t")


def reference(number: int) -> Reference:
    status = Status.UNRESOLVED if number % 4 == 0 else Status.RESOLVED
    record = Record(
        source="test",
        title=f"Über scaling {number} LLMs",
        authors=(Person("Meng", "Kevin"), Person(f"Author{number}", "Ann")),
        entry_type="misc",
        year=str(2000 + number % 25),
        month=1 + number % 12,
        arxiv_id=f"2201.{number:05d}" if number % 3 else None,
        venue={"note": f"note {number}"} if number % 5 == 0 else {},
    )
    return Reference(f"key{number}", record, (ENTRY,), status)


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_module, "_READ_BACK_SLICE", 3)


@pytest.mark.usefixtures("small_slices")
@pytest.mark.parametrize("ascii", [False, True])
def test_slices_read_back_what_the_whole_text_gives(ascii: bool) -> None:
    refs = [reference(n) for n in range(11)]
    overrides = {"key5": {"title": "My {Title}", "note": None}, "key7": {"ids": "a, b"}}
    whole = parse_string(render(refs, ascii=ascii, overrides=overrides))
    read_back = written_fields(refs, ascii=ascii, overrides=overrides)
    assert read_back == {entry.key: entry.fields for entry in whole}
    assert list(read_back) == [ref.key for ref in refs]
    assert read_back["key5"]["title"] == "My {Title}" and "note" not in read_back["key5"]


@pytest.mark.usefixtures("small_slices")
def test_a_key_that_repeats_in_another_slice_is_refused_as_before() -> None:
    refs = [reference(n) for n in range(5)] + [reference(1)]
    with pytest.raises(InputError, match="key1"):
        written_fields(refs)


def test_field_names_are_one_string_each() -> None:
    read_back = written_fields([reference(n) for n in range(3)])
    names = [next(name for name in fields if name == "title") for fields in read_back.values()]
    assert all(name is names[0] for name in names)
