"""The BibTeX dialect under the real 8-bit bibtex: names and `key` whose letters have no LaTeX name
(Cyrillic, Greek, CJK, Þ, Đ) or sit among alpha's three label letters give a .bbl that is valid
UTF-8, prints the names as they are, abbreviates and labels whole letters and sorts by them;
the file reads back to the same names, and the biblatex dialect does not change."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from list2bib.bibtex.letters import braced_initials, plain_letters, special_key
from list2bib.bibtex.parse import parse_string
from list2bib.bibtex.render import render
from list2bib.bibtex.values import name_value
from list2bib.model import ListEntry, Person, Record, Reference, Status
from list2bib.resolve.bibinput import input_record
from list2bib.text.titles import latex_to_text

LIST = ListEntry("list.md", 1, (), "t")


def article(key: str, *authors: Person, year: str = "2019", **venue: str) -> Reference:
    record = Record(
        "crossref",
        "article",
        f"On {key}",
        authors,
        year=year,
        venue={"journal": "Journal of Names", **venue},
    )
    return Reference(key, record, (LIST,), Status.RESOLVED)


def report(key: str, organization: str) -> Reference:
    record = Record(
        "page", "misc", f"On {key}", (), year="2020", venue={"organization": organization}
    )
    return Reference(key, record, (LIST,), Status.RESOLVED)


# key -> (authors, the alpha label, given name initials as abbrv prints the first author)
CASES = {
    "ivanov": ((Person("Иванов", "Пётр"),), "Ива19", "П."),
    "papadopoulos": ((Person("Παπαδόπουλος", "Γιώργος"),), "Παπ19", "Γ."),
    "wang": ((Person("王", "小明"),), "王19", "小."),
    "thorsson": ((Person("Þórsson", "Þór"),), "Þór19", "Þ."),
    "dukic": ((Person("Đukić", "Đuro"),), "Đuk19", "Đ."),
    "zolw": ((Person("Żółw", "Jan"),), "Żół19", "J."),
    "odegaard": ((Person("Ødegaard", "Åse"),), "Øde19", "Å."),
    "obrien": ((Person("O’Brien", "Ann"),), "O’B19", "A."),
    "two": ((Person("Жуков", "Юрий"), Person("Ле-Пен", "Ма")), "ЖЛП19", "Ю."),  # as `LP`
    "institute": ((Person("Институт проблем", literal=True),), "Инс19", ""),
    "anders": ((Person("Anders", "Bo"),), "And19", "B."),
    "zeta": ((Person("Zeta", "Bo"),), "Zet19", "B."),
}
REFERENCES = [article(key, *authors) for key, (authors, _, _) in CASES.items()]
REPORT = report("academy", "Академия наук")  # no author: alpha labels it by `key`
ALL = [*REFERENCES, REPORT]
STYLES = ("plain", "alpha", "abbrv", "abbrvnat", "IEEEtran")


def _need(*tools: str) -> None:
    if missing := [tool for tool in tools if shutil.which(tool) is None]:
        pytest.skip(f"not installed: {', '.join(missing)}")


def _bbl(folder: Path, text: str, style: str) -> tuple[str, str]:
    """The .bbl bibtex writes for every entry of `text` (decoded strictly) and its log."""
    _need("bibtex", "kpsewhich")
    found = subprocess.run(["kpsewhich", f"{style}.bst"], capture_output=True, text=True)
    if not found.stdout.strip():
        pytest.skip(f"{style}.bst is not installed")
    (folder / "refs.bib").write_text(text, encoding="utf-8")
    aux = f"\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n"
    (folder / "doc.aux").write_text(aux, encoding="utf-8")
    done = subprocess.run(["bibtex", "doc"], cwd=folder, capture_output=True, timeout=60)
    log = (folder / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log
    return (folder / "doc.bbl").read_bytes().decode("utf-8"), log  # raises on half a letter


def _items(bbl: str) -> dict[str, tuple[str, str]]:
    """key -> (label, the text up to the first \\newblock, as plain text)."""
    items = {}
    for chunk in bbl.split("\\bibitem")[1:]:
        found = re.match(r"(?:\[(.*?)\])?\{([^}]*)\}", chunk, re.DOTALL)
        assert found, chunk
        label = (found.group(1) or "").replace("\n", " ")
        names = " ".join(chunk[found.end() :].split("\\newblock")[0].split())
        items[found.group(2)] = (latex_to_text(label), latex_to_text(names))
    return items


@pytest.mark.parametrize("style", STYLES)
def test_bbl_is_valid_utf8_with_whole_letters(tmp_path: Path, style: str) -> None:
    bbl, log = _bbl(tmp_path, render(ALL), style)
    assert "Warning--" not in log, log
    items = _items(bbl)
    assert set(items) == {ref.key for ref in ALL}
    for key, (authors, label, initial) in CASES.items():
        text = items[key][1].replace("\xa0", " ").replace("~", " ")
        family = authors[0].family
        assert family in text, (style, key, text)  # printed as it is
        if style in ("abbrv", "abbrvnat", "IEEEtran") and initial:
            assert f"{initial} {family}" in text, (style, key, text)
        elif initial:
            assert f"{authors[0].given} {family}" in text, (style, key, text)
        if style == "alpha":
            assert items[key][0] == label, (key, items[key])
    if style == "alpha":
        assert items[REPORT.key][0] == "Ака20"
    if style in ("plain", "alpha", "abbrv"):
        # sorted by the letters: Þ (U+00DE) after every ASCII name, Cyrillic after Greek
        order = [key for key in items if key in ("anders", "zeta", "thorsson", "ivanov")]
        assert order == ["anders", "zeta", "thorsson", "ivanov"], list(items)
    if style == "abbrvnat":  # its citation label: the family names as written
        assert "\\bibitem[{\\relax{}И}{\\relax{}в}{\\relax{}а}нов(2019)]{ivanov}" in bbl


def test_before_the_change_bibtex_splits_a_letter(tmp_path: Path) -> None:
    """What the test above guards against: the same names as plain UTF-8 (biblatex's form read by
    8-bit bibtex) give a .bbl that is not UTF-8."""
    text = render([article("ivanov", Person("Иванов", "Пётр"))], biblatex=True)
    with pytest.raises(UnicodeDecodeError):
        _bbl(tmp_path, text.replace("@article", "@article", 1), "alpha")


DOC = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{url}PACKAGES
\begin{document}
\nocite{*}
\bibliographystyle{STYLE}
\bibliography{refs}
\end{document}
"""
# Letters the T1 fonts have (Cyrillic, Greek and CJK need fonts this setup does not load).
LATIN = [
    ref for ref in REFERENCES if ref.key in ("thorsson", "dukic", "zolw", "odegaard", "obrien")
]


