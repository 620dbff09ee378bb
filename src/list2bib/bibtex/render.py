"""Render references as BibTeX text (the file is read back by `parse`). With `parse`, the only
modules that import bibtexparser.

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
* Every value is cleaned and made LaTeX-safe (see `latex` and `values`); `url`, `doi` and
  `eprint` are verbatim fields, so they are percent-encoded instead of escaped.
* Web pages and unverified entries are `@misc` with `url` and `howpublished = {<host>}`; an entry
  that is not RESOLVED is preceded by a `% list2bib: ...` comment line (never an `@` in it). An
  entry without author gets `key = {<organization>}` (else its citation key): bibtex styles
  sort and label by author, else by `key`. An undated work has `year = {n.d.}` (natbib styles
  warn on an empty year); `@article` has no `publisher` (biblatex's datamodel has none there).
* `ascii=True` turns non-ASCII characters into LaTeX escapes (`{\\"o}`, `{\\L}`) with bibtexparser's
  LatexEncodingMiddleware (pylatexenc); a character LaTeX has no name for is written as `U+XXXX`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    AddEnclosingMiddleware,
    LatexEncodingMiddleware,
    MonthAbbreviationMiddleware,
)
from bibtexparser.middlewares.middleware import Middleware
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat
from pylatexenc.latexencode import UnicodeToLatexEncoder  # type: ignore[import-untyped]

from list2bib.bibtex.biblatex import biblatex_entry
from list2bib.bibtex.capitals import protect_commands, protect_title
from list2bib.bibtex.latex import tex_safe
from list2bib.bibtex.letters import braced_initials, special_key
from list2bib.bibtex.parse import UNVERIFIED_MARK, BibEntry, BibValue, parse_file_text
from list2bib.bibtex.values import NAME_FIELDS, field_value, name_value
from list2bib.errors import OutputError
from list2bib.model import Reference, Status, WorkKind
from list2bib.text.clean import clean_text
from list2bib.text.dates import month_abbreviation
from list2bib.text.identifiers import arxiv_doi, url_host

FIELD_ORDER = (
    "author", "title", "booktitle", "journal", "editor", "series", "volume", "number", "pages",
    "year", "month", "publisher", "address", "howpublished", "organization", "school",
    "institution", "note", "doi", "eprint", "archiveprefix", "primaryclass", "url", "urldate",
    "keywords", "ids",
)  # fmt: skip
WRITTEN_NAME = {"archiveprefix": "archivePrefix", "primaryclass": "primaryClass"}
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_:+.-]*")
_ENTRY_TYPE = re.compile(r"[a-z]+")
_BAD_KEY = re.compile(r"[\s\\\"#%'(),={}]")  # biber's list, and what breaks \cite


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


UNDATED = "n.d."


def sort_key(fields: Mapping[str, str], citation_key: str) -> str:
    """The `key` of a work without author: the body that wrote it (`organization`,
    `institution`), else its citation key. Never the title: alpha takes the first three letters
    of `key` for its label (`[les]`, not `[A c]` or `[{LLM}]`); not the host either, which
    dozens of works share past alpha's 26 label suffixes."""
    for name in ("organization", "institution"):
        if value := fields.get(name, ""):
            return value
    return citation_key


# Per citation key, fields to set on top of the computed ones (a hand edit, `ids`); None removes.
Overrides = Mapping[str, Mapping[str, str | None]]


def reference_fields(
    ref: Reference,
    overrides: Mapping[str, str | None] | None = None,
    *,
    biblatex: bool = False,
    ascii: bool = False,
) -> list[tuple[str, str]]:
    """The fields to write for one reference, in the fixed order, values already brace-safe.
    `overrides` (field values as read from a .bib, None to drop a field) win. For 8-bit BibTeX
    (not `biblatex`, which biber reads as Unicode, nor `ascii`, LaTeX throughout) the non-ASCII
    letters it abbreviates or labels are special characters (`letters`)."""
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
        "month": month_abbreviation(record.month),
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
            if ref.status is Status.RESOLVED:  # a pattern's DOI only for an id a service confirmed
                fields.setdefault("doi", field_value("doi", arxiv_doi(arxiv_id)))
            fields.setdefault("url", field_value("url", f"https://arxiv.org/abs/{arxiv_id}"))
            fields.setdefault("howpublished", tex_safe(f"arXiv preprint arXiv:{arxiv_id}"))
    if entry_type(ref) == "misc" and "url" in fields and "howpublished" not in fields:
        host = url_host(fields["url"]).removeprefix("www.")
        if host:
            fields["howpublished"] = tex_safe(host)
    if "year" not in fields:  # natbib styles warn `empty year`; `n.d.` is how styles say undated
        fields["year"] = UNDATED
    if entry_type(ref) == "article":  # no style prints it, and biblatex's datamodel rejects it
        fields.pop("publisher", None)
    if "author" not in fields:  # styles sort and alpha-label by author, else by `key`
        fields.setdefault("key", sort_key(fields, ref.key))
    if not (biblatex or ascii):  # 8-bit BibTeX would take half a UTF-8 letter for an initial
        for name in NAME_FIELDS:
            if name in fields:
                fields[name] = braced_initials(fields[name])
        if "key" in fields:
            fields["key"] = special_key(fields["key"])
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


