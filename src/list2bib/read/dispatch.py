"""Paper lists in, `ListEntry` values out: Markdown lists (see `markdown_list`), plain lists of
identifiers, URLs or titles, and existing `.bib` files to be resolved again.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

from list2bib.bibtex.parse import parse_string, read_entries
from list2bib.bibtex.render import writable_key
from list2bib.errors import InputError
from list2bib.model import Link, ListEntry
from list2bib.read import hints
from list2bib.read.document import parse_markdown
from list2bib.text.identifiers import parse_identifier, strip_doi_prefix
from list2bib.text.names import split_authors

__all__ = ["parse_markdown", "parse_plain", "read_bib_list", "read_list", "read_text"]

_MARKDOWN_HINTS = re.compile(
    r"\]\(|<https?://|<a\s[^>]*href|^\s*\|?\s*:?-{3,}:?\s*\||^\s*\[[^\]]+\]:\s*\S", re.MULTILINE
)
_BIB_START = re.compile(r"\s*@\w+\s*[{(]")  # text that starts like a BibTeX entry
_BULLET = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")


def parse_plain(text: str, source: str) -> list[ListEntry]:
    """One identifier, URL or title per line (a leading `-`/`1.` bullet is ignored).

    Blank lines are skipped. A line of `#`s, a space and text is a heading that sets the topic path
    for the lines below it, as in Markdown (`## Editing` -> topics `("Editing",)` at level 2);
    any other line starting with `#` (`#comment`, `#!`, a lone `#`) is a comment.
    """
    entries: list[ListEntry] = []
    chain: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if heading := re.fullmatch(r"(#{1,6})\s+(\S.*)", line):
            level = len(heading[1])
            chain = [(lvl, t) for lvl, t in chain if lvl < level] + [(level, heading[2].strip())]
            continue
        line = _BULLET.sub("", line)
        if not line or line.startswith("#"):
            continue
        topics = tuple(t for _, t in chain)
        if (line.startswith(("http://", "https://")) and " " not in line) or parse_identifier(line):
            entries.append(ListEntry(source, number, topics, "", links=(Link(line),)))
        elif not hints.is_prose(line):  # a sentence about the list is no title
            entries.append(ListEntry(source, number, topics, hints.clean_title(line)))
    return entries


class _BibEntry(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def entry_type(self) -> str: ...
    @property
    def fields(self) -> dict[str, str]: ...
    @property
    def line(self) -> int: ...


def read_bib_list(path: str | os.PathLike[str]) -> list[ListEntry]:
    """Entries of an existing .bib file, to be resolved again. Keys and all fields are kept; links
    come from `url`, `doi` and arXiv `eprint`; authors from `author`; the year is the date hint."""
    return [_bib_to_entry(entry, os.fspath(path)) for entry in read_entries(path)]


def _bib_to_entry(entry: _BibEntry, source: str) -> ListEntry:
    if not writable_key(entry.key):  # found now, before any lookup, rather than when writing
        raise InputError(
            f"{source}:{entry.line}: citation key {entry.key!r} cannot be written back: "
            "it holds a space or one of \\\"#%'(),={}"
        )
    fields = {name.lower(): value for name, value in entry.fields.items()}
    links: list[Link] = []
    if url := fields.get("url", "").strip():
        links.append(Link(url))
    if doi := strip_doi_prefix(fields.get("doi", "")):
        links.append(Link(f"https://doi.org/{doi}"))
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if (eprint := fields.get("eprint", "").strip()) and prefix == "arxiv":
        links.append(Link(f"https://arxiv.org/abs/{eprint}"))
    authors = [_unbrace(name) for name in split_authors(fields.get("author", ""))]
    venue = _unbrace(fields.get("booktitle") or fields.get("journal") or "")
    year = fields.get("year") or fields.get("date", "")[:4]
    return ListEntry(
        source=source,
        line=entry.line,
        topics=(),
        title=_unbrace(fields.get("title", "")),
        links=tuple(dict.fromkeys(links)),
        venue_hint=venue if venue and not re.search(r"arxiv|corr", venue, re.I) else None,
        date_hint=_unbrace(year) or None,
        authors=tuple(a for a in authors if a),
        key=entry.key,
        fields=tuple(entry.fields.items()),
        entry_type=entry.entry_type,
    )


def _unbrace(value: str) -> str:
    return hints.collapse(value.replace("{", "").replace("}", ""))


def read_list(path: str | os.PathLike[str]) -> list[ListEntry]:
    """Read one list file: `.bib` (or text that starts with `@type{`) -> `read_bib_list`; text with
    Markdown links, tables or HTML anchors -> `parse_markdown`; anything else -> `parse_plain`.

    Raises InputError naming the file (and line, for text that is not UTF-8) when the file is
    missing, a directory, unreadable or not UTF-8.
    """
    name = os.fspath(path)
    text = _read_text(Path(path), name)
    if Path(path).suffix.lower() == ".bib" or _BIB_START.match(text):
        return read_bib_list(path)
    return read_text(text, name)


def read_text(text: str, name: str) -> list[ListEntry]:
    """A list that is not a file (standard input): a .bib, Markdown or plain list by its text, as
    `read_list` tells them apart; `name` stands for the file in every entry and message."""
    if _BIB_START.match(text):
        return [_bib_to_entry(entry, name) for entry in parse_string(text, source=name)]
    if _MARKDOWN_HINTS.search(text):
        return parse_markdown(text, name)
    return parse_plain(text, name)


def _read_text(path: Path, name: str) -> str:
    if path.is_dir():
        raise InputError(f"{name}: is a directory, not a list file; name the list files in it")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file; check the list's path") from None
    except OSError as exc:
        raise InputError(
            f"{name}: cannot read ({exc.strerror or exc}); check its permissions"
        ) from None
    if b"\x00" in data:  # valid UTF-8, but no text file holds NUL bytes
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError(
            f"{name}:{line}: a binary file (NUL bytes), not a list; "
            "give a Markdown, .txt or .bib list"
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x} at column {column}); "
            "save the list as UTF-8"
        ) from None
