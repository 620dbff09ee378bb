"""Hostile strings from every way in: a Markdown list's titles, a user's .bib entries and the
services' answers (a fixture world whose papers have hostile titles, authors and venues), through
the real pipeline against the fake services.

The written file is valid BibTeX (bibtexparser parses it with no failed block, one entry per
work: none swallows or injects another, keys as expected), holds no raw control or invisible
format character, and compiles with pdflatex+bibtex and with pdflatex+biber.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest
from test_latex import BIBLATEX_DOC, PLAIN_DOC, _assert_clean_latex_log, _compile, _need

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.bibtex.parse import parse_string
from list2bib.bibtex.render import render
from list2bib.errors import InputError
from list2bib.model import ListEntry, Person, Record, Reference, Status
from list2bib.read.dispatch import read_list

HOSTILE = {
    "close": "a } b",
    "open": "a { b",
    "at": "user@host @misc",
    "percent": "50% off",
    "backslash": "path\\to \\ x\\",
    "hash": "#1 #define",
    "tilde": "~user ~~",
    "dollar": "$5 and $x_1$ $",
    "amp": "R&D & co",
    "underscore": "snake_case _x_",
    "caret": "a^b ^^M ^",
    "open3": "{{{ unbalanced",
    "close2": "unbalanced }}",
    "fake_entry": "}\n@misc{evil, title={x}",
    "nul": "nul\x00byte",
    "escape": "esc\x1b[31m",
    "cr": "car\rriage",
    "tab": "ta\tb",
    "formfeed": "form\x0cfeed",
    "line_separator": "line\u2028sep",
    "rlm": "right\u200fmark",
    "override": "\u202eoverride\u202c",
    "zwj": "zero\u200dwidth \U0001f468\u200d\U0001f469",
    "emoji": "rocket \U0001f680 \u2764\ufe0f",
    "combining": "Cafe\u0301 \u0301orphan",
    "tex_commands": "\\input{/etc/passwd} \\def\\x{y} $\\end{document}$ \\csname",
}
# What cannot be in a file at all: XML 1.0 (arXiv's Atom feed) has no C0 control but tab, CR, LF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Written files hold none of these: C0 controls but the line feed, DEL, C1, line/paragraph
# separators, and format characters (bidi marks and overrides, joiners, BOM).
_INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")

CASES = list(HOSTILE.items())


def _markdown_list(folder: Path) -> Path:
    """One entry per hostile string in a Markdown title; the linked arXiv ids exist nowhere, so
    each entry is written as a placeholder built from the list's own title."""
    lines = ["# Hostile list", "", "## Titles", ""]
    for number, (name, evil) in enumerate(CASES):
        title = evil.replace("\x00", "").replace("\n", " ")  # a list cannot hold a NUL: see below
        title = title.replace("[", "\\[").replace("]", "\\]")  # link text: brackets escaped
        lines.append(f"- [List {name} {title} end](https://arxiv.org/abs/2301.{number:05d})")
    path = folder / "hostile.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _bib_escaped(text: str) -> str:
    """`text` as a careful user writes it into a .bib value: braces and backslashes escaped, so
    that the file itself is valid."""
    return text.replace("\\", "\\textbackslash ").replace("{", "\\{").replace("}", "\\}")


