"""The rendered .bib compiles without a warning under pdflatex with bibtex (plain, alpha, natbib's
abbrvnat, IEEEtran) and, written for biblatex, with biber `--validate-datamodel`, in UTF-8 and in
ASCII, and reads back to the same entries."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from list2bib.bibtex.parse import parse_string
from list2bib.bibtex.render import entry_type, reference_fields, render
from list2bib.model import ListEntry, Person, Record, Reference, Status, WorkKind

LIST = ListEntry(source="awesome.md", line=12, topics=("Survey", "interpretability"), title="x")
OTHER = ListEntry(source="other list.md", line=3, topics=("Editing",), title="y")

NASTY_TITLE = (
    "Costs of {GPT}-4 } at 50% & #1: $x_1$ vs. $5 or $10 for cost_model ~ path\\to a^b "
    "with {LLMs \U0001f600\u200f\u200d\U0001f680 \x07 tab\tend"
)

REFERENCES = (
    Reference(
        "meng2022locating",
        Record(
            source="arxiv",
            entry_type="misc",
            title="Locating and editing factual associations in GPT",
            authors=(
                Person("Meng", "Kevin"),
                Person("Bau", "David"),
                Person("Belinkov", "Yonatan"),
            ),
            year="2022",
            month=2,
            arxiv_id="2202.05262",
            primary_class="cs.CL",
            kind=WorkKind.PREPRINT,
        ),
        (LIST, OTHER),
        Status.RESOLVED,
    ),
    Reference(
        "vaswani2017attention",
        Record(
            source="dblp",
            entry_type="inproceedings",
            title="Attention is All you Need",
            authors=(
                Person("Vaswani", "Ashish"),
                Person("Kaiser", "Łukasz"),
                Person("Polosukhin", "Illia"),
            ),
            year="2017",
            month=12,
            arxiv_id="1706.03762",
            primary_class="cs.CL",
            url="https://proceedings.neurips.cc/paper/2017/hash/3f5ee243547dee91fbd053c1c4a845aa-Abstract.html",
            venue={
                "booktitle": "Advances in Neural Information Processing Systems",
                "volume": "30",
                "pages": "5998–6008",
                "publisher": "Curran Associates, Inc.",
            },
        ),
        (LIST,),
        Status.RESOLVED,
    ),
    Reference(
        "godel1931uber",
        Record(
            source="crossref",
            entry_type="article",
            title="Über formal unentscheidbare Sätze der Principia Mathematica und "
            "verwandter Systeme I",
            authors=(Person("Gödel", "Kurt"),),
            year="1931",
            month=12,
            doi="https://doi.org/10.1007/BF01700692",
            url="https://doi.org/10.1007%2Fbf01700692",
            venue={
                "journal": "Monatshefte für Mathematik und Physik",
                "volume": "38",
                "number": "1",
                "pages": "173--198",
                "publisher": "Springer Nature",
            },
        ),
        (LIST,),
        Status.RESOLVED,
    ),
    Reference(
        "wubben2004near",
        Record(
            source="crossref",
            entry_type="article",
            title=NASTY_TITLE,
            authors=(
                Person("Wübben", "Dirk"),
                Person("Johnson and Johnson", literal=True),
                Person("van der Putten", "Peter"),
                Person("OpenAI", literal=True),
            ),
            year="2004",
            doi="10.1000/a_b%20c",
            venue={
                "journal": "Journal of R&D #5 {Special} 100% _issue_",
                "volume": "1",
                "number": "2",
                "pages": "1-10",
                "note": "Reprinted \u200f with a lone \\ backslash and } brace 😀",
            },
        ),
        (LIST,),
        Status.RESOLVED,
    ),
    Reference(
        "ozturk2019names",  # family and given names whose first letter is not ASCII
        Record(
            source="crossref",
            entry_type="article",
            title="Names with a first letter 8-bit BibTeX would split",
            authors=(Person("Öztürk", "Ayşe"), Person("Łukaszewicz", "Émile-Ádám")),
            year="2019",
            venue={"journal": "Journal of Names", "volume": "3", "pages": "1--9"},
        ),
        (LIST,),
        Status.RESOLVED,
    ),
    Reference(
        "hu2021lora",
        Record(
            source="openreview",
            entry_type="inproceedings",
            title="LoRA: Low-rank adaptation of LLMs with CLIP, BERT and ChatGPT on the iPhone "
            "at NeurIPS, a study of Bayesian AI in Mamba",
            authors=(Person("Hu", "Edward J."),),
            year="2022",
            venue={"booktitle": "International Conference on Learning Representations"},
        ),
        (OTHER,),
        Status.RESOLVED,
    ),
    Reference(
        "elhage2022toy",
        Record(
            source="html_meta",
            entry_type="misc",
            title="Toy Models of Superposition",
            authors=(Person("Elhage", "Nelson"),),
            year="2022",
            month=9,
            url="https://transformer-circuits.pub/2022/toy_model/index.html#motivation",
            kind=WorkKind.WEB,
        ),
        (LIST,),
        Status.RESOLVED,
    ),
    Reference(
        "someblog",
        Record(
            source="list",
            entry_type="misc",
            title="Some unverified post @home",
            url="https://blog.example.org/posts/some post/ünïcode?x=1&y=2",
            kind=WorkKind.UNRESOLVED,
        ),
        (OTHER,),
        Status.UNRESOLVED,
    ),
)

HEADER = "Written by list2bib @ test: sorted by key.\nSecond line, ünïcode."

PLAIN_DOC = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\begin{document}
See \cite{meng2022locating}.
\nocite{*}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""

# Styles and the packages each needs: abbrvnat and IEEEtran print `url` with \url, which must
# be the url package's (verbatim `#`, `_`, `%`). IEEEtran comes from texlive-publishers (skipped
# without it).
STYLES = {
    "plain": "",
    "alpha": "",
    "abbrvnat": r"\usepackage{natbib}\usepackage{url}",
    "IEEEtran": r"\usepackage{url}",
}

# Styles that print given names as initials, and how they abbreviate `Émile-Ádám`.
ABBREVIATING = frozenset({"abbrvnat", "IEEEtran"})
INITIALS = r"{\'E}.-{\'A}. {\L}ukaszewicz"


def _bibtex_doc(style: str) -> str:
    return PLAIN_DOC.replace("{plain}", "{" + style + "}").replace(
        r"\begin{document}", STYLES[style] + "\n\\begin{document}"
    )


BIBLATEX_DOC = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage[backend=biber]{biblatex}
\addbibresource{refs.bib}
\begin{document}
See \cite{meng2022locating}.
\nocite{*}
\printbibliography
\end{document}
"""


