"""Read a .bib (failed blocks surfaced as errors), render references as BibTeX, write it atomically.
The only module that imports bibtexparser.

Conventions of the written file:

* Entries sorted by key (case-insensitive, then exact); `@type{key,`, one `name = {value},` per
  line indented two spaces, values not aligned, a trailing comma after every field, one blank line
  between entries, one newline at the end. Same references in, byte-identical text out.
* arXiv-only works are `@misc` as arxiv.org exports them (`eprint`, `archivePrefix = {arXiv}`,
  `primaryClass`, `url`) plus `doi = {10.48550/arXiv.<id>}` and
  `howpublished = {arXiv preprint arXiv:<id>}`: without that last field `plain`-like styles print no
  trace of arXiv (they ignore eprint, doi and url), and it is the wording Google Scholar and most
  ML bibliographies use. The price is that biblatex, which prints eprint itself, names the id
  twice. Published works with an arXiv id keep `eprint`/`archivePrefix`/`primaryClass` only.
* `month` is the bare BibTeX macro (`month = sep`), which bibtex, biber and bibtexparser all read.
* Every value is cleaned and made LaTeX-safe (see `titlecase`); `url`, `doi` and `eprint` are
  verbatim fields, so they are percent-encoded instead of escaped.
* Web pages and unverified entries are `@misc` with `url` and `howpublished = {<host>}`; an entry
  that is not RESOLVED is preceded by a `% list2bib: ...` comment line (never an `@` in it). An
  entry without author gets `key = {<title>}`: bibtex styles sort by author, else by `key`, and warn
  when both are missing.
* `ascii=True` turns non-ASCII characters into LaTeX escapes (`{\\"o}`, `{\\L}`) with bibtexparser's
  LatexEncodingMiddleware (pylatexenc); a character LaTeX has no name for is written as `U+XXXX`.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import logging
import os
import re
import secrets
import stat
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bibtexparser.entrypoint import parse_string as parse_bibtex
from bibtexparser.entrypoint import write_string
from bibtexparser.exceptions import BlockAbortedException, ParsingException
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    AddEnclosingMiddleware,
    LatexEncodingMiddleware,
    MonthAbbreviationMiddleware,
)
from bibtexparser.middlewares.middleware import Middleware
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ExplicitComment,
    Field,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)
from bibtexparser.writer import BibtexFormat
from pylatexenc.latexencode import UnicodeToLatexEncoder  # type: ignore[import-untyped]

from list2bib.bibtex.latex import (
    MONTHS,
    clean_text,
    field_value,
    name_value,
    protect_commands,
    protect_title,
    tex_safe,
)
from list2bib.errors import InputError, OutputError
from list2bib.model import Reference, Status, WorkKind
from list2bib.text.identifiers import url_host

# bibtexparser logs each failed block; we raise one InputError instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

FIELD_ORDER = (
    "author", "title", "booktitle", "journal", "volume", "number", "pages", "year", "month",
    "publisher", "address", "howpublished", "organization", "school", "institution", "note", "doi",
    "eprint", "archiveprefix", "primaryclass", "url", "urldate", "keywords", "ids",
)  # fmt: skip
WRITTEN_NAME = {"archiveprefix": "archivePrefix", "primaryclass": "primaryClass"}
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_:+.-]*")
_ENTRY_TYPE = re.compile(r"[a-z]+")
_BAD_KEY = re.compile(r"[\s\\\"#%'(),={}]")  # biber's list, and what breaks \cite
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
_BLOCK_HEAD = re.compile(r"@\s*\w+\s*[{(]\s*[^,\s]*")


# The comment `render` puts above an entry it could not verify; such entries are placeholders.
UNVERIFIED_MARK = "list2bib: "
_UNVERIFIED_STATES = ("unresolved", "ambiguous")


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One entry of a .bib file: field names lower-case, values as written minus outer braces.

    `raw` is the entry's text exactly as in the file (to keep it verbatim); `unverified` marks a
    placeholder list2bib wrote for an entry it could not resolve.
    """

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int
    raw: str = ""
    unverified: bool = False


@dataclass(frozen=True, slots=True)
class BibFile:
    """A parsed .bib: its entries, and the blocks to write again verbatim: `@string`/`@preamble`
    (entries may use the macros) and the user's comments (`% ...` lines, `@comment{...}`)."""

    entries: list[BibEntry]
    macros: list[str]


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
    try:
        return parse_file_text(text, source=name)
    except InputError as error:  # a file a person edits: say what to do about it
        raise InputError(f"{error}; fix the entry at that line and run again") from None


