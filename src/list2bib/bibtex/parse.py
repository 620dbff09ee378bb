"""Read a .bib: its entries, the blocks written again verbatim, and failed blocks surfaced as
errors naming `file:line`. With `render`, the only modules that import bibtexparser."""

from __future__ import annotations

import logging
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bibtexparser.entrypoint import parse_string as parse_bibtex
from bibtexparser.exceptions import BlockAbortedException, ParsingException
from bibtexparser.library import Library
from bibtexparser.middlewares import LibraryMiddleware, default_parse_stack
from bibtexparser.middlewares.interpolate import ResolveStringReferencesMiddleware
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ExplicitComment,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)

from list2bib.errors import InputError

# bibtexparser logs each failed block; we raise one InputError instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
_BLOCK_HEAD = re.compile(r"@\s*\w+\s*[{(]\s*[^,\s]*")


# The comment `render` puts above an entry it could not verify; such entries are placeholders.
UNVERIFIED_MARK = "list2bib: "
_UNVERIFIED_STATES = ("unresolved", "ambiguous")


class BibValue(str):
    """A field value written as a BibTeX expression: an `@string` name, a concatenation
    (`{My note} # " -- " # me`), a month macro. It reads as its text (the string's value for a
    name) and is written back as it was written (`source`), so a merge keeps it byte for byte."""

    source: str

    def __new__(cls, text: str, source: str) -> BibValue:
        value = super().__new__(cls, text)
        value.source = source
        return value

    def __reduce__(self) -> tuple[type[BibValue], tuple[str, str]]:
        return (BibValue, (str(self), self.source))


_WRITTEN = "list2bib_written"


class _KeepWritten(LibraryMiddleware):
    """Notes every field's value as written, before `@string` names are resolved."""

    @classmethod
    def metadata_key(cls) -> str:
        return _WRITTEN

    def transform(self, library: Library) -> Library:
        for entry in library.entries:
            entry.parser_metadata[_WRITTEN] = {f.key: f.value for f in entry.fields}
        return library


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One entry of a .bib file: field names lower-case, values as written minus outer braces.

    `raw` is the entry's text exactly as in the file (to keep it verbatim); `unverified` marks a
    placeholder list2bib wrote for an entry it could not resolve, `mark` is the comment line that
    marked it (written again above it when the entry is kept verbatim).
    """

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int
    raw: str = ""
    mark: str = ""

    @property
    def unverified(self) -> bool:
        return bool(self.mark)


@dataclass(frozen=True, slots=True)
class BibFile:
    """A parsed .bib: its entries, and the blocks to write again verbatim: `@string`/`@preamble`
    (entries may use the macros) and the user's comments (`% ...` lines, `@comment{...}`)."""

    entries: list[BibEntry]
    macros: list[str]
    newline: str = "\n"  # "\r\n" for a file written with CRLF: written back so


def read_entries(path: str | os.PathLike[str]) -> list[BibEntry]:
    """The entries of an existing .bib file (none if it does not exist); see `read_file`."""
    return read_file(path).entries


def read_file(path: str | os.PathLike[str]) -> BibFile:
    """An existing .bib file (empty if it does not exist).

    Raises InputError naming `file:line` for a block that does not parse, a duplicate key or a
    repeated field, and naming the file when it is a folder, unreadable or not UTF-8.
    """
    name = os.fspath(path)
    target = Path(name)
    if target.is_dir():
        raise InputError(f"{name}: is a folder, not a .bib file")
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        return BibFile([], [])
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: not UTF-8 text; save the file as UTF-8") from error
    # A file mostly in CRLF is read as LF (its verbatim blocks too) and written back in CRLF.
    newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    try:
        parsed = parse_file_text(text.replace("\r\n", "\n"), source=name)
        return BibFile(parsed.entries, parsed.macros, newline)
    except InputError as error:  # a file a person edits: say what to do about it
        raise InputError(f"{error}; fix the entry at that line and run again") from None


def parse_string(text: str, *, source: str = "<bibtex>") -> list[BibEntry]:
    """The entries of BibTeX text (e.g. a service's answer); errors as in `read_entries`."""
    return parse_file_text(text, source=source).entries