def _field(name: str, value: str) -> Field:
    """A field to write; a user's BibTeX expression (`BibValue`) as it was written, unbraced."""
    if not isinstance(value, BibValue):
        return Field(name, value)
    field = Field(name, value.source)
    field.enclosing = "no-enclosing"  # kept by the writer only if it reads back the same
    return field


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
    biblatex: bool = False,
) -> str:
    """The whole .bib text: the header as comments, `macros` (`@string`/`@preamble` blocks and
    comments of the user's file) verbatim, then every reference and every `kept` entry (verbatim)
    sorted by key.
    `overrides` maps a key to fields that replace the computed ones (see `reference_fields`).
    `biblatex`: biblatex's own types and fields (see `biblatex`) instead of BibTeX's."""
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
        if isinstance(block, BibEntry):  # a placeholder kept verbatim stays marked as one
            mark = f"{block.mark}\n" if block.mark else ""
            parts.append(mark + block.raw.strip() + "\n")
            continue
        if not writable_key(key):
            raise OutputError(
                f"cannot write citation key {key!r}: a space or one of \\\"#%'(),={{}}"
            )
        extra = (overrides or {}).get(key)
        parts.append(_render_reference(block, stack, layout, ascii, extra, biblatex))
    return "\n".join(parts)


def writable_key(key: str) -> bool:
    """Whether `key` can be written as a citation key: not empty, no space, none of biber's
    forbidden characters (`\\"#%'(),={}`)."""
    return bool(key) and not _BAD_KEY.search(key)


def written_fields(
    refs: Sequence[Reference],
    *,
    ascii: bool = False,
    overrides: Overrides | None = None,
    biblatex: bool = False,
) -> dict[str, dict[str, str]]:
    """key -> fields of each reference exactly as reading the written file gives them back (the
    form a later run compares a user's file against)."""
    if not refs:
        return {}
    layout, stack = _format(), _unparse_stack(ascii)
    # Read back a slice at a time: the parser's blocks for a whole 100k-entry file take most of a
    # large build's memory. Keys that repeat are read in one go, so the parser refuses them alike.
    unique = len({ref.key for ref in refs}) == len(refs)
    step = _READ_BACK_SLICE if unique else len(refs)
    fields: dict[str, dict[str, str]] = {}
    for start in range(0, len(refs), step):
        text = "\n".join(
            _render_reference(ref, stack, layout, ascii, (overrides or {}).get(ref.key), biblatex)
            for ref in refs[start : start + step]
        )
        fields.update((entry.key, entry.fields) for entry in parse_file_text(text).entries)
    return fields


_READ_BACK_SLICE = 500


def _render_reference(
    ref: Reference,
    stack: list[Middleware],
    layout: BibtexFormat,
    ascii: bool,
    overrides: Mapping[str, str | None] | None = None,
    biblatex: bool = False,
) -> str:
    fields = reference_fields(ref, overrides, biblatex=biblatex, ascii=ascii)
    kind = entry_type(ref)
    if biblatex:
        kind, fields = biblatex_entry(kind, fields, ref.record.kind is WorkKind.WEB)
    entry = Entry(kind, ref.key, [_field(n, v) for n, v in fields])
    text: str = write_string(Library([entry]), unparse_stack=stack, bibtex_format=layout)
    if ref.status is not Status.RESOLVED:
        where = ", ".join(dict.fromkeys(e.where for e in ref.entries)) or "the lists"
        note = f"{UNVERIFIED_MARK}{ref.status.value} - built from {where}, not verified"
        text = _comment(note, ascii) + "\n" + text
    return text