def parse_string(text: str, *, source: str = "<bibtex>") -> list[BibEntry]:
    """The entries of BibTeX text (e.g. a service's answer); errors as in `read_entries`."""
    return parse_file_text(text, source=source).entries


def parse_file_text(text: str, *, source: str = "<bibtex>") -> BibFile:
    """Entries and macro blocks of BibTeX text, in file order."""
    try:
        library = parse_bibtex(text)
    except ParsingException as error:
        raise InputError(f"{source}: cannot parse BibTeX: {error}") from error
    failed = library.failed_blocks
    if failed:
        raise InputError(_failure(source, failed[0], len(failed)))
    entries: list[BibEntry] = []
    macros: list[str] = []
    placeholder_next = False
    for block in library.blocks:
        if isinstance(block, ImplicitComment):
            # One block may hold several comment lines: list2bib's header, a user's notes and the
            # mark of the placeholder that follows. Only the user's lines are kept.
            lines = str(block.comment).splitlines()
            placeholder_next = any(_is_unverified_mark(line) for line in lines[-1:])
            # A line each: the parser merges comment lines however blank lines fall, so only
            # lines give the same blocks on every run.
            macros.extend(line for line in lines if line.strip() and not _is_own_comment(line))
        elif isinstance(block, ExplicitComment):
            placeholder_next = False
            macros.append(block.raw or "")
        elif isinstance(block, String | Preamble):
            macros.append(block.raw or "")
        elif isinstance(block, Entry):
            entries.append(_entry(block, source, placeholder_next))
            placeholder_next = False
    return BibFile(entries, macros)


OWN_HEADER = "Written by list2bib"


def _is_own_comment(line: str) -> bool:
    """list2bib's header line, or a placeholder's mark (both are written anew)."""
    text = line.strip().lstrip("%").strip()
    return text.startswith(OWN_HEADER) or _is_unverified_mark(line)


def _is_unverified_mark(comment: str) -> bool:
    text = comment.strip().lstrip("%").strip()
    return text.startswith(tuple(UNVERIFIED_MARK + state for state in _UNVERIFIED_STATES))


def _entry(entry: Entry, source: str, unverified: bool) -> BibEntry:
    line = (entry.start_line or 0) + 1
    if any(unicodedata.category(char) in _INVISIBLE for char in entry.key):
        # bibtexparser takes them into the key; no \cite can name it, no file should carry it
        raise InputError(
            f"{source}:{line}: citation key {entry.key!r} holds an invisible character"
        )
    fields: dict[str, str] = {}
    for field in entry.fields:
        name = field.key.lower()
        if name in fields:
            raise InputError(f"{source}:{line}: entry '{entry.key}' repeats field '{name}'")
        fields[name] = str(field.value)
    return BibEntry(entry.key, entry.entry_type.lower(), fields, line, entry.raw or "", unverified)


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


def entry_type(ref: Reference) -> str:
    """The BibTeX type written: `misc` for preprints, web pages and anything not RESOLVED; an
    entry of the user's own .bib keeps the type the user gave it."""
    kind = ref.record.kind
    own = ref.record.entry_type.strip().lower()
    if ref.record.source == "bib" and _ENTRY_TYPE.fullmatch(own):
        return own
    if ref.status is not Status.RESOLVED or kind is not WorkKind.PUBLISHED:
        return "misc"
    name = ref.record.entry_type.strip().lower()
    if not _ENTRY_TYPE.fullmatch(name) or not _complete(ref, name):
        return "misc"
    return name


# Fields the standard styles require (bibtex warns, biber complains) beyond author/title/year.
REQUIRED_FIELDS = {
    "article": ("journal",),
    "inproceedings": ("booktitle",),
    "incollection": ("booktitle", "publisher"),
    "book": ("publisher",),
}


def _complete(ref: Reference, entry_type: str) -> bool:
    """An incomplete published record is written as @misc rather than as a broken @article."""
    record = ref.record
    if not (record.authors and record.title and record.year):
        return False
    return all(record.venue.get(name, "").strip() for name in REQUIRED_FIELDS.get(entry_type, ()))