def parse_file_text(text: str, *, source: str = "<bibtex>") -> BibFile:
    """Entries and macro blocks of BibTeX text, in file order."""
    try:
        library = parse_bibtex(text, parse_stack=[_KeepWritten(True), *default_parse_stack(True)])
    except ParsingException as error:
        raise InputError(f"{source}: cannot parse BibTeX: {error}") from error
    failed = library.failed_blocks
    if failed:
        raise InputError(_failure(source, failed[0], len(failed)))
    entries: list[BibEntry] = []
    macros: list[str] = []
    placeholder_next = ""  # the mark of the placeholder that follows, if one does
    for block in library.blocks:
        if isinstance(block, ImplicitComment):
            # One block may hold several comment lines: list2bib's header, a user's notes and the
            # mark of the placeholder that follows. Only the user's lines are kept.
            lines = str(block.comment).splitlines()
            placeholder_next = next((m for m in lines[-1:] if _is_unverified_mark(m)), "")
            # A line each: the parser merges comment lines however blank lines fall, so only
            # lines give the same blocks on every run.
            macros.extend(line for line in lines if line.strip() and not _is_own_comment(line))
        elif isinstance(block, ExplicitComment):
            placeholder_next = ""
            macros.append(block.raw or "")
        elif isinstance(block, String | Preamble):
            macros.append(block.raw or "")
        elif isinstance(block, Entry):
            entries.append(_entry(block, source, placeholder_next))
            placeholder_next = ""
    return BibFile(entries, macros)


OWN_HEADER = "Written by list2bib"


def _is_own_comment(line: str) -> bool:
    """list2bib's header line, or a placeholder's mark (both are written anew)."""
    text = line.strip().lstrip("%").strip()
    return text.startswith(OWN_HEADER) or _is_unverified_mark(line)


def _is_unverified_mark(comment: str) -> bool:
    text = comment.strip().lstrip("%").strip()
    return text.startswith(tuple(UNVERIFIED_MARK + state for state in _UNVERIFIED_STATES))


def _entry(entry: Entry, source: str, mark: str) -> BibEntry:
    line = (entry.start_line or 0) + 1
    if any(unicodedata.category(char) in _INVISIBLE for char in entry.key):
        # bibtexparser takes them into the key; no \cite can name it, no file should carry it
        raise InputError(
            f"{source}:{line}: citation key {entry.key!r} holds an invisible character"
        )
    fields: dict[str, str] = {}
    written = entry.parser_metadata.get(_WRITTEN, {})
    named = set(entry.parser_metadata.get(ResolveStringReferencesMiddleware.metadata_key(), ()))
    for field in entry.fields:
        # One string per field name, not one per entry: a 100k-entry file has a million fields.
        name = sys.intern(field.key.lower())
        if name in fields:
            raise InputError(f"{source}:{line}: entry '{entry.key}' repeats field '{name}'")
        value = str(field.value)
        if field.key in named:  # `@string` name: read as its value, written as the name
            fields[name] = BibValue(value, str(written.get(field.key, value)))
        elif field.enclosing == "no-enclosing":  # a concatenation, a month or unknown name
            fields[name] = BibValue(value, value)
        else:
            fields[name] = value
    raw, kind = entry.raw or "", entry.entry_type.lower()
    return BibEntry(entry.key, kind, fields, line, raw, mark.strip())


def _failure(source: str, block: ParsingFailedBlock, count: int) -> str:
    line = (block.start_line or 0) + 1
    head = _BLOCK_HEAD.match((block.raw or "").lstrip())
    what = f" {head.group()}" if head else ""
    if isinstance(block, DuplicateBlockKeyBlock):
        first = (block.previous_block.start_line or 0) + 1
        reason = f"duplicate key '{block.key}' (first defined at line {first})"
    elif isinstance(block, DuplicateFieldKeyBlock):
        reason = "repeated field " + ", ".join(sorted(block.duplicate_keys))
    elif isinstance(block.error, BlockAbortedException):
        reason = block.error.abort_reason
    else:
        reason = str(block.error) or type(block.error).__name__
    more = f" (and {count - 1} more failed block(s))" if count > 1 else ""
    return " ".join(f"{source}:{line}: cannot parse entry{what}: {reason}{more}".split())
