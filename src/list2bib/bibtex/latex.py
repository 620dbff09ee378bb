"""LaTeX-safe text (`tex_safe`): specials escaped, only commands LaTeX knows, math spans pdflatex
can typeset, accents over something, braces balanced so a value never ends its entry early.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_TEX_SPECIAL = re.compile(r"[\\{}$%&#_^]")
CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
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
ARGUMENT_COMMANDS = frozenset(
    {
        "c", "v", "u", "H", "k", "r", "d", "b", "t", "emph", "textit", "textbf", "textsc",
        "texttt", "textrm", "textsf", "textsl", "textup", "textnormal", "mbox", "ensuremath",
    }
)  # fmt: skip
ACCENTS = frozenset("'`^\"~=.")


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
    if any(w.group()[1:] not in MATH_COMMANDS for w in CONTROL_WORD.finditer(body)):
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
            word = CONTROL_WORD.match(value, i)
            nxt = value[i + 1 : i + 2]
            if word and (in_math or _usable_command(word.group()[1:], value[word.end() :])):
                accent = word.group()[1:] in ACCENT_COMMANDS and not in_math
                tokens.append((word.group(), "accent" if accent else "command", group))
                i = word.end()
                continue
            if nxt in ("{", "}"):
                tokens.append(("\\" + nxt, "\\" + nxt, group))
            elif nxt == "\\":
                tokens.append(("\\," if in_math else " ", "", group))  # no space to end math on
            elif _usable_symbol(nxt, value[i + 2 :], in_math):
                tokens.append(("\\" + nxt, "accent" if nxt in ACCENTS else "", group))
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
ACCENT_COMMANDS = frozenset({"c", "v", "u", "H", "k", "r", "d", "b", "t"})
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
    return name not in ARGUMENT_COMMANDS or _has_argument(rest.lstrip())


def _usable_symbol(symbol: str, rest: str, in_math: bool) -> bool:
    """`\\%`, `\\&`, `\\,` ...: a control symbol LaTeX defines where it stands (`\\!`, `\\|`, `\\>`
    only in math; never `\\(`, `\\[`, which switch math on); an accent (`\\"`) only when a letter or
    a group follows it to sit on."""
    if symbol in ACCENTS:
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
