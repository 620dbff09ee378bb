"""Title normalisation and similarity, used to check that a record is the paper the list meant."""

from __future__ import annotations

import re
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]
from rapidfuzz import fuzz

from list2bib.text.clean import clean_text

_LATEX_DECODER = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\s*")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_ESCAPED_BRACE = re.compile(r"\\[{}]")
_SYMBOL_COMMAND = re.compile(
    r"\\text(?:asciicircum|asciitilde|backslash|underscore|bar|less|greater|braceleft|braceright"
    r"|dollar)(?:\{\})?"
)
_DOLLAR = re.compile(r"(?<!\\)\$")


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


def latex_to_text(value: str) -> str:
    """BibTeX/LaTeX markup to plain text: `G{\\"o}del` -> `Gödel`, `{B}ERT` -> `BERT`."""
    if "\\" not in value and "{" not in value and "$" not in value:
        return value
    try:
        return str(_LATEX_DECODER.latex_to_text(value))
    except Exception:  # pylatexenc is lenient, but a pathological value must not end the run
        return value.replace("{", "").replace("}", "")


def normalize_title(title: str) -> str:
    """Lower-case ASCII words joined by single spaces; LaTeX markup and punctuation gone.

    A raw title and the form list2bib writes of it (cleaned and escaped: `a^b` becomes
    `a\\textasciicircum{}b`, a lone `\\{` goes) give the same words, so an entry is recognised on
    the next run: the text is cleaned as for writing, escaped braces join what they stood between,
    symbol commands and dollars separate words as the characters they stand for do.
    """
    text = _DOLLAR.sub(" ", _SYMBOL_COMMAND.sub(" ", _ESCAPED_BRACE.sub("", clean_text(title))))
    text = _LATEX_COMMAND.sub(" ", latex_to_text(text))
    text = fold_ascii(text).lower()
    return _NON_WORD.sub(" ", text).strip()


def title_similarity(a: str, b: str) -> float:
    """0-100: how alike two titles are once normalised (100 = the same words in the same order)."""
    na, nb = normalize_title(a), normalize_title(b)
    if not na or not nb:
        return 0.0
    return float(fuzz.ratio(na, nb))


# Words that carry no identity: skipped for a citation key's title word and in title checks.
STOPWORDS = frozenset(
    {
        "a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "via", "from",
        "towards", "toward", "into", "is", "are", "be", "do", "does", "how", "what", "why", "when",
        "can", "we", "our", "your", "its", "their", "this", "that", "at", "by", "as", "using",
    }
)  # fmt: skip


def _significant_words(title: str) -> set[str]:
    return {w.removesuffix("s") for w in normalize_title(title).split() if w not in STOPWORDS}


def words_missing_from(list_title: str, record_title: str) -> list[str]:
    """Significant words of the list's title that the record's title lacks ('mamba' when the list
    says '... in Mamba' but the link is the '... in GPT' paper). Empty when the list's title is a
    fair short form of the record's ('BERT' for 'BERT: Pre-training of ...')."""
    record_words = _significant_words(record_title)
    return sorted(w for w in _significant_words(list_title) - record_words if len(w) > 1)
