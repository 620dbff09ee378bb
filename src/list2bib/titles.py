"""Title normalisation and similarity, used to check that a record is the paper the list meant."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\s*")
_NON_WORD = re.compile(r"[^0-9a-z]+")


# Latin letters NFKD leaves whole (no combining mark to drop): without these `Łukasiewicz` would
# fold to `ukasiewicz`.
_UNDECOMPOSED = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
        "þ": "th", "Þ": "Th", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "ı": "i", "ħ": "h", "Ħ": "H",
    }
)  # fmt: skip


def fold_ascii(text: str) -> str:
    """Accents removed, ligatures split, other scripts dropped: 'Gödel' -> 'Godel', 'ﬁ' -> 'fi'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def normalize_title(title: str) -> str:
    """Lower-case ASCII words joined by single spaces; LaTeX commands and punctuation gone."""
    text = _LATEX_COMMAND.sub(" ", title)
    text = fold_ascii(text).lower()
    return _NON_WORD.sub(" ", text).strip()


def title_similarity(a: str, b: str) -> float:
    """0-100: how alike two titles are once normalised (100 = the same words in the same order)."""
    na, nb = normalize_title(a), normalize_title(b)
    if not na or not nb:
        return 0.0
    return float(fuzz.ratio(na, nb))