@pytest.mark.parametrize("style", ["plain", "alpha", "abbrvnat", "IEEEtran"])
def test_latin_letters_compile_without_warnings(tmp_path: Path, style: str) -> None:
    _need("pdflatex")
    _bbl(tmp_path, render(LATIN), style)  # skips a style that is not installed
    packages = r"\usepackage{natbib}" if style == "abbrvnat" else ""
    (tmp_path / "doc.tex").write_text(
        DOC.replace("STYLE", style).replace("PACKAGES", packages), encoding="utf-8"
    )
    for _ in range(2):
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-draftmode", "doc"],
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
        )
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log[-3000:]
    problems = [line for line in log.splitlines() if re.search(r"Warning|Invalid UTF-8|^!", line)]
    assert not problems, "\n".join(problems)


BIBER_DOC = DOC.replace(
    "PACKAGES", "\n\\usepackage[backend=biber]{biblatex}\\addbibresource{refs.bib}"
).replace("\\bibliographystyle{STYLE}\n\\bibliography{refs}", "\\printbibliography")


def test_biber_reads_the_bibtex_dialect_letters_whole(tmp_path: Path) -> None:
    """biber makes every space of a name a name delimiter, inside braces too: `{\\relax{}И}` has
    none, so the name biber hands biblatex is the letters, and its initials whole letters."""
    _need("pdflatex", "biber", "kpsewhich")
    found = subprocess.run(["kpsewhich", "biblatex.sty"], capture_output=True, text=True)
    if not found.stdout.strip():
        pytest.skip("biblatex.sty is not installed")
    (tmp_path / "refs.bib").write_text(render(REFERENCES), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBER_DOC, encoding="utf-8")
    # the first run writes doc.bcf; no bibliography is typeset yet, so no font is missing
    subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-draftmode", "doc"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    done = subprocess.run(
        ["biber", "--validate-datamodel", "doc"], cwd=tmp_path, capture_output=True, timeout=120
    )
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 0 and "WARN" not in output, output
    bbl = (tmp_path / "doc.bbl").read_bytes().decode("utf-8")
    assert "family={{\\relax{}И}{\\relax{}в}{\\relax{}а}нов}" in bbl
    assert "familyi={И\\bibinitperiod}" in bbl and "giveni={П\\bibinitperiod}" in bbl
    assert "{\\relax{}И}{\\relax{}н}{\\relax{}с}{{}титут\\bibnamedelimb проблем}" in bbl


