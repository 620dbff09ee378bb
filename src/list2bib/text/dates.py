"""Months and dates as people write them: month names, abbreviations and numbers (`Sept.`,
`September`, `09` -> 9), and the dates in a list's small print (`Sep 2024`, `2024.9` -> `2024-09`).
"""

from __future__ import annotations

import re

# The English abbreviations, which are also BibTeX's month macros (`month = sep`).
MONTH_ABBREVIATIONS = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTH_NUMBERS = {
    **{name: number for number, name in enumerate(MONTH_ABBREVIATIONS, start=1)},
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
    **{str(number): number for number in range(1, 13)},
    **{f"{number:02d}": number for number in range(1, 13)},
}

# A year of the papers lists cite; a regular-expression fragment.
YEAR_PATTERN = r"(?:19|20)\d{2}"
_NUMERIC_DATE = re.compile(rf"({YEAR_PATTERN})(?:[./-](\d{{1,2}})(?:[./-](\d{{1,2}}))?)?")
_NAMED_DATE = re.compile(
    rf"(?:(\d{{1,2}})\s+)?([A-Za-z]{{3,9}})\.?\s+(?:(\d{{1,2}}),?\s+)?({YEAR_PATTERN})"
)
_DATE_INSIDE = re.compile(
    rf"(?<![\w.])(?:[A-Za-z]{{3,9}}\.?\s+(?:\d{{1,2}},?\s+)?{YEAR_PATTERN}"
    rf"|{YEAR_PATTERN}(?:[./-]\d{{1,2}}){{0,2}})(?![\w.])"
)


def month_number(text: str) -> int | None:
    """`9`, `09`, `Sep`, `Sept.`, `September` (in any case) -> 9; None when `text` is no month."""
    return _MONTH_NUMBERS.get(text.strip().lower().rstrip("."))


def month_abbreviation(number: int | None) -> str | None:
    """9 -> `sep` (BibTeX's macro); None for no month or a number that is none."""
    return MONTH_ABBREVIATIONS[number - 1] if number and 1 <= number <= 12 else None


def parse_date(text: str) -> str | None:
    """`2024.9`, `2024-09`, `2024/9`, `2024`, `Sep 2024`, `2024-10-06` -> `YYYY[-MM[-DD]]`."""
    text = " ".join(text.split())
    if m := _NUMERIC_DATE.fullmatch(text):
        return _iso(m.group(1), m.group(2), m.group(3))
    if (m := _NAMED_DATE.fullmatch(text)) and (month := month_number(m.group(2))):
        return _iso(m.group(4), str(month), m.group(1) or m.group(3))
    return None


def find_date(text: str) -> str | None:
    """The first date anywhere in `text` (`Book, Jan 2017` -> `2017-01`)."""
    for m in _DATE_INSIDE.finditer(text):
        if found := parse_date(m.group(0)):
            return found
    year = re.search(rf"(?<!\d){YEAR_PATTERN}(?!\d)", text)
    return year.group(0) if year else None


def _iso(year: str, month: str | None, day: str | None) -> str | None:
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}" if 1 <= int(day) <= 31 else None
