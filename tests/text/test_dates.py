"""Months and dates: every way a month is written gives one number, and list dates read as ISO."""

from __future__ import annotations

import pytest

from list2bib.text.dates import (
    MONTH_ABBREVIATIONS,
    find_date,
    month_abbreviation,
    month_number,
    parse_date,
)


@pytest.mark.parametrize(
    "written", ["9", "09", "sep", "Sep", "Sep.", "SEPT", "Sept.", "September", " september. "]
)
def test_every_spelling_of_september_is_nine(written: str) -> None:
    assert month_number(written) == 9


@pytest.mark.parametrize(
    "written", ["", "0", "13", "00", "se", "Septembre", "Septem", "mai", "9th", "2024", "jan 2024"]
)
def test_what_is_no_month(written: str) -> None:
    assert month_number(written) is None


def test_the_abbreviations_are_the_months_in_order() -> None:
    assert [month_number(m) for m in MONTH_ABBREVIATIONS] == list(range(1, 13))
    assert month_number("June") == month_number("jun") == 6
    assert month_number("may") == 5


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2024.9", "2024-09"),
        ("2024.09", "2024-09"),
        ("2024-09", "2024-09"),
        ("2024/9", "2024-09"),
        ("2024", "2024"),
        ("Sep 2024", "2024-09"),
        ("Sept. 2024", "2024-09"),
        ("September 2024", "2024-09"),
        ("6 Oct 2024", "2024-10-06"),
        ("Oct 6, 2024", "2024-10-06"),
        ("2024-10-06", "2024-10-06"),
        ("2024.13", None),
        ("2024-02-32", None),
        ("Foo 2024", None),
        ("EMNLP 2024", None),
    ],
)
def test_parse_date(text: str, date: str | None) -> None:
    assert parse_date(text) == date


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Book, Jan 2017", "2017-01"),
        ("arXiv 2023.11", "2023-11"),
        ("ICLR 2024 (oral)", "2024"),
        ("v2.2024", "2024"),  # not a date inside a version number: only the year is found
        ("no date here", None),
    ],
)
def test_find_date(text: str, date: str | None) -> None:
    assert find_date(text) == date


def test_month_abbreviation_is_the_bibtex_macro() -> None:
    assert [month_abbreviation(n) for n in (1, 9, 12)] == ["jan", "sep", "dec"]
    assert [month_abbreviation(n) for n in (None, 0, 13, -1)] == [None, None, None, None]
    assert all(month_number(month_abbreviation(n) or "") == n for n in range(1, 13))
