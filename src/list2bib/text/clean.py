"""Visible text: whitespace made one space, and what no reader sees or pdflatex takes dropped
(controls, format characters, emoji, orphan combining marks)."""

from __future__ import annotations

import re
import unicodedata

# Control, format (bidi marks, zero-width joiners, soft hyphens), surrogate, private and unassigned
# characters: invisible or meaningless in a bibliography, and pdflatex stops on most of them.
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_WHITESPACE = re.compile(r"\s+")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    """Visible text only: a BibTeX value must show what the reader sees and pdflatex must take it.

    Whitespace characters (tab, newline, form feed, `\\u2028`, ...) become one space; other C0/C1
    controls, format characters (bidi marks and overrides, zero-width joiners, soft hyphens),
    surrogates, private-use and unassigned code points, emoji and a combining mark with no letter
    to sit on are dropped; the rest (accents, other scripts, symbols) is kept, NFC-composed.
    """
    text = _WHITESPACE.sub(" ", value)
    if text.isascii():  # the common case: only ASCII control characters can be left to drop
        return _WHITESPACE.sub(" ", _ASCII_CONTROL.sub("", text)).strip()
    kept = "".join(
        c for c in text if unicodedata.category(c) not in _DROP_CATEGORIES and not _is_pictograph(c)
    )
    # Composed after the drop: `e<ZWJ><acute>` is `é`, not an `e` and a mark LaTeX cannot place.
    kept = _drop_orphan_marks(unicodedata.normalize("NFC", kept))
    return _WHITESPACE.sub(" ", kept).strip()


def _drop_orphan_marks(text: str) -> str:
    """Combining marks kept only after a letter, digit or another kept mark."""
    out: list[str] = []
    based = False
    for char in text:
        if unicodedata.category(char).startswith("M"):
            if based:
                out.append(char)
            continue
        out.append(char)
        based = char.isalnum()
    return "".join(out)


# What a terminal acts on instead of showing: C0 and C1 controls (escape sequences, a carriage
# return that overwrites the line) and the bidirectional marks, overrides and isolates that
# reorder what follows them.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def terminal_text(text: str) -> str:
    """`text` as a terminal may show it: each control or bidi character a visible `?` (a title
    from a list or a service must not reorder, recolour or hide what is printed after it)."""
    return _TERMINAL_UNSAFE.sub("?", text)
