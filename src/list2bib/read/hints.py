"""What the small print around a listed paper means: date, venue and topic hints, shields.io badges,
author lines, generic link words, and title clean-up. Pure string functions, used by `listfile`.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple
from urllib.parse import unquote

from list2bib.text.dates import YEAR_PATTERN, find_date, parse_date
from list2bib.text.identifiers import split_url
from list2bib.text.names import LOWER_CASE_NAME_WORDS

HintKind = Literal["date", "venue", "tag"]


def _words(text: str, *, sep: str | None = None) -> frozenset[str]:
    """A word list written as text: `"a b c"`, or `"New York|Los Angeles"` with `sep="|"`."""
    return frozenset(w.strip().casefold() for w in text.split(sep) if w.strip())


class Hint(NamedTuple):
    kind: HintKind
    value: str


# Acronyms (and a few names) that make a bracket group a venue; compared case-insensitively.
VENUES = _words(
    """ACL EMNLP NAACL EACL AACL COLING COLM CoNLL LREC TACL SemEval WMT IWSLT SIGDIAL INLG
    NLPCC CCL BlackboxNLP ICLR ICML NeurIPS NIPS AAAI IJCAI UAI AISTATS COLT TMLR JMLR TPAMI PAMI
    TNNLS TKDE IJCV CVPR ICCV ECCV WACV BMVC MICCAI KDD WWW WSDM SIGIR CIKM ICDE ICDM VLDB SIGMOD
    ECML PKDD ICASSP Interspeech CoRL ICRA IROS MLSys OSDI SOSP NSDI ISCA MICRO HPCA ASPLOS DAC
    ICCAD EuroSys PPoPP FAccT AIES NDSS USENIX CHI UIST SIGGRAPH TOG Nature Science PNAS Distill"""
)
VENUE_WORDS = _words("conference workshop journal proceedings transactions symposium findings")
# Labs and companies: `[OpenAI]`, `[Google Research]` say who, not where. Ignored.
ORGS = _words(
    """OpenAI|Anthropic|DeepMind|Google DeepMind|Google|Google Research|Google Brain|Meta|Meta AI|
    FAIR|Facebook|Facebook AI|Microsoft|Microsoft Research|Apple|Amazon|NVIDIA|IBM|IBM Research|
    Redwood Research|EleutherAI|Apollo Research|AI2|Allen AI|AllenAI|Hugging Face|HuggingFace|
    Cohere|Mistral|DeepSeek|Alibaba|Baidu|Tencent|ByteDance|Huawei|Salesforce|Stability AI|
    Transformer Circuits|Conjecture|METR|Epoch AI""",
    sep="|",
)
ARXIV_WORDS = _words("arxiv preprint corr")
# Link texts that name a kind of link, not a paper: `[[pdf](…)]`, `[Code](…)`, `[Tweet Summary](…)`.
GENERIC_LINK_TEXTS = _words(
    """pdf|paper|arxiv|code|blog|link|project|website|web|html|abs|github|video|slides|page|demo|
    doc|docs|documentation|tutorial|homepage|openreview|tweet|here|this|url|download|poster|talk|
    supplementary|dataset|benchmark|model|models|youtube|huggingface|hf|colab|notebook|review|
    official|bibtex|bib|citation|summary|paper list|project page|google drive|baidu pan|
    tweet summary|accepted papers|mini tutorial|full paper|source code""",
    sep="|",
)
_GENERIC_FIRST_WORDS = _words("pdf paper code demo video slides blog project github doc")
_GENERIC_SECOND = _words("by for of link page list site")
_BADGE_VENUE_LABELS = _words("conference journal publish publication venue accepted")
_BADGE_TAG_LABELS = _words("tag tags topic topics type category method task keyword keywords")
_BADGE_COLOURS = _words(
    """brightgreen green yellowgreen yellow orange red blue lightgrey lightgray grey gray blueviolet
    success important critical informational inactive black white purple pink brown"""
)
_WORDS = re.compile(r"[^\W\d_]+|\d+")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200b-\u200f\u20e3\ufeff\ufffc]"
)
_SHORTCODE = re.compile(r"(?<!\w):[a-z0-9_+-]*[a-z][a-z0-9_+-]*:(?!\w)")
_QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’", "«": "»"}
_TRAILING_JUNK = " \t\n.,:;|-–—*_"
_NOT_NAME_WORDS = _words(
    """a an the of for on in with to via from by is are survey tutorial review paper book
    introduction using towards toward new our we"""
)
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+(?:-(?:[^\W\d_]\.)+)?$")
_ET_AL = re.compile(r"[,\s]*\bet\.?\s*al\b\.?", re.IGNORECASE)


def strip_emoji(text: str) -> str:
    """Remove emoji, both real ones and `:shortcode:` ones."""
    return _EMOJI.sub("", _SHORTCODE.sub("", text))


def collapse(text: str) -> str:
    return " ".join(text.split())


def normalize_venue(text: str) -> str:
    """`ICLR'24` -> `ICLR 2024`, `EMNLP2023` -> `EMNLP 2023`; whitespace collapsed."""
    text = re.sub(r"\b([A-Za-z]{2,})\s*['’](\d{2})\b", r"\1 20\2", collapse(text))
    return re.sub(rf"\b([A-Za-z]{{2,}})({YEAR_PATTERN})\b", r"\1 \2", text)


def _is_acronym(word: str) -> bool:
    upper = sum(c.isupper() for c in word)
    return upper >= 2 and upper * 2 >= len(word)


def is_org(text: str) -> bool:
    """`OpenAI`, `Google Research`, `OpenAI & Google`: who made it, not where it appeared."""
    text = re.sub(rf"\b{YEAR_PATTERN}\b", "", text)
    parts = [collapse(p).casefold() for p in re.split(r"&|,|/|\band\b", text)]
    parts = [p for p in parts if p]
    return bool(parts) and all(p in ORGS for p in parts)


def is_venue(text: str) -> bool:
    """A known venue acronym or venue word, or a year beside an acronym-like word; not arXiv."""
    words = _WORDS.findall(text)
    # `Nature`, `Science`, `Findings` count; `[cognitive science]` is a topic tag.
    if any(w.casefold() in VENUES for w in words if not w.islower()):
        return True
    if any(w.casefold() in VENUE_WORDS for w in words):
        return True
    has_year = bool(re.search(rf"\b{YEAR_PATTERN}\b|['’]\d{{2}}\b|[A-Za-z]{YEAR_PATTERN}\b", text))
    return has_year and any(
        _is_acronym(w) and w.casefold() not in ARXIV_WORDS for w in words if w.isalpha()
    )


def classify(text: str, *, bracketed: bool) -> Hint | None:
    """What a `[...]` (bracketed) or `(...)` group says. Parenthesised groups give dates and venues
    only; bracketed ones may also be topic tags. Organisations and bare `arXiv` give nothing."""
    text = collapse(strip_emoji(text)).strip(" .,;:")
    if not text or "http" in text or len(text) > 80:
        return None
    if date := parse_date(text):
        return Hint("date", date)
    if is_org(text):
        return None
    folded = {w.casefold() for w in _WORDS.findall(text)}
    if folded & ARXIV_WORDS and all(w in ARXIV_WORDS or w.isdigit() for w in folded):
        date = find_date(text)
        return Hint("date", date) if date else None
    if is_venue(text):
        return Hint("venue", normalize_venue(text))
    if bracketed and _is_tag(text):
        return Hint("tag", text)
    return None


def _is_tag(text: str) -> bool:
    return (
        any(c.isalpha() for c in text)
        and len(text) <= 40
        and len(text.split()) <= 4
        and not is_generic_link_text(text)
        and not text.endswith((".", "!", "?"))
    )


def is_generic_link_text(text: str) -> bool:
    """`pdf`, `[paper]`, `Code by X`, `Demo-1`, a bare URL: the text names the kind of link."""
    norm = re.sub(r"[^\w\s]|\d", " ", strip_emoji(text).casefold())
    norm = collapse(norm)
    if not norm or text.strip().startswith(("http://", "https://")):
        return True
    words = norm.split()
    if norm in GENERIC_LINK_TEXTS:
        return True
    # `Code by EleutherAI`, `Paper list`; not `Paper One`.
    return words[0] in _GENERIC_FIRST_WORDS and (len(words) == 1 or words[1] in _GENERIC_SECOND)


def decode_badge(url: str) -> Hint | None:
    """A shields.io static badge as a hint: `Conference-ICLR'24-blue` -> venue `ICLR 2024`,
    `arXiv-2023-red` -> date `2023`, `Locate--then--edit-blue` -> tag `Locate-then-edit`.
    Dynamic badges (stars, forks, last commit) give nothing."""
    parts = split_url(url)
    if not parts.netloc.endswith("shields.io") or not parts.path.startswith("/badge/"):
        return None
    content = re.sub(r"\.(svg|png)$", "", unquote(parts.path[len("/badge/") :]))
    fields = [
        f.replace("\0", "-").replace("_", " ").replace("\1", "_")
        for f in content.replace("--", "\0").replace("__", "\1").split("-")
    ]
    if len(fields) > 1 and _is_colour(fields[-1]):
        fields.pop()
    label, message = fields[0].strip(), " ".join(fields[1:]).strip()
    if label.casefold() in _BADGE_VENUE_LABELS and message:
        return Hint("venue", normalize_venue(message)) if not is_org(message) else None
    if label.casefold() == "arxiv":
        date = parse_date(message)
        return Hint("date", date) if date else None
    if hint := classify(" ".join(fields), bracketed=False):
        return hint
    # A badge that names a topic: one field (`Locate--then--edit-blue`) or a topic label with
    # its message (`Type-Structural`). Other two-field badges (`License-MIT`, `PRs-Welcome`) and
    # link words (`Code`, `Paper`) give nothing.
    topic = message if label.casefold() in _BADGE_TAG_LABELS else "" if message else label
    tag = classify(topic, bracketed=True) if topic else None
    return tag if tag and tag.kind == "tag" else None


def _is_colour(text: str) -> bool:
    return text.casefold() in _BADGE_COLOURS or bool(
        re.fullmatch(r"[0-9a-fA-F]{3}|[0-9a-fA-F]{6}", text)
    )


def parse_authors(text: str) -> tuple[str, ...]:
    """`A. Author, B. Author and C. Author et al.` -> names; () unless the text is clearly names."""
    text = collapse(text).strip(" .;,:*_)]}")
    et_al = bool(_ET_AL.search(text))
    text = _ET_AL.sub("", text).strip(" .;,")
    if not text or re.search(r"[:?!()\[\]/\"“”]|https?:", text):
        return ()
    names = [n.strip(" .") for n in re.split(r"\s*(?:,|;|&|\band\b)\s*", text)]
    raw = [n for n in names if n]
    names = [_clean_name(n) for n in raw]
    if len(names) >= 4 and names.count("") == 1:  # one odd spelling (`Ting liu`) in a long list
        odd = raw[names.index("")]
        if re.fullmatch(r"[^\W\d_]+(?:[ -][^\W\d_]+){0,3}", odd):
            names[names.index("")] = odd
    if not names or not all(names):
        return ()
    if any(len(n.split()) == 1 for n in names) and not (et_al or len(names) > 1):
        return ()
    return tuple(names)


def split_trailing_authors(title: str) -> tuple[str, tuple[str, ...]]:
    """`Deep learning, Y. LeCun and G. Hinton` -> (`Deep learning`, names); needs initials or two
    names after the comma (or full stop), so `Show, attend and tell` stays whole."""
    for m in re.finditer(r"[,.]\s+", title):
        names = parse_authors(title[m.end() :])
        # After a comma, one-word "names" are the title's own list (`Problems, Methods, and
        # Opportunities`); after a full stop they are surnames (`... Networks. Chen and Manning`).
        full = m[0].startswith(".") or any(len(name.split()) > 1 for name in names)
        if names and ((len(names) > 1 and full) or _INITIALS.match(names[0].split()[0])):
            return title[: m.start()], names
    return title, ()


def split_trailing_venue(title: str) -> tuple[str, str | None]:
    """`Editing LLMs, EMNLP 2023 Main Conference Paper` -> (`Editing LLMs`, that venue)."""
    m = re.search(r",\s*([^,]{2,60})$", title)
    if m and len(m[1].split()) <= 6 and is_venue(m[1]) and not is_org(m[1]):
        return title[: m.start()], normalize_venue(m[1])
    return title, None


def _clean_name(name: str) -> str:
    tokens = [t.rstrip("0123456789*†‡#") for t in name.split()]
    if not 1 <= len(tokens) <= 6 or not all(_is_name_token(t) for t in tokens):
        return ""
    return " ".join(tokens)


def _is_name_token(token: str) -> bool:
    if not token:
        return False
    if _INITIALS.match(token) or token in LOWER_CASE_NAME_WORDS:
        return True
    if token.casefold() in _NOT_NAME_WORDS:
        return False
    return (
        token[0].isalpha()
        and not token[0].islower()
        and bool(re.fullmatch(r"[^\W\d_][\w'’.-]*", token))
    )


def clean_title(text: str) -> str:
    """Collapse whitespace; drop emoji, wrapping quotes, stray bold markers, a trailing `(arXiv)`
    and trailing separators (`.`, `:`, `-`)."""
    text = collapse(strip_emoji(text))
    text = re.sub(r"\s*\((?:arxiv|pdf|preprint)\)$", "", text, flags=re.IGNORECASE)
    text = text.lstrip("•·>*_ ").rstrip(_TRAILING_JUNK)
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if text[0] not in inner and text[-1] not in inner:
            text = inner.strip().rstrip(_TRAILING_JUNK)
    return text


# Prose in a plain list: two or more sentences, long, mostly lower-case words, no year. Titles in
# sentence case are one sentence; `Deep learning. Nature 2015` is a reference.
_SENTENCE_BREAK = re.compile(r"[a-z][.!?]\s+[A-Z]")
_PROSE_MIN_WORDS = 8
_PROSE_MAX_CAPITALISED = 0.3


def is_prose(line: str) -> bool:
    """`This is just prose about nothing. No links here at all`: a sentence, not a title."""
    words = line.split()
    if len(words) < _PROSE_MIN_WORDS or not _SENTENCE_BREAK.search(line):
        return False
    if re.search(rf"\b{YEAR_PATTERN}\b", line):  # a year: a reference (`Title. In NeurIPS 2020`)
        return False
    capitalised = sum(1 for w in words if w[:1].isupper())
    return capitalised / len(words) <= _PROSE_MAX_CAPITALISED
