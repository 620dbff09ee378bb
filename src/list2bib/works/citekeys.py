"""Readable citation keys (`meng2022locating`), collision suffixes, and stability across runs: a key
already in the user's references.bib is kept verbatim and never handed to another work.

Key pattern placeholders (config `[build] key_pattern`, `--key-pattern`; default
`{auth}{year}{shorttitle}`): `{auth}` first author's family name, `{Auth}` the same capitalised,
`{year}` four digits (empty when unknown), `{yy}` its last two, `{shorttitle}` the first significant
title word, `{shorttitleN}` the first N (1-9) significant words, `{Shorttitle}`/`{ShorttitleN}`
capitalised. Everything is folded to ASCII; other text is copied as is (letters, digits, `-_:.`).
A work without a usable author is `<title word><year>` whatever the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import count

from list2bib.bibtex.parse import BibEntry
from list2bib.errors import ConfigError
from list2bib.model import Record
from list2bib.text.identifiers import url_host
from list2bib.text.titles import STOPWORDS, fold_ascii
from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan, entry_ids

DEFAULT_PATTERN = "{auth}{year}{shorttitle}"
_PLACEHOLDER = re.compile(r"\{([A-Za-z]+)([1-9]?)\}")
_LITERAL = re.compile(r"[A-Za-z0-9_:.-]*")
_NAMES = {"auth", "Auth", "year", "yy", "shorttitle", "Shorttitle"}

_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_APOSTROPHES = re.compile(r"['’]")
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'van der Putten' -> 'vanderputten', 'Gödel' ->
    'godel'."""
    return "".join(c for c in fold_ascii(text) if c.isalnum()).lower()


def _author_part(record: Record) -> str:
    if not record.authors:
        return ""
    first = record.authors[0]
    name = first.family or first.given
    if first.literal:
        name = next((word for word in name.split() if fold(word)), "")
    return fold(_LATEX_COMMAND.sub("", name))


def _title_words(title: str, n: int = 1) -> list[str]:
    """The first `n` significant words (the first word when all are stop words)."""
    text = _APOSTROPHES.sub("", _LATEX_COMMAND.sub(" ", title))
    words = [w for w in (fold(word) for word in _WORD.findall(text)) if w]
    significant = [w for w in words if w not in STOPWORDS]
    return (significant or words[:1])[:n]


def _title_word(title: str) -> str:
    return "".join(_title_words(title, 1))


def check_pattern(pattern: str) -> str:
    """The pattern if every placeholder is known and the literal text is key-safe; else ConfigError
    naming the culprit."""
    for match in _PLACEHOLDER.finditer(pattern):
        if match.group(1) not in _NAMES or (
            match.group(2) and "shorttitle" not in match.group(1).lower()
        ):
            raise ConfigError(
                f"key_pattern {pattern!r}: unknown placeholder {match.group()!r} "
                "(use {auth} {Auth} {year} {yy} {shorttitle} {shorttitleN} {Shorttitle})"
            )
    literal = _PLACEHOLDER.sub("", pattern)
    if not _LITERAL.fullmatch(literal) or not _PLACEHOLDER.search(pattern):
        raise ConfigError(
            f"key_pattern {pattern!r}: needs at least one placeholder, and only letters, "
            "digits and -_:. around them"
        )
    return pattern


def _site_word(url: str | None) -> str:
    """`https://www.lesswrong.com/posts/...` -> 'lesswrong'."""
    host = url_host(url) if url else ""
    labels = [label for label in host.removeprefix("www.").split(".") if label]
    return fold(labels[0]) if labels else ""