# Per citation key, fields to set on top of the computed ones (a hand edit, `ids`); None removes.
Overrides = Mapping[str, Mapping[str, str | None]]


def reference_fields(
    ref: Reference, overrides: Mapping[str, str | None] | None = None
) -> list[tuple[str, str]]:
    """The fields to write for one reference, in the fixed order, values already brace-safe.
    `overrides` (field values as read from a .bib, None to drop a field) win."""
    record = ref.record
    fields: dict[str, str] = {}
    for raw_name, raw_value in record.venue.items():
        name = raw_name.strip().lower()
        if _FIELD_NAME.fullmatch(name) and (value := field_value(name, raw_value)):
            fields[name] = value
    authors = [name for name in map(name_value, record.authors) if name]
    computed: dict[str, str | None] = {
        "author": " and ".join(authors) or None,
        "title": protect_commands(tex_safe(protect_title(clean_text(record.title)))) or None,
        "year": field_value("year", record.year) if record.year else None,
        "month": MONTHS[record.month - 1] if record.month and 1 <= record.month <= 12 else None,
        "doi": field_value("doi", record.doi) if record.doi else None,
        "url": field_value("url", record.url) if record.url else None,
        # biber splits keywords at every comma, the one of a `\,` thin space too
        "keywords": tex_safe(clean_text(", ".join(ref.topics))).replace("\\,", " ") or None,
    }
    fields.update({name: value for name, value in computed.items() if value})
    arxiv_id = clean_text(record.arxiv_id or "")
    if arxiv_id:
        fields["eprint"] = field_value("eprint", arxiv_id)
        fields["archiveprefix"] = "arXiv"
        if record.primary_class and (primary := tex_safe(clean_text(record.primary_class))):
            fields["primaryclass"] = primary
        if record.kind is not WorkKind.PUBLISHED:
            fields.setdefault("doi", field_value("doi", f"10.48550/arXiv.{arxiv_id}"))
            fields.setdefault("url", field_value("url", f"https://arxiv.org/abs/{arxiv_id}"))
            fields.setdefault("howpublished", tex_safe(f"arXiv preprint arXiv:{arxiv_id}"))
    if entry_type(ref) == "misc" and "url" in fields and "howpublished" not in fields:
        host = url_host(fields["url"]).removeprefix("www.")
        if host:
            fields["howpublished"] = tex_safe(host)
    if "author" not in fields:  # bibtex styles sort by author, else by `key`, and warn if neither
        fields.setdefault("key", fields.get("title") or fields.get("howpublished") or ref.key)
    for name, override in (overrides or {}).items():
        if override is None:
            fields.pop(name, None)
        elif _FIELD_NAME.fullmatch(name):
            fields[name] = override
    order = [n for n in FIELD_ORDER if n in fields]
    order += sorted(n for n in fields if n not in FIELD_ORDER)
    return [(WRITTEN_NAME.get(name, name), fields[name]) for name in order]


def _format() -> BibtexFormat:
    layout = BibtexFormat()  # type: ignore[no-untyped-call]
    layout.indent = "  "
    layout.value_column = 0
    layout.trailing_comma = True
    layout.block_separator = "\n"
    return layout


def _unparse_stack(ascii: bool) -> list[Middleware]:
    stack: list[Middleware] = [MonthAbbreviationMiddleware(allow_inplace_modification=True)]
    if ascii:
        encoder = UnicodeToLatexEncoder(
            non_ascii_only=True,  # values are LaTeX already; only the non-ASCII characters change
            replacement_latex_protection="braces-all",  # `{\"o}`: one "special character" to BibTeX
            unknown_char_policy="unihex",
            unknown_char_warning=False,
        )
        stack.append(LatexEncodingMiddleware(encoder=encoder, allow_inplace_modification=True))
    stack.append(
        AddEnclosingMiddleware(
            reuse_previous_enclosing=False,
            enclose_integers=True,
            default_enclosing="{",
            allow_inplace_modification=True,
        )
    )
    return stack


def _comment(text: str, ascii: bool) -> str:
    """One `%` comment line; without `@`, which would start an entry for BibTeX."""
    line = clean_text(text).replace("@", "(at)")
    if ascii:
        line = unicodedata.normalize("NFKD", line).encode("ascii", "ignore").decode("ascii")
    return f"% {line}".rstrip()


