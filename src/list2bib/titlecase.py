"""What a BibTeX field value may contain: cleaned, LaTeX-safe text, names and months as BibTeX reads
them, and the braces that keep a title's capitals through a style that lower-cases titles.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from list2bib.identifiers import strip_doi_prefix
from list2bib.model import Person

# Control, format (bidi marks, zero-width joiners, soft hyphens), surrogate, private and unassigned
# characters: invisible or meaningless in a bibliography, and pdflatex stops on most of them.
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_WHITESPACE = re.compile(r"\s+")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEX_SPECIAL = re.compile(r"[\\{}$%&#_^]")
_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CHUNK = re.compile(r"\S+")
# Text-mode control words kept as LaTeX (all standard in LaTeX2e). Any other `\word` outside math
# is not LaTeX a reader can count on (`path\to`, a macro from some paper's preamble): its backslash
# is written as a character. Inside math every control word is kept.
TEXT_COMMANDS = frozenset(
    {
        "c", "v", "u", "H", "k", "r", "d", "b", "t", "i", "j", "l", "L", "o", "O", "ss", "SS",
        "ae", "AE", "oe", "OE", "aa", "AA", "emph", "textit", "textbf", "textsc", "texttt",
        "textrm", "textsf", "textsl", "textup", "textnormal", "mbox", "LaTeX", "TeX", "LaTeXe",
        "ldots", "dots", "textendash", "textemdash", "textquoteleft", "textquoteright",
        "textquotedblleft", "textquotedblright", "textbackslash", "textasciitilde",
        "textasciicircum", "textbar", "textless", "textgreater", "textunderscore",
        "textbraceleft", "textbraceright", "textdollar", "textsterling", "texteuro",
        "textdegree", "textregistered", "textcopyright", "texttrademark", "textbullet",
        "textperiodcentered", "dag", "ddag", "S", "P", "slash", "ensuremath", "nobreakspace",
    }
)  # fmt: skip
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_WORDS = {
    **{m: m for m in MONTHS},
    **{str(n): m for n, m in enumerate(MONTHS, start=1)},
    **{f"{n:02d}": m for n, m in enumerate(MONTHS, start=1)},
    "june": "jun", "july": "jul", "sept": "sep",
    **{full: m for full, m in zip(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"), MONTHS, strict=True)},
}  # fmt: skip
_PAGE_RANGE = re.compile(r"^(\w+)\s*[-‐‑‒–—]+\s*(\w+)$")
_AND = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)
_ARGUMENT_COMMANDS = frozenset(
    {
        "c", "v", "u", "H", "k", "r", "d", "b", "t", "emph", "textit", "textbf", "textsc",
        "texttt", "textrm", "textsf", "textsl", "textup", "textnormal", "mbox", "ensuremath",
    }
)  # fmt: skip
_ACCENTS = frozenset("'`^\"~=.")
# Characters a URL may not carry into a verbatim BibTeX field (biblatex `url`/`doi`/`eprint`).
_URL_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '{}\\"<>^`|')


def _is_pictograph(ch: str) -> bool:
    """Emoji and pictographs (no text font has them), plus the selectors and modifiers they use."""
    cp = ord(ch)
    category = unicodedata.category(ch)
    return (
        (cp >= 0x1F000 and category in ("So", "Sk"))
        or (0x2600 <= cp <= 0x27BF and category == "So")
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
        or cp == 0x20E3
    )


def clean_text(value: str) -> str:
    """NFC, whitespace runs as one space, control/format characters and emoji dropped, stripped."""
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value))
    if text.isascii():  # the common case: only ASCII control characters can be left to drop
        return _WHITESPACE.sub(" ", _ASCII_CONTROL.sub("", text)).strip()
    kept = "".join(
        c for c in text if unicodedata.category(c) not in _DROP_CATEGORIES and not _is_pictograph(c)
    )
    return _WHITESPACE.sub(" ", kept).strip()


def url_safe(value: str) -> str:
    """A URL/DOI for a verbatim field: non-ASCII, spaces, braces and backslashes percent-encoded."""
    return quote(clean_text(value), safe=_URL_SAFE)


def math_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each `$...$` span, by pandoc's rule: the opening `$` is followed by a
    non-space, the closing one preceded by a non-space and not followed by a digit (`$5 and $10`
    is money, not math). `\\$` is a dollar sign."""
    dollars: list[int] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "$":
            dollars.append(i)
        i += 1
    spans: list[tuple[int, int]] = []
    j = 0
    while j < len(dollars):
        start = dollars[j]
        j += 1
        if start + 1 >= len(text) or text[start + 1].isspace() or text[start + 1] == "$":
            continue
        for k in range(j, len(dollars)):
            end = dollars[k]
            after = text[end + 1 : end + 2]
            if end > start + 1 and not text[end - 1].isspace() and not after.isdigit():
                spans.append((start, end + 1))
                j = k + 1
                break
    return spans