def _bib_list(folder: Path) -> Path:
    entries = []
    for name, evil in CASES:
        value = _bib_escaped(evil.replace("\x00", ""))
        entries.append(
            f"@article{{user_{name},\n  title = {{Bib {name} {value} end}},\n"
            f"  author = {{Doe, Jane {value} and {{{value} Lab}}}},\n"
            f"  journal = {{Journal {value}}},\n  note = {{{value}}},\n  year = {{2021}},\n}}\n"
        )
    path = folder / "hostile.bib"
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def _hostile_world() -> World:
    """The fixture world plus one Crossref work and one arXiv work per hostile string."""
    world = World.load().copy()
    for number, (name, evil) in enumerate(CASES):
        world.add(
            {
                "key": f"crossref_{name}",
                "title": f"Crossref {name} {evil} end",
                "authors": [
                    {"given": f"Ann {evil}", "family": f"Crossref{name} {evil}"},
                    {"name": f"{evil} Consortium"},
                ],
                "crossref": {
                    "doi": f"10.9999/hostile.{number}",
                    "type": "journal-article",
                    "container": f"Journal of {evil}",
                    "issued": [2020, 1, 2],
                    "volume": "1",
                    "page": "1-2",
                    "publisher": f"Publisher {evil}",
                },
            }
        )
        xml_safe = _NOT_XML.sub("", evil)
        world.add(
            {
                "key": f"arxiv_{name}",
                "title": f"Arxiv {name} {xml_safe} end",
                "authors": [{"given": f"Bob {xml_safe}", "family": f"Arxiv{name} {xml_safe}"}],
                "arxiv": {
                    "id": f"2401.{number:05d}",
                    "versions": ["2024-01-02T10:00:00Z"],
                    "primary": "cs.CL",
                    "categories": ["cs.CL"],
                    "summary": f"About {xml_safe}.",
                    "comment": xml_safe,
                },
            }
        )
    return world


def _service_list(folder: Path) -> Path:
    lines = ["# Services", "", "## Answers", ""]
    for number, (name, _) in enumerate(CASES):
        lines.append(f"- [Crossref {name}](https://doi.org/10.9999/hostile.{number})")
        lines.append(f"- [Arxiv {name}](https://arxiv.org/abs/2401.{number:05d})")
    path = folder / "services.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