def render(
    refs: Sequence[Reference],
    *,
    ascii: bool = False,
    header: str | None = None,
    kept: Sequence[BibEntry] = (),
    macros: Sequence[str] = (),
    overrides: Overrides | None = None,
) -> str:
    """The whole .bib text: the header as comments, `macros` (`@string`/`@preamble` blocks and
    comments of the user's file) verbatim, then every reference and every `kept` entry (verbatim)
    sorted by key.
    `overrides` maps a key to fields that replace the computed ones (see `reference_fields`)."""
    blocks = [(ref.key, ref) for ref in refs] + [(entry.key, entry) for entry in kept]
    blocks.sort(key=lambda block: (block[0].casefold(), block[0]))
    for (previous, _), (key, _) in itertools.pairwise(blocks):
        if previous == key:
            raise OutputError(f"two references share the citation key '{key}'")
    layout, stack = _format(), _unparse_stack(ascii)
    parts: list[str] = []
    if header:
        parts.append("".join(_comment(line, ascii) + "\n" for line in header.splitlines()))
    parts.extend(macro.strip() + "\n" for macro in macros)
    for key, block in blocks:
        if isinstance(block, BibEntry):
            parts.append(block.raw.strip() + "\n")
            continue
        if not writable_key(key):
            raise OutputError(
                f"cannot write citation key {key!r}: a space or one of \\\"#%'(),={{}}"
            )
        extra = (overrides or {}).get(key)
        parts.append(_render_reference(block, stack, layout, ascii, extra))
    return "\n".join(parts)


def writable_key(key: str) -> bool:
    """Whether `key` can be written as a citation key: not empty, no space, none of biber's
    forbidden characters (`\\"#%'(),={}`)."""
    return bool(key) and not _BAD_KEY.search(key)


def written_fields(
    refs: Sequence[Reference], *, ascii: bool = False, overrides: Overrides | None = None
) -> dict[str, dict[str, str]]:
    """key -> fields of each reference exactly as reading the written file gives them back (the
    form a later run compares a user's file against)."""
    if not refs:
        return {}
    layout, stack = _format(), _unparse_stack(ascii)
    text = "\n".join(
        _render_reference(ref, stack, layout, ascii, (overrides or {}).get(ref.key)) for ref in refs
    )
    return {entry.key: entry.fields for entry in parse_file_text(text).entries}


def _render_reference(
    ref: Reference,
    stack: list[Middleware],
    layout: BibtexFormat,
    ascii: bool,
    overrides: Mapping[str, str | None] | None = None,
) -> str:
    fields = reference_fields(ref, overrides)
    entry = Entry(entry_type(ref), ref.key, [Field(n, v) for n, v in fields])
    text: str = write_string(Library([entry]), unparse_stack=stack, bibtex_format=layout)
    if ref.status is not Status.RESOLVED:
        where = ", ".join(dict.fromkeys(e.where for e in ref.entries)) or "the lists"
        note = f"{UNVERIFIED_MARK}{ref.status.value} - built from {where}, not verified"
        text = _comment(note, ascii) + "\n" + text
    return text


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Replace `path` with `text` (UTF-8) all at once: a crash leaves the old file or the new one.

    Temp file in the same folder, fsync, `os.replace`, fsync of the folder. The file's permissions
    are kept; a symlink is followed, not replaced. Raises OutputError naming the path.
    """
    name = os.fspath(path)
    target = Path(os.path.realpath(name))
    temp: Path | None = None
    try:
        data = text.encode("utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        while temp is None:
            candidate = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            temp = candidate
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
        temp = None
        _fsync_folder(target.parent)
        _sweep_leftovers(target)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise OutputError(f"{name}: cannot write ({reason}); the old file is unchanged") from error
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()


# A temp file older than this is a write that was killed half-way, not one in progress.
LEFTOVER_SECONDS = 3600.0


def _sweep_leftovers(target: Path) -> None:
    """Remove the temp files of earlier writes of `target` that were killed half-way (each can be
    a whole copy of the bib); they are never read, only left behind."""
    cutoff = time.time() - LEFTOVER_SECONDS
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        token = stale.name[len(target.name) + 2 : -len(".tmp")]
        with contextlib.suppress(OSError):
            if re.fullmatch(r"[0-9a-f]{8}", token) and stale.stat().st_mtime < cutoff:
                stale.unlink()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the rename itself is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