def tex_safe(value: str) -> str:
    """`value` (already cleaned) made safe inside a braced BibTeX value and in LaTeX.

    `%`, `&`, `#` are escaped everywhere; `_`, `^`, and a `$` that opens no math are escaped
    outside math; a backslash that starts no known command (`TEXT_COMMANDS`, any inside math) or
    escape becomes `\\textbackslash{}`, and `\\\\` a space. Braces are balanced, dropping the
    unmatched ones (separately inside each math span, and for `\\{`/`\\}` pairs), so a value can
    never close its entry early.
    """
    if not _TEX_SPECIAL.search(value):
        return _WHITESPACE.sub(" ", value).strip()
    spans = math_spans(value)
    boundaries = {i for span in spans for i in (span[0], span[1] - 1)}
    group_of = [0] * len(value)
    for number, (start, end) in enumerate(spans, start=1):
        group_of[start:end] = [number] * (end - start)
    tokens: list[tuple[str, str, int]] = []  # (text, kind, math group); kind "" is plain text
    i = 0
    while i < len(value):
        c, group = value[i], group_of[i]
        in_math = group > 0
        if c == "\\":
            word = _CONTROL_WORD.match(value, i)
            nxt = value[i + 1 : i + 2]
            if word and (in_math or _usable_command(word.group()[1:], value[word.end() :])):
                tokens.append((word.group(), "", group))
                i = word.end()
                continue
            if nxt in ("{", "}"):
                tokens.append(("\\" + nxt, "\\" + nxt, group))
            elif nxt == "\\":
                tokens.append((" ", "", group))
            elif _usable_symbol(nxt, value[i + 2 : i + 3]):
                tokens.append(("\\" + nxt, "", group))
            else:
                lone = "\\backslash{}" if in_math else "\\textbackslash{}"
                tokens.append((lone, "", group))
                i += 1
                continue
            i += 2
            continue
        if c in "{}":
            tokens.append((c, c, group))
        elif c == "$":
            tokens.append(("$" if i in boundaries else "\\$", "", group))
        elif c in "%&#" or (c == "_" and not in_math):
            tokens.append(("\\" + c, "", group))
        elif c == "^" and not in_math:
            tokens.append(("\\textasciicircum{}", "", group))
        else:
            tokens.append((c, "", group))
        i += 1
    keep = [True] * len(tokens)
    for opener, closer in (("{", "}"), ("\\{", "\\}")):
        stacks: dict[int, list[int]] = {}
        for index, (_, kind, group) in enumerate(tokens):
            if kind == opener:
                stacks.setdefault(group, []).append(index)
            elif kind == closer:
                if stacks.get(group):
                    stacks[group].pop()
                else:
                    keep[index] = False
        for unmatched in stacks.values():
            for index in unmatched:
                keep[index] = False
    text = "".join(text for (text, _, _), kept in zip(tokens, keep, strict=True) if kept)
    return _WHITESPACE.sub(" ", text).strip()


def _usable_command(name: str, rest: str) -> bool:
    """A known text command, with its argument if it takes one (`\\emph` at the end would fail)."""
    if name not in TEXT_COMMANDS:
        return False
    return name not in _ARGUMENT_COMMANDS or rest.lstrip()[:1] not in ("", "}")


def _usable_symbol(symbol: str, after: str) -> bool:
    """`\\%`, `\\&`, `\\,` ...; an accent (`\\"`) only when something follows it to sit on."""
    if not symbol or not symbol.isascii() or symbol.isalnum() or symbol.isspace():
        return False
    return symbol not in _ACCENTS or not (after == "" or after == "}" or after.isspace())


def _word_kind(word: str) -> str:
    """'acronym' (GPT, LoRA, iPhone, T5, 3D), 'capital' (Mamba), 'lower' (study), 'other' (16)."""
    uppers = [i for i, c in enumerate(word) if c.isupper()]
    if not uppers:
        return "lower" if word[0].islower() else "other"  # caseless scripts (王) count as neither
    if len(uppers) >= 2 or uppers[0] != 0 or any(c.isdigit() for c in word):
        return "acronym"
    return "capital"