def test_biblatex_output_stays_utf8() -> None:
    """biber reads Unicode: the biblatex dialect has no special characters, and it is the same
    whether the names come from the services or from the BibTeX dialect read back."""
    text = render(ALL, biblatex=True)
    for ref in REFERENCES:  # each name as `name_value` writes it, as before the 8-bit forms
        names = " and ".join(name_value(person) for person in ref.record.authors)
        assert f"@article{{{ref.key},\n  author = {{{names}}},\n" in text
    assert "\\relax" not in text and "\\relax" not in render(ALL, ascii=True)
    assert "author = {Иванов, Пётр}," in text
    assert "author = {{Институт проблем}}," in text
    again = [_read_back(ref) for ref in ALL]
    assert render(again, biblatex=True) == text


def test_ascii_output_reads_back_as_letters() -> None:
    """`--ascii` writes `{\\CYRZH}`: read back, it is `Ж` again, then written as UTF-8 would be."""
    for key in ("ivanov", "thorsson", "two", "institute"):
        ref = next(ref for ref in REFERENCES if ref.key == key)
        again = _read_back(ref, ascii=True)
        assert again.record.authors == ref.record.authors
        assert render([again]) == render([ref])


def _read_back(ref: Reference, *, ascii: bool = False) -> Reference:
    """`ref` as list2bib reads its own BibTeX-dialect entry (a .bib given as a list)."""
    (entry,) = parse_string(render([ref], ascii=ascii))
    fields = tuple(entry.fields.items())
    entry_type = entry.entry_type
    record = input_record(ListEntry("refs.bib", 1, (), "", fields=fields, entry_type=entry_type))
    return Reference(ref.key, record, ref.entries, ref.status)


def test_names_read_back_as_letters_and_write_the_same_file() -> None:
    for ref in ALL:
        again = _read_back(ref)
        assert again.record.authors == ref.record.authors  # `Иванов`, not `{\relax{}И}...`
        assert render([again]) == render([ref])


# No comma: text.names.split_name reads `Z, {Z,}` as `{Z Z}` with or without these letters.
names = st.text(st.sampled_from("aZ Жж王ÞöŁ’-.{}~Ó«%`"), min_size=1, max_size=10)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.builds(Person, names, names, st.booleans()))
@example(Person("Þ{ «}", "Z"))  # a letter behind \relax before a group it did not lift
@example(Person("ÞЖ{Z}«", "Z"))  # a group counts its characters: `«` is the fourth
@example(Person("{Ó}{«}", "Z"))
@example(Person("Ó%", "Z", literal=True))  # the rest opens with a command: `{{}\%}`
@example(Person("{Z« }", "Z"))
@example(Person(".", "Þ{«}"))  # a one-part name from the given name
def test_any_name_reads_back_and_is_written_the_same(person: Person) -> None:
    ref = article("any2019name", person)
    text = render([ref])
    again = _read_back(ref)
    assert render([again]) == text
    (entry,) = parse_string(text)
    written = entry.fields.get("author", "")
    assert braced_initials(written) == written  # bracing again changes nothing
    assert _text(plain_letters(written)) == _text(written)


def _text(value: str) -> str:
    return latex_to_text("{}" + value)  # decoded even with no markup (`--` is a dash)


@pytest.mark.parametrize(
    ("key", "written"),
    [
        ("Академия наук", r"{\relax{}А}{\relax{}к}{\relax{}а}демия наук"),
        ("Øre AB", r"{\O}re AB"),
        ("A «b»", r"A {\relax{}«}b»"),
        ("OpenAI", "OpenAI"),
        ("{Ü}ber", "{Ü}ber"),  # text.prefix$ counts inside a plain group: left as it is
    ],
)
def test_special_key(key: str, written: str) -> None:
    assert special_key(key) == written
    assert plain_letters(written) == key or latex_to_text(written) == latex_to_text(key)
