"""Names and `key` for 8-bit BibTeX: the non-ASCII letters it abbreviates or labels are written as
"special characters" (`{\\L}ukasz`, `{\\relax{}Ж}ukov`), and read back as the letters they are.
"""

from __future__ import annotations

import functools
import itertools
import re

from pylatexenc.latexencode import UnicodeToLatexEncoder  # type: ignore[import-untyped]

from list2bib.bibtex.latex import tex_safe
from list2bib.text.titles import latex_to_text

# 8-bit BibTeX counts bytes: for an initial (`{f.}`) it takes a word's first byte and alpha's label
# (`text.prefix$`, 3 characters of a family name or `key`) may stop inside a letter UTF-8 writes
# in two to four bytes, and pdflatex stops on the .bbl. A group that opens with a backslash at
# brace depth 1 is one "special character" to BibTeX, copied, counted and labelled whole: the
# letter's LaTeX name when LaTeX has one that works in OT1 and T1 (`{\\"O}`, `{\\L}`), else the
# letter behind `\\relax` (`{\\relax{}Ж}`, `{\\relax{}Þ}`: `\\TH` and `\\DJ` exist in T1 only, and
# purify$ drops a command's name but keeps the letters after it, so `Þ` still sorts as `Þ`).
_LETTER_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",  # `{\"O}`, as `--ascii` writes it
    unknown_char_policy="keep",
    unknown_char_warning=False,
)
_RELAX = "{\\relax{}"  # no space: biber makes a name's spaces name delimiters, braced or not
_RELAX_GROUP = re.compile(r"\{\\relax(?:\{\}|\s+)([^{}\\]*)\}")
_COMMAND_END = re.compile(r"\\[A-Za-z]+$")
_LATEX_LETTER = re.compile(r"\{\\[^{}\s]+(?:\{[^{}]*\})?\}")  # `{\\L}`, `{\\'o}`, `{\\v{C}}`
_BREAKS = frozenset(" ~-,")
_LABEL_LETTERS = 3  # alpha.bst labels one author by the first three characters of the family name


def braced_initials(names: str) -> str:
    """A LaTeX-safe list of names (`author`, `editor`) as 8-bit BibTeX reads it whole: each word's
    first letter, and the first three of each family-name word, written as a special character
    when not ASCII (`{\\L}ukasz`, `{\\"O}ztürk`, `Jean-{\\'E}mile`, `G{\\"o}del`,
    `{\\relax{}И}{\\relax{}в}{\\relax{}а}нов`); the rest stays as it was. A braced family name or
    organisation whose first three characters are not all ASCII has them taken out of its braces,
    where BibTeX counts them (`{\\relax{}И}{\\relax{}н}{\\relax{}с}{{}титут Foo}`). A word starts at
    the start or after a space, `~`, `-` or `,` outside braces."""
    if names.isascii():  # most names: nothing to do
        return names
    return "".join(
        part if index % 2 else _name(part) for index, part in enumerate(_split_names(names))
    )


def special_key(key: str) -> str:
    """`key` (alpha labels a work without author by its first three characters) with the
    non-ASCII characters among them written as special characters."""
    if key.isascii():
        return key
    units, out = _units(key), list[str]()
    for index, unit in enumerate(units):
        if index >= _LABEL_LETTERS or (unit.startswith("{") and not unit.startswith("{\\")):
            return "".join(out + units[index:])  # text.prefix$ counts inside a plain group
        out.append(_special(unit) if len(unit) == 1 and not unit.isascii() else unit)
    return "".join(out)


def plain_letters(names: str) -> str:
    """A names field as `braced_initials` wrote it, read back: each special character it writes
    for a letter is the letter again, and a braced name whose first characters were taken out of
    its braces is braced whole: `{\\relax{}Ж}ukov` -> `Жukov`, `G{\\"o}del` -> `Gödel`,
    `{\\relax{}И}{\\relax{}н}{\\relax{}с}{{}титут Foo}` -> `{Институт Foo}`. Other text is as it
    was."""
    if "{\\" not in names:
        return names
    parts = _split_names(names)
    for index in range(0, len(parts), 2):
        pieces: list[list[str]] = [[]]
        for unit in _units(parts[index]):  # the parts of a name, between commas at depth 0
            if unit == ",":
                pieces.append([])
            else:
                pieces[-1].append(unit)
        # only a family name (before the first comma) has characters taken out of its braces
        parts[index] = ",".join([_rebraced(pieces[0]), *("".join(p) for p in pieces[1:])])
    return _LATEX_LETTER.sub(_letter, without_relax("".join(parts)))


def without_relax(value: str) -> str:
    """`value` with each `{\\relax{}x}` (or `{\\relax x}`) group written as its text `x`."""
    return _RELAX_GROUP.sub(_relaxed, value) if "{\\relax" in value else value


def _relaxed(group: re.Match[str]) -> str:
    return group.group() if _after_command(group) else group.group(1)


def _letter(group: re.Match[str]) -> str:
    """A braced LaTeX letter as `_special` writes it (`{\\"O}`, `{\\v{C}}`), as its character."""
    if _after_command(group) or not _is_letter(group.group()):
        return group.group()
    return latex_to_text(group.group())


def _after_command(group: re.Match[str]) -> bool:
    """Whether the group follows a command's name (`\\aa{\\'O}`): unbraced, its letter would
    read as part of the name."""
    return bool(_COMMAND_END.search(group.string, 0, group.start()))


def _is_letter(unit: str) -> bool:
    """Whether `unit` is a character as this module or `--ascii` writes it (`{\\CYRZH}`)."""
    text = latex_to_text(unit) if unit.startswith("{\\") else ""
    if len(text) != 1 or not text.isprintable() or text.isascii():
        return False
    return unit in (_special(text), _LETTER_ENCODER.unicode_to_latex(text))