def _brace_acronym(word: str) -> str:
    """`{GPT}`, `{LoRA}`, but only the capitals run of a plural or possessive: `{LLM}s`,
    `{CLIP}'s`."""
    for mark in ("'", "’"):
        head, found, tail = word.partition(mark)
        if found and tail.isalpha() and tail.islower():
            return _brace_acronym(head) + found + tail
    stem = word[:-1]
    if word.endswith("s") and len(stem) >= 2 and all(c.isupper() or c.isdigit() for c in stem):
        return "{" + stem + "}s"
    return "{" + word + "}"


def protect_title(title: str) -> str:
    """Braces around the words whose capitals must survive a style that lower-cases titles.

    Acronyms and mixed-case words (`{GPT}-2`, `{LLM}s`, `{LoRA}`, `{iPhone}`) always; math with a
    capital (`{$O(N)$}`) and control words with a capital (`{\\LaTeX}`) always. In a sentence-case
    title (most words lower-case) every other capitalised word except the first and the one right
    after a colon is a proper name (`... in {Mamba}`); in a Title Case title those cannot be told
    apart, so they are left alone. A title with braces (already protected by its source) or with no
    lower-case letter at all is returned unchanged.
    """
    if "{" in title or "}" in title or not any(c.islower() for c in title):
        return title
    # (start, end, text, kind, first, after_colon) for every word, math span and command chunk.
    items: list[tuple[int, int, str, str, bool, bool]] = []
    previous_end = -1

    def add(start: int, end: int, kind: str) -> None:
        nonlocal previous_end
        gap = title[previous_end:start] if previous_end >= 0 else ""
        items.append((start, end, title[start:end], kind, previous_end < 0, ":" in gap))
        previous_end = end

    position = 0
    for start, end in [*math_spans(title), (len(title), len(title))]:
        for chunk in _CHUNK.finditer(title, position, start):
            if "\\" in chunk.group():
                add(chunk.start(), chunk.end(), "command")
                continue
            for word in _WORD.finditer(chunk.group()):
                offset = chunk.start()
                add(offset + word.start(), offset + word.end(), _word_kind(word.group()))
        if start < end:
            add(start, end, "math")
        position = end
    eligible = [kind for _, _, _, kind, first, colon in items if not first and not colon]
    sentence_case = eligible.count("lower") > eligible.count("capital")
    out: list[str] = []
    position = 0
    for start, end, text, kind, first, colon in items:
        if kind == "acronym":
            replacement = _brace_acronym(text)
        elif _keeps_capitals(text, kind, sentence_case and not first and not colon):
            replacement = "{" + text + "}"
        else:
            continue
        out.append(title[position:start])
        out.append(replacement)
        position = end
    out.append(title[position:])
    return "".join(out)


def _keeps_capitals(text: str, kind: str, proper_name_position: bool) -> bool:
    if kind == "capital":
        return proper_name_position
    if kind == "math":
        return any(c.isupper() for c in text)
    if kind == "command":
        return any(c.isupper() for m in _CONTROL_WORD.finditer(text) for c in m.group())
    return False


def field_value(name: str, value: str) -> str:
    """`value` as BibTeX field `name` (lower-case) may hold it: verbatim fields percent-encoded,
    `month` as its macro name when it is a month, `pages` with `--`, everything else `tex_safe`."""
    if name in VERBATIM_FIELDS:
        for char in "_%&#":  # BibTeX sources (DBLP) escape these even in verbatim fields
            value = value.replace("\\" + char, char)
        if name == "doi":
            value = strip_doi_prefix(value)
        return url_safe(value)
    text = clean_text(value)
    if name == "month":
        return month_macro(text) or tex_safe(text)
    if name == "pages":
        text = _PAGE_RANGE.sub(r"\1--\2", text)
    return tex_safe(text)


def month_macro(value: str) -> str:
    """`sep` for `9`, `09`, `Sep.`, `September`; '' when `value` is no month."""
    return _MONTH_WORDS.get(clean_text(value).lower().rstrip("."), "")


def name_value(person: Person) -> str:
    """One name of an `author` field: `Family, Given`; organisations and one-part names with spaces
    braced (`{OpenAI}`, `{Johnson and Johnson}`) so BibTeX never splits them."""
    family, given = tex_safe(clean_text(person.family)), tex_safe(clean_text(person.given))
    if not family:
        family, given = given, ""
    if not family:
        return ""
    if person.literal or (not given and " " in family):
        return "{" + family + "}"
    return ", ".join([_guarded(family)] + ([_guarded(given)] if given else []))


def _guarded(part: str) -> str:
    """A name part with a top-level comma or a lone word `and` is braced: BibTeX keeps it whole."""
    depth, comma = 0, False
    for char in part:
        depth += {"{": 1, "}": -1}.get(char, 0)
        comma = comma or (char == "," and depth == 0)
    return "{" + part + "}" if comma or _AND.search(part) else part
