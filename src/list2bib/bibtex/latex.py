"""What a BibTeX field value may contain: cleaned, LaTeX-safe text, names and months as BibTeX reads
them, and the braces that keep a title's capitals through a style that lower-cases titles.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from list2bib.model import Person
from list2bib.text.identifiers import strip_doi_prefix

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
# is written as a character. Inside math, see `MATH_COMMANDS`.
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
_NOT_YEAR = re.compile(r"[^A-Za-z0-9 ./?,-]")
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


def url_safe(value: str) -> str:
    """A URL/DOI for a verbatim field: non-ASCII, spaces, braces and backslashes percent-encoded."""
    return quote(clean_text(value), safe=_URL_SAFE)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def math_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each `$...$` span, by pandoc's rule: the opening `$` is followed by a
    non-space, the closing one preceded by a non-space and not followed by a digit (`$5 and $10`
    is money, not math). `\\$` is a dollar sign. A span pdflatex could not typeset as math (see
    `_typesettable_math`) is text."""
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
                if _typesettable_math(text[start + 1 : end]):
                    spans.append((start, end + 1))
                j = k + 1
                break
    return spans


# Control words kept inside math: LaTeX2e's own math symbols, functions and constructions, and the
# few of amsmath/amssymb that titles use (`\mathbb`, `\text`, `\operatorname`; a document citing
# such a title loads those packages anyway). A span with any other control word is text: an unknown
# macro stops pdflatex, and `\input`, `\def`, `\end`, `\catcode` inside math would be obeyed.
MATH_COMMANDS = _word_set(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
    xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta
    Lambda Xi Pi Sigma Upsilon Phi Psi Omega sum prod coprod int oint bigcup bigcap bigvee
    bigwedge bigoplus bigotimes bigodot biguplus bigsqcup pm mp times div cdot ast star circ
    bullet cap cup uplus sqcap sqcup vee wedge setminus wr diamond oplus ominus otimes oslash odot
    dagger ddagger amalg triangleleft triangleright bigtriangleup bigtriangledown leq le geq ge
    neq ne equiv sim simeq approx cong propto prec succ preceq succeq ll gg subset supset
    subseteq supseteq sqsubseteq sqsupseteq in ni notin vdash dashv models perp mid parallel
    asymp bowtie smile frown doteq leftarrow rightarrow to gets Leftarrow Rightarrow
    leftrightarrow Leftrightarrow mapsto longrightarrow longleftarrow Longrightarrow
    Longleftarrow longleftrightarrow Longleftrightarrow longmapsto uparrow downarrow Uparrow
    Downarrow updownarrow Updownarrow nearrow searrow swarrow nwarrow hookleftarrow
    hookrightarrow iff infty nabla partial forall exists neg lnot emptyset ell hbar imath jmath
    wp Re Im aleph prime angle top bot flat natural sharp surd backslash triangle clubsuit
    diamondsuit heartsuit spadesuit ldots cdots vdots ddots dots colon log ln exp sin cos tan
    sec csc cot arcsin arccos arctan sinh cosh tanh coth lim liminf limsup max min sup inf arg
    deg det dim gcd hom ker lg Pr frac sqrt overline underline overbrace underbrace hat check
    breve acute grave tilde bar vec dot ddot widehat widetilde mathrm mathbf mathit mathsf
    mathtt mathcal mathnormal textrm textit textbf textsf texttt textup textnormal mbox left
    right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr langle rangle lceil
    rceil lfloor rfloor lbrace rbrace vert Vert quad qquad displaystyle textstyle scriptstyle
    not cdotp ldotp mathbb mathfrak boldsymbol text operatorname binom tfrac dfrac leqslant
    geqslant lesssim gtrsim varnothing implies"""
)
_SCRIPT = re.compile(r"(?<!\\)[_^]")
_MATH_ACCENT = re.compile(r"\\['`^\"~=.]")  # text accents: pdflatex stops on them in math
_SCRIPT_ARGUMENTS = "{\\+-*=()[]<>|',.;:!?/"  # what can follow `_`/`^` (not `~`, `$`, `}`, ...)
_DOUBLE_SCRIPT = re.compile(r"(?<!\\)([_^])\s*(?:\{[^{}]*\}|\\[A-Za-z]+|[^\s{}\\])\s*(?<!\\)\1")


def _typesettable_math(body: str) -> bool:
    """Whether pdflatex can typeset `body` between dollars: ASCII only, no `^^` (TeX's notation
    for any character), no command but `MATH_COMMANDS` (no text accent either), no
    script without its argument or given twice (`x_`, `x_^`, `x_1_2`), `\\left`/`\\right` paired."""
    if not body.isascii() or "^^" in body:
        return False
    if any(w.group()[1:] not in MATH_COMMANDS for w in _CONTROL_WORD.finditer(body)):
        return False
    if _MATH_ACCENT.search(body):
        return False
    for script in _SCRIPT.finditer(body):
        argument = body[script.end() :].lstrip()[:1]
        if not (argument.isalnum() or (argument and argument in _SCRIPT_ARGUMENTS)):
            return False
    if _DOUBLE_SCRIPT.search(body):
        return False
    lefts = len(re.findall(r"\\left(?![A-Za-z])", body))
    return lefts == len(re.findall(r"\\right(?![A-Za-z])", body))


def tex_safe(value: str, *, math: bool = True) -> str:
    """`value` (already cleaned) made safe inside a braced BibTeX value and in LaTeX.

    `%`, `&`, `#` are escaped everywhere; `_`, `^`, and a `$` that opens no math are escaped
    outside math; a backslash that starts no known command (`TEXT_COMMANDS`; in math, any, since
    `math_spans` admits only `MATH_COMMANDS`) or escape becomes `\\textbackslash{}`, and `\\\\` a
    space. An accent over nothing, or over a letter T1 has no accented form of, is written as its
    character (`\\~{}` -> `\\textasciitilde{}`). Braces are balanced, dropping the
    unmatched ones (separately inside each math span, and for `\\{`/`\\}` pairs), so a value can
    never close its entry early. `math=False`: no `$` opens math (names, which BibTeX splits at
    spaces and biber abbreviates).
    """
    text = _tex_safe_once(value, math)
    for _ in range(4):
        if "$" not in text:
            break
        # A dropped brace or space can leave a span that is no longer math by the rule (`$}}$`
        # would be `$$`, display math): one more pass escapes its dollars, so the value reads
        # back the same.
        again = _tex_safe_once(text, math)
        if again == text:
            break
        text = again
    return text


def _tex_safe_once(value: str, math: bool) -> str:
    if not _TEX_SPECIAL.search(value):
        return _WHITESPACE.sub(" ", value).strip()
    # `\'\i` -> `\'i`: T1 has the accented i, and biber reads `\'\i` as a dotless i under a loose
    # accent, which pdflatex cannot set. (The spaces after `\i` are TeX's to drop, so they go.)
    value = _DOTLESS_UNDER_ACCENT.sub(r"\1\2", value)
    spans = math_spans(value) if math else []
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
                accent = word.group()[1:] in _ACCENT_COMMANDS and not in_math
                tokens.append((word.group(), "accent" if accent else "command", group))
                i = word.end()
                continue
            if nxt in ("{", "}"):
                tokens.append(("\\" + nxt, "\\" + nxt, group))
            elif nxt == "\\":
                tokens.append(("\\," if in_math else " ", "", group))  # no space to end math on
            elif _usable_symbol(nxt, value[i + 2 :], in_math):
                tokens.append(("\\" + nxt, "accent" if nxt in _ACCENTS else "", group))
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
    out: list[str] = []
    after_command = False  # the last token written (spaces aside) is a control word
    for index, ((text, kind, _), kept) in enumerate(zip(tokens, keep, strict=True)):
        if kept:
            if kind == "accent" and not _accent_has_base(text, tokens, keep, index + 1):
                text = _ACCENT_TEXT.get(text, "\\textbackslash{}" + text[1:])
            out.append(text)
            after_command = kind == "command" or (after_command and not text.strip())
        elif after_command:
            # `\emph{x` or `\LaTeX}word`: the dropped brace leaves an empty group, so the command
            # neither takes the next letters into its name nor loses its argument.
            out.append("{}")
            after_command = False
    return _WHITESPACE.sub(" ", "".join(out)).strip()


# Accent commands (`\c{c}`, `\v{s}`) and what an accent over nothing is written as instead: biber
# stops on a name with `\~{}` in it, and a dropped brace must not leave `\'` over a space.
_ACCENT_COMMANDS = frozenset({"c", "v", "u", "H", "k", "r", "d", "b", "t"})
_ACCENT_TEXT = {
    "\\~": "\\textasciitilde{}", "\\^": "\\textasciicircum{}", "\\'": "'", "\\`": "`",
    '\\"': '"', "\\=": "=", "\\.": ".",
}  # fmt: skip


# The combining character of each accent: biber turns `\~{n}` into `ñ`, and pdflatex can set only
# the letters of its T1 encoding, so any other accented letter (`\~W`, `\"t`) is written as a
# character.
_COMBINING = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip


def _accent_has_base(
    accent: str, tokens: list[tuple[str, str, int]], keep: list[bool], index: int
) -> bool:
    """Whether `accent` (before `tokens[index]`) sits on something once unmatched braces are
    dropped: a letter with which Unicode has an accented letter (`\\'e`, `\\'{e` whose brace goes,
    `\\'\\i`), or a group that is not empty."""
    while index < len(tokens) and (not keep[index] or tokens[index][0].isspace()):
        index += 1  # a dropped brace, or spaces TeX skips: the accent takes what follows
    following: list[int] = []
    for k in range(index, len(tokens)):
        if keep[k]:
            following.append(k)
            if len(following) == 3:
                break
    if not following:
        return False
    text, kind, _ = tokens[following[0]]
    if kind == "{":
        inner = [tokens[k] for k in following[1:3]]
        if not inner or inner[0][1] == "}":
            return False
        if len(inner) == 2 and inner[1][1] == "}":  # `{e}`: one character, checked as below
            text = inner[0][0]
        else:
            return True
    base = {"\\i": "i", "\\j": "j"}.get(text, text)
    if not (len(base) == 1 and base.isascii() and base.isalpha()):
        return False
    combining = _COMBINING.get(accent[1:])
    if combining is None:
        return True
    letter = unicodedata.normalize("NFC", base + combining)
    return len(letter) == 1 and 0xC0 <= ord(letter) <= 0x17F  # Latin-1 and Extended-A: T1's


def _usable_command(name: str, rest: str) -> bool:
    """A known text command, with its argument if it takes one (`\\emph` at the end, or before
    `$`, would fail)."""
    if name not in TEXT_COMMANDS:
        return False
    return name not in _ARGUMENT_COMMANDS or _has_argument(rest.lstrip())


def _usable_symbol(symbol: str, rest: str, in_math: bool) -> bool:
    """`\\%`, `\\&`, `\\,` ...: a control symbol LaTeX defines where it stands (`\\!`, `\\|`, `\\>`
    only in math; never `\\(`, `\\[`, which switch math on); an accent (`\\"`) only when a letter or
    a group follows it to sit on."""
    if symbol in _ACCENTS:
        return _has_argument(rest)
    return symbol in (_MATH_SYMBOLS if in_math else _TEXT_SYMBOLS)


# Control symbols defined in LaTeX2e text mode, and those math adds.
_TEXT_SYMBOLS = frozenset("%&#_${}@,/-")
_MATH_SYMBOLS = _TEXT_SYMBOLS | frozenset(";:!|><")


_ARGUMENT = re.compile(r"[{A-Za-z0-9]|\\[ij](?![A-Za-z])")
_DOTLESS_UNDER_ACCENT = re.compile(
    r"(\\(?:['`^\"~=.]|[cvuHkrdbt](?![A-Za-z]))\s*\{?\s*)\\([ij])(?![A-Za-z])\s*"
)


def _has_argument(rest: str) -> bool:
    """`rest` starts with what a text command or accent can take: a group, an ASCII letter or
    digit, or a dotless `\\i`/`\\j`."""
    return _ARGUMENT.match(rest) is not None


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
            takes_argument = word.group()[1:] in _ARGUMENT_COMMANDS
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
    `month` as its macro name when it is a month, `year` in ASCII, `pages` with `--`, everything
    else `tex_safe`."""
    if name in VERBATIM_FIELDS:
        for char in "_%&#":  # BibTeX sources (DBLP) escape these even in verbatim fields
            value = value.replace("\\" + char, char)
        if name == "doi":
            value = strip_doi_prefix(value)
        return url_safe(value)
    text = clean_text(value)
    if name == "year":
        # A number or a word (`2020a`, `n.d.`, `in press`): biblatex loops forever on a year with
        # a non-ASCII character or an accent (`\"o`). Full-width digits are folded, the rest goes.
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return " ".join(_NOT_YEAR.sub("", text).split())
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
    return text if any(c.isalnum() for c in _CONTROL_WORD.sub("", text)) else ""


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
    part = tex_safe(clean_text(raw).translate(_DASHES), math=False)
    part = part.replace("\\textbackslash{}", " ")
    part = _EQUALS.sub("{=}", _BACKTICK.sub("'", part))
    previous = ""
    while part != previous:  # `{{}}` is empty too once its inner group is gone
        previous = part
        part = _EMPTY_GROUP.sub(lambda m: m.group() if m.group(1) else "", part)
        part = _SYMBOL_GROUP.sub(r"\1", part)
    part = _trim_word_starts(part)
    part = _WHITESPACE.sub(" ", part).strip()
    return part if any(c.isalnum() for c in _CONTROL_WORD.sub("", part)) else ""


_LETTER_COMMANDS = _word_set("i j l L o O ss SS ae AE oe OE aa AA") | _ACCENT_COMMANDS
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
        word = _CONTROL_WORD.match(text, i)
        if word:
            return word.group()[1:] in _LETTER_COMMANDS
        return text[i + 1 : i + 2] in ("{", "}", *_ACCENTS)  # `\{` keeps its partner
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
