"""The braces that keep a title's capitals through a style that lower-cases titles: acronyms,
proper names in a sentence-case title, and control words or math with a capital."""

from __future__ import annotations

import re

from list2bib.bibtex.latex import ARGUMENT_COMMANDS, CONTROL_WORD, math_spans

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CHUNK = re.compile(r"\S+")
# Words Title Case leaves in lower case (Chicago, APA): they say nothing about a title's casing.
_MINOR_WORDS = frozenset(
    {"a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "as", "at", "by", "from",
     "in", "into", "of", "off", "on", "onto", "out", "over", "per", "to", "up", "upon", "via",
     "with", "vs", "versus", "than"}
)  # fmt: skip


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
    apart, so they are left alone. A title with a brace group (already protected by its source) or
    with no lower-case letter at all is returned unchanged; a lone brace, which `tex_safe` drops,
    protects nothing.
    """
    if _has_group(title) or not any(c.islower() for c in title):
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
    capitals, lower = eligible.count("capital"), eligible.count("lower")
    sentence_case = lower > capitals and _lower_words(items) > 0
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


_CAPITAL_COMMAND = re.compile(r"\\[A-Za-z]*[A-Z][A-Za-z]*")


def protect_commands(value: str) -> str:
    """A braced title value (`tex_safe` output) with every control word that has a capital and
    stands outside braces put in a group: `\\LaTeX` -> `{\\LaTeX }`, `\\H{o}` -> `{\\H{o}}`, math
    with one -> `{$\\Pr(x)$}`. A style that lower-cases titles would otherwise write `\\latex`,
    which LaTeX does not know (`protect_title` leaves titles that have braces to their source)."""
    if not _CAPITAL_COMMAND.search(value):
        return value
    spans = {start: end for start, end in math_spans(value)}
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(value):
        char = value[i]
        if depth == 0 and i in spans:
            span = value[i : spans[i]]
            out.append("{" + span + "}" if _CAPITAL_COMMAND.search(span) else span)
            i = spans[i]
            continue
        word = _CAPITAL_COMMAND.match(value, i) if char == "\\" else None
        if depth == 0 and word:
            takes_argument = word.group()[1:] in ARGUMENT_COMMANDS
            end = _argument_end(value, word.end()) if takes_argument else None
            if end is None:
                end = word.end()
                while end < len(value) and value[end] == " ":
                    end += 1  # TeX drops the spaces after a control word: keep that inside
            out.append("{" + value[i:end] + "}")
            i = end
            continue
        if char == "\\":  # `\{`, `\}` are still braces for BibTeX's counting; `\\` is neither
            out.append(value[i : i + 2])
            depth += value[i + 1 : i + 2] == "{"
            depth -= value[i + 1 : i + 2] == "}" and depth > 0
            i += 2
            continue
        depth += char == "{"
        depth -= char == "}" and depth > 0
        out.append(char)
        i += 1
    return "".join(out)


def _argument_end(value: str, start: int) -> int | None:
    """Where the argument of a command ending at `start` ends: a balanced group or one
    character, after optional spaces; None when there is none."""
    i = start
    while i < len(value) and value[i] == " ":
        i += 1
    if i >= len(value) or value[i] == "}":
        return None
    if value[i] != "{":
        return i + 1
    depth = 0
    for k in range(i, len(value)):
        depth += value[k] == "{"
        depth -= value[k] == "}"
        if depth == 0:
            return k + 1
    return None


def _has_group(text: str) -> bool:
    """Whether `text` has a `{...}` pair (escaped braces `\\{` `\\}` are characters, not groups)."""
    depth, i = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}" and depth:
            return True
        i += 1
    return False


def _lower_words(items: list[tuple[int, int, str, str, bool, bool]]) -> int:
    """Lower-case words past the first and a colon, minor words (`and`, `of`) not counted:
    `Visualizing and Measuring the Geometry of BERT` is Title Case, not sentence case."""
    return sum(
        1
        for _, _, text, kind, first, colon in items
        if kind == "lower" and not first and not colon and text.lower() not in _MINOR_WORDS
    )


def _keeps_capitals(text: str, kind: str, proper_name_position: bool) -> bool:
    if kind == "capital":
        return proper_name_position
    if kind == "math":
        return any(c.isupper() for c in text)
    if kind == "command":
        return any(c.isupper() for m in CONTROL_WORD.finditer(text) for c in m.group())
    return False