KEPT = (
    "@misc{kept_by_hand,\n  title = {Kept {\\'E}cole \\{x\\} 100\\% \\#1 user@host},\n"
    '  author = {{R\\&D} and M{\\"u}ller, J{\\"o}rg},\n  year = {2020},\n}'
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """One build of all three lists against the hostile world, in UTF-8 and in ASCII; the
    output file already holds a hand-written entry no list produces."""
    folder = tmp_path_factory.mktemp("hostile")
    lists = [_markdown_list(folder), _bib_list(folder), _service_list(folder)]
    outputs: dict[str, Path] = {}
    with FakeServices(_hostile_world()) as fakes:
        for mode in ("utf8", "ascii"):
            run = folder / mode
            config = fakes.config(run, ascii=mode == "ascii")
            config.output.parent.mkdir(parents=True)
            config.output.write_text(KEPT + "\n", encoding="utf-8")
            result = pipeline.build(lists, config, clock=FakeClock())
            assert result.written
            outputs[mode] = config.output
    yield outputs


def _expected_keys() -> set[str]:
    return {f"user_{name}" for name in HOSTILE} | {"kept_by_hand"}


@pytest.mark.parametrize("mode", ["utf8", "ascii"])
def test_hostile_input_gives_one_valid_entry_per_work(built: dict[str, Path], mode: str) -> None:
    text = built[mode].read_text(encoding="utf-8")
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    keys = [entry.key for entry in library.entries]
    assert len(keys) == len(set(keys)) == 4 * len(HOSTILE) + 1  # list, bib, crossref, arXiv, kept
    assert [entry.key for entry in parse_string(text)] == keys
    assert _expected_keys() <= set(keys)
    assert all(re.fullmatch(r"[A-Za-z0-9_:.-]+", key) for key in keys)
    fields = [{f.key.lower(): str(f.value) for f in entry.fields} for entry in library.entries]
    for number, (name, _) in enumerate(CASES):  # each work is in exactly one entry
        assert [f.get("doi") for f in fields].count(f"10.9999/hostile.{number}") == 1, name
        assert [f.get("eprint") for f in fields].count(f"2401.{number:05d}") == 1, name
        assert [f.get("eprint") for f in fields].count(f"2301.{number:05d}") == 1, name
    titles = " ".join(f.get("title", "") for f in fields)
    assert "evil" not in keys and not re.search(r"^\s*@\s*misc\s*\{\s*evil", text, re.MULTILINE)
    for word in ("List", "Bib", "Crossref", "Arxiv"):
        assert titles.count(f"{word} ") >= len(HOSTILE), word
    if mode == "ascii":
        assert text.isascii()


@pytest.mark.parametrize("mode", ["utf8", "ascii"])
def test_no_control_or_invisible_character_is_written(built: dict[str, Path], mode: str) -> None:
    text = built[mode].read_text(encoding="utf-8")
    assert not _INVISIBLE.search(text.replace("\n", "")), repr(_INVISIBLE.findall(text))
    assert not [char for char in text if unicodedata.category(char) == "Cf"]
    assert "\U0001f680" not in text  # emoji are dropped: no text font has them
    assert "\u0301orphan" not in text  # a combining mark with no letter under it is dropped
    if mode == "utf8":
        assert "Café" in text  # visible Unicode is kept, composed


def test_the_hand_written_entry_is_kept_verbatim(built: dict[str, Path]) -> None:
    assert KEPT in built["utf8"].read_text(encoding="utf-8")


def test_written_values_keep_the_visible_text(built: dict[str, Path]) -> None:
    """Sanitising drops what is invisible or dangerous, not the words around it."""
    entries = {e.key: e.fields for e in parse_string(built["utf8"].read_text(encoding="utf-8"))}
    percent = entries["user_percent"]
    assert percent["title"].startswith("Bib percent 50\\% off")
    assert entries["user_amp"]["journal"] == "Journal R\\&D \\& co"
    assert entries["user_escape"]["note"] == "esc[31m"
    assert "right mark" not in entries["user_rlm"]["title"]  # the mark goes, no space is added
    assert "rightmark" in entries["user_rlm"]["title"]


@pytest.mark.parametrize("backend", ["bibtex", "biber"])
@pytest.mark.parametrize("mode", ["utf8", "ascii"])
def test_hostile_bibliography_compiles(
    built: dict[str, Path], tmp_path: Path, backend: str, mode: str
) -> None:
    _need("pdflatex", backend)
    if backend == "biber":
        found = subprocess.run(["kpsewhich", "biblatex.sty"], capture_output=True, text=True)
        if not found.stdout.strip():
            pytest.skip("biblatex.sty is not installed")
    text = built[mode].read_text(encoding="utf-8")
    document = (PLAIN_DOC if backend == "bibtex" else BIBLATEX_DOC).replace(
        r"See \cite{meng2022locating}.", ""
    )
    report, log = _compile(tmp_path, text, document, backend)
    assert "error message" not in report and not re.search(r"\bERROR\b", report), report
    _assert_clean_latex_log(log)
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    items = bbl.count(r"\bibitem") if backend == "bibtex" else bbl.count(r"\entry{")
    assert items == text.count("\n@") + text.startswith("@")


# --- input that cannot be read: one line, naming the file ----------------------------------------


def test_a_list_with_a_nul_byte_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text("# L\n\n- [A \x00 title](https://arxiv.org/abs/2202.05262)\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_list(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:3:") and "\n" not in message


@pytest.mark.parametrize(
    "value",
    [
        "a } b",  # closes the value early; what follows is no field
        "}\n@misc{evil, title={x}",  # an entry start inside a value
        "{{{ unbalanced",
    ],
)
def test_a_bib_whose_value_breaks_out_is_refused_in_one_line(tmp_path: Path, value: str) -> None:
    """A raw brace or entry start in a user's value breaks the file itself: it is named, not
    read as two entries or as one entry that swallowed the next."""
    path = tmp_path / "refs.bib"
    path.write_text(
        f"@misc{{victim,\n  title = {{{value}}},\n}}\n\n@misc{{next, title = {{Next}}}}\n",
        encoding="utf-8",
    )
    try:
        entries = read_list(path)
    except InputError as error:
        assert str(path) in str(error) and "\n" not in str(error)
        return
    assert [entry.key for entry in entries] == ["victim", "next"]


def test_hostile_keys_in_a_bib_list_are_refused_before_any_lookup(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    for key in ("a\x1bb", "rtl\u202ekey", "c#d", "e%f"):
        path.write_text(f"@misc{{{key}, title = {{T}}}}\n", encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_list(path)
        assert f"{path}:1:" in str(caught.value) and "\n" not in str(caught.value)


def test_a_hostile_world_build_is_stable(tmp_path: Path) -> None:
    """A second run over the same answers writes the same file (nothing drifts)."""
    folder = tmp_path / "lists"
    folder.mkdir()
    lists = [_bib_list(folder), _service_list(folder)]
    with FakeServices(_hostile_world()) as fakes:
        config = fakes.config(tmp_path)
        pipeline.build(lists, config, clock=FakeClock())
        first = config.output.read_text(encoding="utf-8")
        second = pipeline.build(lists, config, clock=FakeClock())
    assert not second.written
    assert config.output.read_text(encoding="utf-8") == first


# --- strings that once broke the file, the compile or the next run ----------------------------

TEX_HAZARDS = [
    ("title", "Empty math $}}$ would open display math"),
    ("title", r"Unclosed \emph{group and \LaTeX}glued"),
    ("title", r"A {braced} title with \LaTeX lower-cased by plain"),
    ("title", r"Math with $\end{document}$ and $\input{x}$ and $\foo$"),
    ("title", "Scripts $x^~~$ and $a_$ and $b_1_2$ and $^^M$"),
    ("title", r"Accents \~W \"t \'{} \c{} \H{o} Mart\'\i n"),
    ("title", r"Control symbols \( \[ \! \< \? \/ \-"),
    ("year", '\\"o'),
    ("year", "ŋ"),
    ("family", "`"),
    ("family", "--"),
    ("family", "{}x {\\textasciitilde{}} y"),
    ("given", "given=x"),
    ("given", "a, b, c,, d"),
    ("given", "\\textbackslash{}\\textasciicircum{}{‘}x"),
    ("given", "Jean–Luc …x ‘y"),
    ("topic", "thin\\,space, and commas"),
]


def test_tex_hazards_are_written_as_valid_compilable_bibtex(tmp_path: Path) -> None:
    refs = []
    for number, (where, value) in enumerate(TEX_HAZARDS):
        person = Person(
            value if where == "family" else "Doe", value if where == "given" else "Jane"
        )
        record = Record(
            "crossref",
            "misc",
            value if where == "title" else f"Hazard {number}",
            (person,),
            year=value if where == "year" else "2020",
            url="https://[::1" if number == 0 else None,  # not a URL at all
        )
        topics = (value,) if where == "topic" else ("Hazards",)
        entry = ListEntry("hazards.md", number + 1, topics, "t")
        refs.append(Reference(f"hazard{number}", record, (entry,), Status.RESOLVED))
    for ascii in (False, True):
        text = render(refs, ascii=ascii)
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == []
        assert [e.key for e in library.entries] == sorted(r.key for r in refs)
        for backend in ("bibtex", "biber"):
            _need("pdflatex", backend)
            document = (PLAIN_DOC if backend == "bibtex" else BIBLATEX_DOC).replace(
                r"See \cite{meng2022locating}.", ""
            )
            folder = tmp_path / f"{backend}-{ascii}"
            folder.mkdir()
            if backend == "biber":  # biber reads the biblatex dialect and checks its datamodel
                text = render(refs, ascii=ascii, biblatex=True)
            report, log = _compile(folder, text, document, backend)
            assert "error message" not in report and not re.search(r"\bERROR\b", report), report
            _assert_clean_latex_log(log)


def test_links_that_are_no_urls_do_not_stop_a_list(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(
        "# L\n\n## P\n\n- [A paper](https://[::1) and [pdf](https://arxiv.org/abs/2202.05262)\n"
        '- <a href="https://ex.org/p\n.pdf">B paper</a> ![x](https://img.shields.io:x/badge/y)\n',
        encoding="utf-8",
    )
    entries = read_list(path)
    assert [e.title for e in entries] == ["A paper", "B paper"]
    assert entries[1].links[0].url == "https://ex.org/p.pdf"  # as a browser reads the href