def _split_names(names: str) -> list[str]:
    """Names and the ` and ` between them, alternately, at brace depth 0."""
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", names, re.IGNORECASE):
        token = match.group()
        depth += (token == "{") - (token == "}")
        if depth == 0 and token not in "{}":
            parts += [names[start : match.start()], token]
            start = match.end()
    return [*parts, names[start:]]


def _units(text: str) -> list[str]:
    """`text` as BibTeX walks it at depth 0: a brace group (with what it holds), an escape or
    command name, or one character."""
    units: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "{":
            end, depth = i, 0
            while end < len(text):
                depth += (text[end] == "{") - (text[end] == "}")
                end += 1
                if depth == 0:
                    break
            units.append(text[i:end])
            i = end
        elif text[i] == "\\":
            command = re.match(r"\\(?:[A-Za-z]+|.?)", text[i:])
            units.append(command.group() if command else "\\")
            i += len(units[-1])
        else:
            units.append(text[i])
            i += 1
    return units


def _name(name: str) -> str:
    if name.isascii():
        return name
    units = _units(name)
    words = [u for u in units if u.strip()]
    if len(words) == 1 and _plain_group(words[0]):  # an organisation, `{Институт Foo}`
        return name.replace(words[0], _hoisted(words[0], _LABEL_LETTERS), 1)
    comma = units.index(",") if "," in units else len(units)
    return _words(units[:comma], _LABEL_LETTERS) + _words(units[comma:], 1)


def _words(units: list[str], letters: int) -> str:
    """`units` with the first `letters` characters of each word made special characters; a plain
    group that starts a word holds its first letter (format.name$ abbreviates inside it), or, in a
    family name, gives its first characters up (text.prefix$ sees no special character inside)."""
    out: list[str] = []
    position = 0  # of the unit in its word
    for unit in units:
        if unit in _BREAKS:
            out.append(unit)
            position = 0
            continue
        # text.prefix$ counts the characters inside a plain group: `{Ab}` is two
        width = len(_units(unit[1:-1])) if _plain_group(unit) else 1
        if position < letters and len(unit) == 1 and not unit.isascii():
            unit = _special(unit)
        elif position < letters and _plain_group(unit):
            # in a given name, format.name$ abbreviates inside the group
            unit = _hoisted(unit, letters - position) if letters > 1 else _inside(unit)
        out.append(unit)
        position += width
    return "".join(out)


def _plain_group(unit: str) -> bool:
    return unit.startswith("{") and not unit.startswith("{\\") and len(unit) > 1


def _inside(group: str) -> str:
    return "{" + _words(_units(group[1:-1]), 1) + "}"


def _hoisted(group: str, count: int) -> str:
    """A plain group `{...}` whose first `count` characters (those alpha's label may take) are
    not all ASCII, with them taken out of its braces as special characters, each behind
    `\\relax` (how `_rebraced` knows them; a space braced alone, `{ }`, so BibTeX does not split
    the name there): `{Ölkerei GmbH}` -> `{\\relax{}Ö}{{}lkerei GmbH}`. A group whose first
    characters cannot all stand alone (a group, a command, `--` that LaTeX prints as one dash)
    stays as it is."""
    inner = _units(group[1:-1])
    head = inner[:count]
    if all(unit.isascii() for unit in head):
        return _inside(group) if count == _LABEL_LETTERS else group
    while head[-1].isascii():  # ASCII after the last non-ASCII character stays inside
        head.pop()
    if not _liftable(head):
        return group
    lifted = "".join("{ }" if unit == " " else _RELAX + unit + "}" for unit in head)
    # The rest stays braced, even when empty (a short organisation stays one when read back),
    # after `{}`: the mark `_rebraced` knows (names have no empty group, `values._name_part`),
    # and a plain group even before a command (`{\\%}` would be a special character).
    return lifted + "{{}" + "".join(inner[len(head) :]) + "}"


def _liftable(head: list[str]) -> bool:
    if any(len(unit) != 1 for unit in head) or head[0] == " ":
        return False
    marks = [not (unit.isalnum() or unit == " " or not unit.isascii()) for unit in head]
    return not any(a and b for a, b in itertools.pairwise(marks))  # `--`, `''`


def _rebraced(units: list[str]) -> str:
    """A family name with what `_hoisted` wrote (among the first three characters of a word, up
    to three characters behind `\\relax` or a braced space, the first behind `\\relax`, then a
    group opening with `{}`) braced again; the rest as it was."""
    out: list[str] = []
    i, position = 0, 0
    while i < len(units):
        for count in range(_LABEL_LETTERS, 0, -1) if position < _LABEL_LETTERS else ():
            head, rest = units[i : i + count], units[i + count : i + count + 1]
            if (
                len(head) == count
                and rest
                and rest[0].startswith("{{}")
                and head[0].startswith(_RELAX)
                and all(u == "{ }" or _RELAX_GROUP.fullmatch(u) for u in head)
            ):
                inner = "".join(" " if u == "{ }" else _RELAX_GROUP.sub(r"\1", u) for u in head)
                out.append("{" + inner + rest[0][3:-1] + "}")
                i += count + 1
                position += count + len(_units(rest[0][3:-1]))
                break
        else:
            out.append(units[i])
            position = 0 if units[i] in _BREAKS or not units[i].strip() else position + 1
            i += 1
    return "".join(out)


@functools.cache
def _special(char: str) -> str:
    """One non-ASCII character as a special character: its LaTeX name, else behind `\\relax`."""
    latex = str(_LETTER_ENCODER.unicode_to_latex(char))
    if latex.startswith("{\\") and tex_safe(latex, math=False) == latex:
        return latex
    return _RELAX + char + "}"