def _need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")


def _run(folder: Path, *command: str) -> str:
    done = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=120
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{output[-4000:]}"
    return output


def _pdflatex(folder: Path) -> str:
    # -draftmode: the log is all we check, and no font bitmaps need to be made for a PDF.
    _run(folder, "pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-draftmode", "doc")
    return (folder / "doc.log").read_text(encoding="utf-8", errors="replace")


def _assert_clean_latex_log(log: str) -> None:
    problems = [
        line
        for line in log.splitlines()
        if re.search(r"Warning|undefined|Missing character|^!", line)
    ]
    assert not problems, "\n".join(problems)


def _need_style(style: str) -> None:
    found = subprocess.run(["kpsewhich", f"{style}.bst"], capture_output=True, text=True)
    if not found.stdout.strip():
        pytest.skip(f"{style}.bst is not installed")


def _compile(tmp_path: Path, text: str, document: str, backend: str) -> tuple[str, str]:
    (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(document, encoding="utf-8")
    _pdflatex(tmp_path)
    # biber checks every entry against biblatex's datamodel (types, fields, mandatory dates)
    command = (backend, "--validate-datamodel") if backend == "biber" else (backend,)
    output = _run(tmp_path, *command, "doc")
    _pdflatex(tmp_path)
    log = _pdflatex(tmp_path)
    return output + (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace"), log


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("ascii", [False, True], ids=["utf8", "ascii"])
def test_bibtex_compiles_without_warnings(tmp_path: Path, ascii: bool, style: str) -> None:
    _need("pdflatex", "bibtex", "kpsewhich")
    _need_style(style)
    report, log = _compile(
        tmp_path, render(REFERENCES, ascii=ascii, header=HEADER), _bibtex_doc(style), "bibtex"
    )
    assert "Warning--" not in report, report
    assert "error message" not in report, report
    _assert_clean_latex_log(log)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count(r"\bibitem") == len(REFERENCES)
    assert "arXiv preprint arXiv:2202.05262" in bbl
    if style != "IEEEtran":  # IEEEtran keeps a title's case: nothing to protect
        assert "{GPT}" in bbl  # protected through the style's lower-casing of titles
    # A non-ASCII first letter is one character to BibTeX: whole in initials and alpha labels.
    if style in ABBREVIATING:
        assert INITIALS in bbl and r"{\L}.~Kaiser" in bbl
    if style == "alpha":
        assert r"\bibitem[{\"O}{\L}19]{ozturk2019names}" in bbl


@pytest.mark.parametrize("ascii", [False, True], ids=["utf8", "ascii"])
def test_biblatex_biber_compiles_without_warnings(tmp_path: Path, ascii: bool) -> None:
    _need("pdflatex", "biber", "kpsewhich")
    found = subprocess.run(["kpsewhich", "biblatex.sty"], capture_output=True, text=True)
    if not found.stdout.strip():
        pytest.skip("biblatex.sty is not installed")
    text = render(REFERENCES, ascii=ascii, header=HEADER, biblatex=True)
    report, log = _compile(tmp_path, text, BIBLATEX_DOC, "biber")
    assert not re.search(r"\b(WARN|ERROR)\b", report), report
    _assert_clean_latex_log(log)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count(r"\entry{") == len(REFERENCES)
    assert r"\field{eprinttype}{arxiv}" in bbl
    assert r"\field{journaltitle}{Monatshefte" in bbl
    assert r"\entry{elhage2022toy}{online}" in bbl
    assert r"\field{eprintclass}{cs.CL}" in bbl


@pytest.mark.parametrize("ascii", [False, True], ids=["utf8", "ascii"])
def test_rendered_file_reads_back_to_the_same_entries(ascii: bool) -> None:
    text = render(REFERENCES, ascii=ascii, header=HEADER)
    entries = parse_string(text)
    ordered = sorted(REFERENCES, key=lambda ref: ref.key.casefold())
    assert [entry.key for entry in entries] == [ref.key for ref in ordered]
    for entry, ref in zip(entries, ordered, strict=True):
        written = {name.lower(): value for name, value in reference_fields(ref)}
        assert entry.entry_type == entry_type(ref)
        assert list(entry.fields) == list(written)
        if ascii:
            assert all(value.isascii() for value in entry.fields.values())
        else:
            assert entry.fields == written
    if ascii:
        assert text.isascii()


GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "papers.bib"


@pytest.mark.parametrize("style", list(STYLES))
def test_end_to_end_golden_bibliography_compiles(tmp_path: Path, style: str) -> None:
    """The file the example list produces (tests/system/test_pipeline.py keeps it current) compiles
    cleanly with every BibTeX style."""
    _need("pdflatex", "bibtex", "kpsewhich")
    _need_style(style)
    text = GOLDEN.read_text(encoding="utf-8")
    report, log = _compile(tmp_path, text, _bibtex_doc(style), "bibtex")
    assert "Warning--" not in report and "error message" not in report, report
    _assert_clean_latex_log(log)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count(r"\bibitem") == text.count("\n@")


REAL_LISTS = Path(__file__).resolve().parents[3] / "shared" / "lists"


@pytest.mark.skipif(not REAL_LISTS.is_dir(), reason="../shared/lists not present")
@pytest.mark.parametrize(
    ("backend", "style"), [("bibtex", "plain"), ("bibtex", "abbrvnat"), ("biber", "biblatex")]
)
def test_real_lists_compile(tmp_path: Path, backend: str, style: str) -> None:
    """Every entry of the real paper lists (offline: each becomes a placeholder built from the
    list's own text, with its odd quotes, dashes, emoji and markup, most of them undated)
    compiles cleanly: as BibTeX with bibtex, as biblatex with biber."""
    _need("pdflatex", backend)
    from list2bib import pipeline
    from list2bib.config import Config

    lists = sorted(p for p in REAL_LISTS.glob("*.md") if p.name != "README.md")
    config = Config(
        output=tmp_path / "refs.bib",
        cache_dir=tmp_path / "cache",
        offline=True,
        format="biblatex" if backend == "biber" else "bibtex",
    )
    result = pipeline.build(lists, config)
    assert len(result.references) > 500
    text = config.output.read_text(encoding="utf-8")
    document = _bibtex_doc(style) if backend == "bibtex" else BIBLATEX_DOC
    report, log = _compile(tmp_path, text, document.replace(r"See \cite{meng2022locating}.", ""),
                           backend)  # fmt: skip
    assert "Warning--" not in report and "error message" not in report, report
    assert not re.search(r"\b(WARN|ERROR)\b", report), report
    _assert_clean_latex_log(log)
