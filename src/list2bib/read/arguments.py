"""Lists given on the command line rather than in files: `-` (a list on standard input) and
identifiers, URLs and quoted titles where a list file is expected."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from list2bib.errors import InputError
from list2bib.model import ListEntry
from list2bib.read.dispatch import read_list, read_text
from list2bib.text.identifiers import parse_identifier

STDIN = "-"
STDIN_NAME = "<stdin>"
# The name entries given as arguments are listed under; their line is the argument's position.
ARGUMENTS_NAME = "<arguments>"
# An argument that names a list file, not a title: a list suffix, or a path's start.
_PATHLIKE = re.compile(
    r"(?:\.(?:md|markdown|txt|bib|html?|rst|csv|json|toml))\s*$|^(?:~|\.{1,2})?[/\\]", re.I
)


@dataclass(frozen=True, slots=True)
class InlineList:
    """A list that is no file: `name` stands for the file in its entries and in messages."""

    name: str
    text: str


ListSource = Path | InlineList


def is_title(argument: str) -> bool:
    """Whether an argument reads as a paper's title: two words or more, with letters, and not
    the shape of a path (a mistyped list file must not be searched for as a title)."""
    return (
        len(argument.split()) >= 2
        and any(c.isalpha() for c in argument)
        and not _PATHLIKE.search(argument)
    )


def list_sources(arguments: Sequence[str], read_stdin: Callable[[], bytes]) -> list[ListSource]:
    """The lists the command line names, in order: existing files (a file wins over any other
    reading of its name), `-` as the text on standard input, and every identifier, URL or title
    argument gathered into one list whose line N is the Nth argument.

    Raises InputError for an argument that is none of these, and for `-` given twice."""
    sources: list[ListSource] = []
    inline = [""] * len(arguments)
    for position, argument in enumerate(arguments):
        if argument == STDIN:
            if any(isinstance(s, InlineList) and s.name == STDIN_NAME for s in sources):
                raise InputError("-: standard input given twice; give - once")
            sources.append(InlineList(STDIN_NAME, _decode(read_stdin())))
        elif _is_file(argument):
            sources.append(Path(argument))
        elif _is_inline(argument):
            inline[position] = " ".join(argument.split())
        else:
            raise InputError(
                f"{argument}: no such file, and not an identifier, URL or quoted title; check"
                " the list's path"
            )
    if any(inline):
        sources.append(InlineList(ARGUMENTS_NAME, "\n".join(inline)))
    return sources


def read_source(source: ListSource) -> list[ListEntry]:
    """The entries of one list, from its file or its text."""
    if isinstance(source, InlineList):
        return read_text(source.text, source.name)
    return read_list(source)


def _is_file(argument: str) -> bool:
    """Whether something is there by that name (a folder too: the reader says it is none)."""
    try:
        return Path(argument).exists()
    except (OSError, ValueError):  # a name too long for a file, or with a NUL: no file
        return False


def _is_inline(argument: str) -> bool:
    text = argument.strip()
    if re.match(r"https?://\S+$", text, re.I):
        return True
    return parse_identifier(text) is not None or is_title(text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{STDIN_NAME}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); send the list as UTF-8"
        ) from None
