"""What a BibTeX field value may hold: verbatim fields percent-encoded, `year` in ASCII, pages
with `--`, months as the `jan`..`dec` macros, and names as BibTeX and biber split them (for 8-bit
BibTeX, see `letters`)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from list2bib.bibtex.latex import ACCENT_COMMANDS, ACCENTS, CONTROL_WORD, tex_safe
from list2bib.bibtex.letters import plain_letters, without_relax
from list2bib.model import Person
from list2bib.text.clean import clean_text
from list2bib.text.dates import month_abbreviation, month_number
from list2bib.text.identifiers import strip_doi_prefix

_WHITESPACE = re.compile(r"\s+")
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint"})
NAME_FIELDS = frozenset({"author", "editor"})
_NOT_YEAR = re.compile(r"[^A-Za-z0-9 ./?,-]")
_PAGE_RANGE = re.compile(r"^(\w+)\s*[-‐‑‒–—]+\s*(\w+)$")
_SAME_RANGE = re.compile(r"^(\w+)\s*[-‐‑‒–—]+\s*\1$")
_AND = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)
# Characters a URL may not carry into a verbatim BibTeX field (biblatex `url`/`doi`/`eprint`).
_URL_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '{}\\"<>^`|')


def url_safe(value: str) -> str:
    """A URL/DOI for a verbatim field: non-ASCII, spaces, braces and backslashes percent-encoded."""
    return quote(clean_text(value), safe=_URL_SAFE)


def field_value(name: str, value: str) -> str:
    """`value` as BibTeX field `name` (lower-case) may hold it: verbatim fields percent-encoded,
    `month` as its macro name when it is a month, `year` in ASCII, `pages` with `--`, everything
    else `tex_safe`."""
    if name in VERBATIM_FIELDS:
        for char in "_%&#":  # BibTeX sources (DBLP) escape these even in verbatim fields
            value = value.replace("\\" + char, char)
        if name == "doi":
            value = strip_doi_prefix(value)
        return url_safe(value)
    # What list2bib wrote for 8-bit BibTeX (`{\\relax Ж}`) is read back as the letters it holds.
    text = clean_text(plain_letters(value) if name in NAME_FIELDS else without_relax(value))
    if name == "year":
        # A number or a word (`2020a`, `n.d.`, `in press`): biblatex loops forever on a year with
        # a non-ASCII character or an accent (`\"o`). Full-width digits are folded, the rest goes.
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return " ".join(_NOT_YEAR.sub("", text).split())
    if name == "month":
        return month_macro(text) or tex_safe(text)
    if name == "pages":
        text = _PAGE_RANGE.sub(r"\1--\2", text)
    if name == "volume":  # Crossref's `38-38`: biblatex wants a number
        text = _SAME_RANGE.sub(r"\1", text)
    return tex_safe(text)


def month_macro(value: str) -> str:
    """`sep` for `9`, `09`, `Sep.`, `September`; '' when `value` is no month."""
    return month_abbreviation(month_number(clean_text(value))) or ""


def name_value(person: Person) -> str:
    """One name of an `author` field: `Family, Given`; organisations and one-part names with spaces
    or commas braced (`{OpenAI}`, `{Johnson and Johnson}`) so BibTeX never splits them.

    Biber counts every comma of a name not braced whole and skips the entry past two or at two in
    a row; such a name's parts have their commas made spaces."""
    family, given = (_name_part(part) for part in (person.family, person.given))
    if not person.literal and family and given:
        name = f"{_guarded(family)}, {_guarded(given)}"
        if name.count(",") <= 2 and ",," not in name:
            return name
        family, given = _without_commas(family), _without_commas(given)
        if family and given:
            return f"{_guarded(family)}, {_guarded(given)}"
    single = family or given
    if not single:
        return ""
    if person.literal or " " in single or "," in single:
        return "{" + single + "}"
    return _guarded(single)


def _without_commas(part: str) -> str:
    text = " ".join(part.replace(",", " ").split())
    return text if any(c.isalnum() for c in CONTROL_WORD.sub("", text)) else ""