def base_key(record: Record, pattern: str = DEFAULT_PATTERN) -> str:
    """The key `pattern` gives (default `<family name><year><first significant title word>`).

    No year leaves `{year}` and `{yy}` empty (`billslanguage`, not `billsndlanguage`: a glued `nd`
    reads as part of a word); no usable author gives `<title word><year>` (`locating2022`); an
    organisation contributes its first word; with neither author nor title word, the web site's
    name (`lesswrong`), else `anon<year>`. Separators left at either end are dropped.
    """
    year = fold(record.year or "")
    author = _author_part(record)
    if not author:
        return f"{_title_word(record.title) or _site_word(record.url) or 'anon'}{year}"

    def value(match: re.Match[str]) -> str:
        name, digits = match.group(1), match.group(2)
        if name in ("auth", "Auth"):
            return author.capitalize() if name == "Auth" else author
        if name == "year":
            return year
        if name == "yy":
            return year[-2:] if year.isdigit() else year
        words = _title_words(record.title, int(digits or "1"))
        return "".join(w.capitalize() for w in words) if name == "Shorttitle" else "".join(words)

    return _PLACEHOLDER.sub(value, pattern).strip("-_:.") or f"{author}{year}"


def _suffix(number: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa', ... (bijective base 26)."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def assign_keys(
    records: Sequence[tuple[str, Record]],
    existing: Mapping[str, str] | None = None,
    *,
    pattern: str = DEFAULT_PATTERN,
) -> dict[str, str]:
    """work_id -> citation key for every record.

    A work in `existing` keeps its key verbatim, and every existing key is reserved. A new key whose
    base is unique (and not reserved) is the base itself; works whose bases collide, with each other
    or with a reserved key, all get suffixes `a`, `b`, ... in order of work_id, so the result does
    not depend on the order of `records`. Keys are compared case-insensitively: BibTeX treats
    `Meng2022x` and `meng2022x` as the same entry.
    """
    existing = dict(existing or {})
    keys: dict[str, str] = {}
    taken = {key.casefold() for key in existing.values()}
    bases: dict[str, str] = {}
    for work_id, record in records:
        if work_id in existing:
            keys[work_id] = existing[work_id]
            continue
        base = base_key(
            record, pattern
        )  # a work_id given twice keeps the smaller base: order-independent
        if work_id not in bases or base < bases[work_id]:
            bases[work_id] = base
    groups: dict[str, list[str]] = {}
    for work_id, base in sorted(bases.items()):
        groups.setdefault(base, []).append(work_id)
    # Unique bases first, so that a suffixed key can never take a base another work needs.
    colliding: list[tuple[str, list[str]]] = []
    for base, members in sorted(groups.items()):
        if len(members) == 1 and base.casefold() not in taken:
            keys[members[0]] = base
            taken.add(base.casefold())
        else:
            colliding.append((base, members))
    for base, members in colliding:
        numbers = count()
        for work_id in members:
            key = base + _suffix(next(numbers))
            while key.casefold() in taken:
                key = base + _suffix(next(numbers))
            keys[work_id] = key
            taken.add(key.casefold())
    return keys


def keys_for(
    works: Sequence[Work],
    merged: MergePlan,
    existing: Sequence[BibEntry],
    renamed: Mapping[str, str],
    *,
    pattern: str = DEFAULT_PATTERN,
) -> dict[str, str]:
    """work_id -> citation key for every work of this run. Reserved, so never handed to another
    work: the keys the file already gives works, the keys of its entries kept verbatim, every
    alias (the file's `ids` fields and the rename map's old keys `renamed`), then a .bib list's
    own key for its work."""
    reserved = dict(merged.reserved)
    reserved.update({f"file:{e.key}": e.key for e in merged.untouched})
    reserved.update({work_id: e.key for work_id, e in merged.previous.items()})
    aliases_in_use = {k for e in existing for k in entry_ids(e)} | set(renamed)
    reserved.update({f"alias:{k}": k for k in aliases_in_use})
    reserve_input_keys(works, reserved)
    return assign_keys([(w.work_id, w.record) for w in works], reserved, pattern=pattern)


def reserve_input_keys(works: Sequence[Work], reserved: dict[str, str]) -> None:
    """Works read from a .bib list keep that file's citation key (first come, first served),
    unless the output file already gave them one."""
    taken = {key.casefold() for key in reserved.values()}
    for work in works:
        if work.work_id in reserved:
            continue
        key = next((e.key for e in work.entries if e.key), None)
        if key and key.casefold() not in taken:
            reserved[work.work_id] = key
            taken.add(key.casefold())