_EMPTY_GROUP = re.compile(r"(\\[A-Za-z]+)?\{\}")
_BACKTICK = re.compile(r"(?<!\\)`")
_EQUALS = re.compile(r"(?<!\\)=")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
# A group holding only a symbol (`{\textasciitilde{}}`, `{\{}`): biber takes the symbol for the
# word's initial and writes a broken .bbl; unbraced it is read as punctuation.
_SYMBOL_GROUP = re.compile(r"\{(\\(?:text[a-z]+\{\}|[{}$%&#_]))\}")


def _name_part(raw: str) -> str:
    """A name part, LaTeX-safe (no math), in a form biber reads without writing a broken .bbl.

    Biber makes initials of name words and stumbles on several shapes, so: `-` for a dash (biber
    splits words at it, inside `{\\textendash}` too), no backslash (it reads
    `\\textbackslash{}\\textasciicircum{}` back as the accent `\\^`), `'` for a backtick (taken for
    an accent), `{=}` for `=` (`given=x` is its extended name format), no empty group (`{}x`)
    except after a command (`\\L{}ukasz`), no group around a lone symbol (`{\\textasciitilde{}}`),
    no symbol starting a word or following a hyphen (`‘x`, `a-…`, which `--ascii` writes as
    commands). Empty when no letter or digit is left (`--`, `'`): BibTeX reads `Family, --` as a
    name with a comma at its end.
    """
    part = tex_safe(clean_text(without_relax(raw)).translate(_DASHES), math=False)
    part = part.replace("\\textbackslash{}", " ")
    part = _EQUALS.sub("{=}", _BACKTICK.sub("'", part))
    previous = ""
    while part != previous:  # `{{}}` is empty too once its inner group is gone
        previous = part
        part = _EMPTY_GROUP.sub(lambda m: m.group() if m.group(1) else "", part)
        part = _SYMBOL_GROUP.sub(r"\1", part)
    part = _trim_word_starts(part)
    part = _WHITESPACE.sub(" ", part).strip()
    return part if any(c.isalnum() for c in CONTROL_WORD.sub("", part)) else ""


_LETTER_COMMANDS = ACCENT_COMMANDS | {
    "i", "j", "l", "L", "o", "O", "ss", "SS", "ae", "AE", "oe", "OE", "aa", "AA",
}  # fmt: skip
_NAME_TOKEN = re.compile(r"\\[A-Za-z]+(?:\{\})?|\\.|[^{}]")


def _trim_word_starts(part: str) -> str:
    """`part` with whatever starts a word (at the start, after a space or a hyphen, outside
    braces) and is not a letter, digit, apostrophe, accent or letter command removed: symbols,
    symbol commands and groups that start with one (`\\$x`, `{\\textquoteleft}x`, `a-–`)."""
    out: list[str] = []
    depth, i, at_start = 0, 0, True
    while i < len(part):
        char = part[i]
        if depth == 0 and at_start and char not in " -" and not _starts_letter(part, i):
            if char == "{":
                i = _group_end(part, i)
            else:
                token = _NAME_TOKEN.match(part, i)
                i = token.end() if token else i + 1
            continue
        out.append(char)
        depth += (char == "{") - (char == "}")
        at_start = depth == 0 and char in " -"
        i += 1
    return "".join(out)


def _starts_letter(text: str, i: int) -> bool:
    char = text[i : i + 1]
    if char == "{":
        return _starts_letter(text, i + 1)
    if char == "\\":
        word = CONTROL_WORD.match(text, i)
        if word:
            return word.group()[1:] in _LETTER_COMMANDS
        return text[i + 1 : i + 2] in ("{", "}", *ACCENTS)  # `\{` keeps its partner
    return char.isalnum() or char in ("'", "’")


def _group_end(text: str, start: int) -> int:
    """The index after the brace that closes the group opening at `start` (every brace counts)."""
    depth = 0
    for k in range(start, len(text)):
        depth += (text[k] == "{") - (text[k] == "}")
        if depth == 0:
            return k + 1
    return len(text)


def _guarded(part: str) -> str:
    """A name part with a top-level comma or a lone word `and` is braced: BibTeX keeps it whole."""
    depth, comma = 0, False
    for char in part:
        depth += {"{": 1, "}": -1}.get(char, 0)
        comma = comma or (char == "," and depth == 0)
    return "{" + part + "}" if comma or _AND.search(part) else part
