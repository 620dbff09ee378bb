"""BibTeX out and in: field mapping and order, title protection, sanitising, deterministic layout,
failed blocks surfaced with file:line, atomic writes."""

from __future__ import annotations

import os
import random
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from list2bib.bibtex.capitals import protect_title
from list2bib.bibtex.latex import tex_safe
from list2bib.bibtex.parse import BibEntry, parse_string, read_entries
from list2bib.bibtex.render import entry_type, reference_fields, render, written_fields
from list2bib.bibtex.values import url_safe
from list2bib.errors import InputError, OutputError
from list2bib.infra.files import write_atomic
from list2bib.model import ListEntry, Person, Record, Reference, Status, WorkKind
from list2bib.text.clean import clean_text

ENTRY = ListEntry(source="awesome.md", line=12, topics=("Survey", "interpretability"), title="t")


def ref(
    key: str = "k",
    *,
    title: str = "A title",
    authors: tuple[Person, ...] = (Person("Meng", "Kevin"),),
    status: Status = Status.RESOLVED,
    entries: tuple[ListEntry, ...] = (ENTRY,),
    **record: object,
) -> Reference:
    fields: dict[str, object] = {"source": "test", "entry_type": "misc", "year": "2022"}
    fields.update(record)
    return Reference(key, Record(title=title, authors=authors, **fields), entries, status)  # type: ignore[arg-type]


def fields_of(reference: Reference) -> dict[str, str]:
    return dict(reference_fields(reference))


# --- title protection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "protected"),
    [
        ("Language models are GPT-2 style", "Language models are {GPT}-2 style"),
        ("Scaling LLMs with LoRA", "Scaling {LLM}s with {LoRA}"),
        ("Interpreting CLIP's image representation", "Interpreting {CLIP}'s image representation"),
        ("CLIP and BERT meet ChatGPT", "{CLIP} and {BERT} meet {ChatGPT}"),
        ("Apps on the iPhone at NeurIPS", "Apps on the {iPhone} at {NeurIPS}"),
        ("Why AI needs T5 and 3D", "Why {AI} needs {T5} and {3D}"),
        # sentence case: capitalised words after the first are proper names ...
        ("Linear-time sequence modeling in Mamba", "Linear-time sequence modeling in {Mamba}"),
        ("A study of Bayesian methods", "A study of {Bayesian} methods"),
        # ... except right after a colon
        ("Mamba: Linear-time sequence modeling", "Mamba: Linear-time sequence modeling"),
        ("Training LLMs: What works", "Training {LLM}s: What works"),
        # Title Case: proper names cannot be told apart, only acronyms are protected
        ("Attention Is All You Need", "Attention Is All You Need"),
        (
            "Locating and Editing Factual Associations in GPT",
            "Locating and Editing Factual Associations in {GPT}",
        ),
        ("Deep Learning with Bayesian Methods", "Deep Learning with Bayesian Methods"),
        # math with a capital, control words with a capital
        ("Sorting in $O(n)$ time for $k$-means", "Sorting in {$O(n)$} time for $k$-means"),
        (r"Typesetting with \LaTeX made easy", r"Typesetting with {\LaTeX} made easy"),
        # already protected by the source, or all capitals: unchanged
        ("A {Bayesian} view of GPT", "A {Bayesian} view of GPT"),
        ("ALL CAPS TITLE", "ALL CAPS TITLE"),
        ("", ""),
    ],
)
def test_protect_title(title: str, protected: str) -> None:
    assert protect_title(title) == protected


def test_title_is_never_wrapped_whole() -> None:
    value = fields_of(ref(title="Locating and editing factual associations in GPT"))["title"]
    assert value == "Locating and editing factual associations in {GPT}"
    assert not value.startswith("{{")


# --- sanitising ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("50% & #1", r"50\% \& \#1"),
        ("snake_case and a^b", r"snake\_case and a\textasciicircum{}b"),
        ("$x_1^2$ stays math", "$x_1^2$ stays math"),
        ("costs $5 and $10", r"costs \$5 and \$10"),
        ("a lone $ sign", r"a lone \$ sign"),
        (r"already \% and \& escaped", r"already \% and \& escaped"),
        # `\ ` too: stripped at the end of a value it would escape the closing brace
        (r"path\to a\ file \\ break", r"path\textbackslash{}to a\textbackslash{} file break"),
        ("trailing backslash\\", r"trailing backslash\textbackslash{}"),
        (r"\emph{x} but \emph}", r"\emph{x} but \textbackslash{}emph"),
        (
            r"accents \"o \'{e} but not \^ or \'",
            r"accents \"o \'{e} but not \textbackslash{}\textasciicircum{} or \textbackslash{}'",
        ),
        (r"\emph{kept} \"{o} \L", r"\emph{kept} \"{o} \L"),
        ("unbalanced } and { braces {ok}", "unbalanced and braces {ok}"),
        ("}}{{", ""),
        (r"escaped \{pair\} and lone \}", r"escaped \{pair\} and lone"),
        (r"$\{0,1\}^n$ strings", r"$\{0,1\}^n$ strings"),
        ("$}x$ {$y$", "$x$ $y$"),
        ("email me@home ~ tilde", "email me@home ~ tilde"),
    ],
)
def test_tex_safe(raw: str, safe: str) -> None:
    assert tex_safe(raw) == safe


def test_clean_text_drops_what_latex_and_bibtex_cannot_use() -> None:
    raw = "A\u200f\u202b b\u200d \U0001f600\U0001f680\ufe0f \u2764\ufe0f\x07\x1b c\tdone\n \u00ad!"
    assert clean_text(raw) == "A b c done !"
    assert clean_text("Go\u0308del") == "Gödel"  # NFC


def test_url_safe_percent_encodes_what_a_verbatim_field_cannot_hold() -> None:
    url = "https://ex.org/a b/ä{x}\\y?q=1%20&r=_#frag"
    assert url_safe(url) == "https://ex.org/a%20b/%C3%A4%7Bx%7D%5Cy?q=1%20&r=_#frag"


NASTY = st.text(
    alphabet=st.sampled_from([*"ab Z{}\\$%&#_^~@,=\"'\n\t", "\u200f", "é", "\U0001f600"]),
    max_size=40,
)


def _balanced(text: str, *, escaped_count: bool) -> bool:
    depth = 0
    pattern = r"[{}]" if escaped_count else r"(?<!\\)[{}]"
    for match in re.finditer(pattern, text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=300, deadline=None)
@given(NASTY)
def test_any_value_is_balanced_for_bibtex_and_for_bibtexparser(raw: str) -> None:
    safe = tex_safe(clean_text(raw))
    assert _balanced(safe, escaped_count=True)  # BibTeX counts every brace
    assert _balanced(safe, escaped_count=False)  # bibtexparser skips \{ and \}
    assert not re.search(r"(?<!\\)[%&#]", safe)


@settings(max_examples=150, deadline=None)
@given(NASTY, NASTY)
def test_no_value_can_close_its_entry_or_inject_another(title: str, note: str) -> None:
    text = render([ref("victim", title=title, venue={"note": note, "journal": "J"})])
    entries = parse_string(text)
    assert [entry.key for entry in entries] == ["victim"]
    assert entries[0].fields == {
        k.lower(): v
        for k, v in reference_fields(
            ref("victim", title=title, venue={"note": note, "journal": "J"})
        )
    }


def test_an_injection_attempt_stays_inside_its_value() -> None:
    evil = "x}, title = {pwned}}\n@misc{injected, title = {gotcha}"
    entries = parse_string(render([ref("victim", title=evil)]))
    assert [e.key for e in entries] == ["victim"]
    assert "pwned" in entries[0].fields["title"]


# --- field mapping ------------------------------------------------------------------------------


def test_arxiv_preprint() -> None:
    reference = ref(
        "meng2022locating",
        title="Locating and editing factual associations in GPT",
        authors=(Person("Meng", "Kevin"), Person("Bau", "David")),
        entry_type="misc",
        month=2,
        arxiv_id="2202.05262",
        primary_class="cs.CL",
        kind=WorkKind.PREPRINT,
    )
    assert reference_fields(reference) == [
        ("author", "Meng, Kevin and Bau, David"),
        ("title", "Locating and editing factual associations in {GPT}"),
        ("year", "2022"),
        ("month", "feb"),
        ("howpublished", "arXiv preprint arXiv:2202.05262"),
        ("doi", "10.48550/arXiv.2202.05262"),
        ("eprint", "2202.05262"),
        ("archivePrefix", "arXiv"),
        ("primaryClass", "cs.CL"),
        ("url", "https://arxiv.org/abs/2202.05262"),
        ("keywords", "Survey > interpretability"),
    ]
    assert entry_type(reference) == "misc"


def test_preprint_keeps_its_own_doi_url_and_howpublished() -> None:
    reference = ref(
        entry_type="article",
        arxiv_id="hep-th/9901001",
        doi="10.48550/arXiv.hep-th/9901001",
        url="https://arxiv.org/abs/hep-th/9901001v2",
        venue={"howpublished": "Preprint"},
        kind=WorkKind.PREPRINT,
    )
    fields = fields_of(reference)
    assert fields["eprint"] == "hep-th/9901001"
    assert fields["url"] == "https://arxiv.org/abs/hep-th/9901001v2"
    assert fields["howpublished"] == "Preprint"
    assert "primaryClass" not in fields
    assert entry_type(reference) == "misc"


def test_published_work_keeps_eprint_without_preprint_fields() -> None:
    reference = ref(
        entry_type="inproceedings",
        arxiv_id="1706.03762",
        primary_class="cs.CL",
        venue={"booktitle": "Advances in NeurIPS", "pages": "5998–6008"},
    )
    assert [name for name, _ in reference_fields(reference)] == [
        "author", "title", "booktitle", "pages", "year", "eprint", "archivePrefix",
        "primaryClass", "keywords",
    ]  # fmt: skip
    assert fields_of(reference)["pages"] == "5998--6008"
    assert entry_type(reference) == "inproceedings"


def test_journal_article_field_order_and_venue_copy() -> None:
    reference = ref(
        entry_type="Article",
        month=12,
        doi="https://doi.org/10.1007/BF01700692",
        url="https://doi.org/10.1007%2Fbf01700692",
        venue={
            "Publisher": "Springer & Co",
            "pages": "173--198",
            "number": "1",
            "volume": "38",
            "journal": "Monatshefte für Mathematik",
            "ISSN": "0026-9255",
            "abstract": "We show 100%.",
            "bad name": "skipped",
            "empty": "  ",
        },
    )
    assert reference_fields(reference) == [
        ("author", "Meng, Kevin"),
        ("title", "A title"),
        ("journal", "Monatshefte für Mathematik"),
        ("volume", "38"),
        ("number", "1"),
        ("pages", "173--198"),
        ("year", "2022"),
        ("month", "dec"),
        ("doi", "10.1007/BF01700692"),  # no publisher: biblatex's @article has none
        ("url", "https://doi.org/10.1007%2Fbf01700692"),
        ("keywords", "Survey > interpretability"),
        ("abstract", r"We show 100\%."),
        ("issn", "0026-9255"),
    ]
    assert entry_type(reference) == "article"


@pytest.mark.parametrize(
    ("doi", "expected"),
    [
        ("https://doi.org/10.1/abc", "10.1/abc"),
        ("http://dx.doi.org/10.1/abc", "10.1/abc"),
        ("doi:10.1/abc", "10.1/abc"),
        (r"10.1007/11880561\_13", "10.1007/11880561_13"),  # DBLP escapes `_` even here
    ],
)
def test_doi_is_bare(doi: str, expected: str) -> None:
    assert fields_of(ref(doi=doi))["doi"] == expected


def test_web_page_is_misc_with_host_as_howpublished() -> None:
    reference = ref(
        title="Toy Models of Superposition",
        entry_type="article",
        url="https://www.transformer-circuits.pub/2022/toy_model/index.html",
        kind=WorkKind.WEB,
    )
    fields = fields_of(reference)
    assert entry_type(reference) == "misc"
    assert fields["howpublished"] == "transformer-circuits.pub"
    assert fields["url"] == "https://www.transformer-circuits.pub/2022/toy_model/index.html"
    assert not any("\\url" in value for value in fields.values())


def test_unresolved_entry_is_misc_with_a_sort_key_and_a_comment() -> None:
    reference = ref(
        "someblog",
        title="A post @home",
        authors=(),
        year=None,
        url="https://blog.example.org/p",
        kind=WorkKind.UNRESOLVED,
        status=Status.UNRESOLVED,
        entries=(ENTRY, ListEntry(source="me@list.md", line=3, topics=(), title="t")),
    )
    fields = fields_of(reference)
    # styles sort and alpha-label by author, else by key: the citation key, never the title
    assert fields["key"] == "someblog"
    assert fields["year"] == "n.d."  # natbib styles warn on an empty year
    assert fields["howpublished"] == "blog.example.org"
    text = render([reference])
    comment = text.splitlines()[0]
    assert comment == (
        "% list2bib: unresolved - built from awesome.md:12, me(at)list.md:3, not verified"
    )
    assert "@" not in comment
    assert text.splitlines()[1] == "@misc{someblog,"


def test_ambiguous_entry_is_marked_too() -> None:
    text = render([ref(status=Status.AMBIGUOUS)])
    assert text.startswith(
        "% list2bib: ambiguous - built from awesome.md:12, not verified\n@misc{k,"
    )


@pytest.mark.parametrize(
    ("person", "written"),
    [
        (Person("Meng", "Kevin"), "Meng, Kevin"),
        (Person("van der Putten", "Peter"), "van der Putten, Peter"),
        (Person("King Jr.", "Martin Luther"), "King Jr., Martin Luther"),
        (Person("OpenAI", literal=True), "{OpenAI}"),
        (Person("Johnson and Johnson", literal=True), "{Johnson and Johnson}"),
        (Person("Smith and Sons", "Ann"), "{Smith and Sons}, Ann"),
        (Person("Doe, Esq", "Jane"), "{Doe, Esq}, Jane"),
        (Person("Aristotle"), "Aristotle"),
        (Person("Le Scao"), "{Le Scao}"),
        (Person("", "Teven"), "Teven"),
        (Person("Gödel", "Kurt"), r"G{\"o}del, Kurt"),  # alpha labels it [G{\"o}d]: tests/bibtex
        (Person("R&D Team", literal=True), r"{R\&D Team}"),
    ],
)
def test_author_names(person: Person, written: str) -> None:
    assert fields_of(ref(authors=(person,)))["author"] == written


def test_authors_are_joined_with_and_and_topics_become_keywords() -> None:
    other = ListEntry(source="b.md", line=1, topics=("Editing",), title="t")
    reference = ref(authors=(Person("A", "B"), Person("C", "D")), entries=(ENTRY, other, ENTRY))
    fields = fields_of(reference)
    assert fields["author"] == "A, B and C, D"
    assert fields["keywords"] == "Survey > interpretability, Editing"
    assert "keywords" not in fields_of(ref(entries=()))


@pytest.mark.parametrize(("given", "macro"), [("9", "sep"), ("Sept.", "sep"), ("June", "jun")])
def test_month_from_venue_becomes_a_macro(given: str, macro: str) -> None:
    assert fields_of(ref(venue={"month": given}))["month"] == macro


# --- render -------------------------------------------------------------------------------------


def sample() -> list[Reference]:
    return [
        ref("zeta2020", title="Zeta", month=9),
        ref("Alpha2021", title="Alpha", authors=(Person("Gödel", "Kurt"),)),
        ref("alpha2021", title="alpha lower"),
        ref("beta", title="Beta", status=Status.UNRESOLVED, kind=WorkKind.UNRESOLVED),
    ]


def test_render_layout() -> None:
    text = render(sample(), header="Written by list2bib\nkeys @ stable")
    assert text == (
        "% Written by list2bib\n"
        "% keys (at) stable\n"
        "\n"
        "@misc{Alpha2021,\n"
        '  author = {G{\\"o}del, Kurt},\n'
        "  title = {Alpha},\n"
        "  year = {2022},\n"
        "  keywords = {Survey > interpretability},\n"
        "}\n"
        "\n"
        "@misc{alpha2021,\n"
        "  author = {Meng, Kevin},\n"
        "  title = {alpha lower},\n"
        "  year = {2022},\n"
        "  keywords = {Survey > interpretability},\n"
        "}\n"
        "\n"
        "% list2bib: unresolved - built from awesome.md:12, not verified\n"
        "@misc{beta,\n"
        "  author = {Meng, Kevin},\n"
        "  title = {Beta},\n"
        "  year = {2022},\n"
        "  keywords = {Survey > interpretability},\n"
        "}\n"
        "\n"
        "@misc{zeta2020,\n"
        "  author = {Meng, Kevin},\n"
        "  title = {Zeta},\n"
        "  year = {2022},\n"
        "  month = sep,\n"
        "  keywords = {Survey > interpretability},\n"
        "}\n"
    )


def test_render_is_byte_identical_whatever_the_input_order() -> None:
    references = sample()
    expected = render(references)
    generator = random.Random(3)
    for _ in range(10):
        generator.shuffle(references)
        assert render(references) == expected
    assert expected.endswith("}\n") and not expected.endswith("\n\n")


def test_render_ascii_uses_latex_escapes() -> None:
    reference = ref(
        title="Über die Sätze – naïve 王",
        authors=(Person("Gödel", "Kurt"), Person("Kaiser", "Łukasz")),
        url="https://example.org/ä",
    )
    text = render([reference], ascii=True, header="für alle")
    assert text.isascii()
    assert r"G{\"o}del, Kurt and Kaiser, {\L}ukasz" in text
    assert r"{\"U}ber die {S{\"a}tze} {\textendash} na{\"\i}ve" in text
    assert "U+738B" in text  # no LaTeX name for it: its code point, still ASCII
    assert "url = {https://example.org/%C3%A4}" in text
    assert "\\url" not in text
    assert text.startswith("% fur alle\n")


def test_render_nothing() -> None:
    assert render([]) == ""
    assert render([], header="h") == "% h\n"


def test_render_refuses_duplicate_or_unwritable_keys() -> None:
    with pytest.raises(OutputError, match="'k'"):
        render([ref("k"), ref("k", title="other")])
    for key in ("has space", "a,b", "a{b", "", "a%b"):
        with pytest.raises(OutputError, match="citation key"):
            render([ref(key)])


def test_month_macro_reads_back_and_is_unbraced() -> None:
    text = render([ref(month=9)])
    assert "  month = sep,\n" in text
    assert parse_string(text)[0].fields["month"] == "sep"


# --- reading ------------------------------------------------------------------------------------

GOOD_BIB = """% a comment line
@string{acl = "Association for Computational Linguistics"}

@InProceedings{le-scao-rush-2021-many,
    title = "How many data points is a prompt worth?",
    author = "Le Scao, Teven  and
      Rush, Alexander",
    month = jun,
    year = "2021",
    publisher = acl,
    pages = "2627--2636",
}

@article{DBLP:journals/corr/abs-2101-00027,
  author    = {Leo Gao and
               Stella Biderman},
  title     = {The Pile: An 800GB Dataset of Diverse Text for Language Modeling},
  journal   = {CoRR},
  Volume    = {abs/2101.00027},
  year      = {2021},
  eprinttype = {arXiv},
  eprint    = {2101.00027}
}
 @article{Frank_1970, title={Ordinary Water}, volume={169}, month=Aug, pages={635–641} }
"""


def test_parse_string_reads_real_world_shapes() -> None:
    entries = parse_string(GOOD_BIB)
    assert [(e.key, e.entry_type, e.line) for e in entries] == [
        ("le-scao-rush-2021-many", "inproceedings", 4),
        ("DBLP:journals/corr/abs-2101-00027", "article", 14),
        ("Frank_1970", "article", 24),
    ]
    acl, dblp, crossref = entries
    assert acl.fields["title"] == "How many data points is a prompt worth?"
    assert acl.fields["month"] == "jun"
    assert acl.fields["publisher"] == "Association for Computational Linguistics"
    assert dblp.fields["volume"] == "abs/2101.00027"
    assert set(dblp.fields) == {
        "author",
        "title",
        "journal",
        "volume",
        "year",
        "eprinttype",
        "eprint",
    }
    assert crossref.fields["month"] == "Aug"
    assert isinstance(acl, BibEntry)


def test_read_entries(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_BIB.encode())  # a BOM is fine
    assert [e.key for e in read_entries(path)] == [e.key for e in parse_string(GOOD_BIB)]
    assert read_entries(str(path))[0].line == 4


def test_missing_file_has_no_entries(tmp_path: Path) -> None:
    assert read_entries(tmp_path / "nope.bib") == []


def test_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape(f"{tmp_path}: is a folder")):
        read_entries(tmp_path)


def test_non_utf8_is_an_input_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes("@misc{a,\n  title = {G\xf6del}\n}\n".encode("latin-1"))
    with pytest.raises(InputError, match=re.escape(f"{path}:2: not UTF-8")):
        read_entries(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "@misc{ok, title = {ok}}\n\n@misc{broken, title = {open\n}\n@misc{next, title={x}}\n",
            "refs.bib:3: cannot parse entry @misc{broken: ",
        ),
        (
            "@misc{a, title = {one}}\n@misc{b, title = {two}}\n\n@misc{a, title = {three}}\n",
            "refs.bib:4: cannot parse entry @misc{a: duplicate key 'a' (first defined at line 1)",
        ),
        (
            "@misc{a,\n  title = {one},\n  title = {two}\n}\n",
            "refs.bib:1: cannot parse entry @misc{a: repeated field title",
        ),
        (
            "@misc{a,\n  Title = {one},\n  title = {two}\n}\n",
            "refs.bib:1: entry 'a' repeats field 'title'",
        ),
    ],
)
def test_failed_blocks_are_input_errors_with_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_entries(path)
    assert str(caught.value).startswith(f"{tmp_path}{os.sep}{message}")
    assert "\n" not in str(caught.value)
    with pytest.raises(InputError, match=re.escape(message.replace("refs.bib", "answer"))):
        parse_string(text, source="answer")


def test_several_failures_are_counted() -> None:
    with pytest.raises(InputError, match=r"\(and 1 more failed block\(s\)\)"):
        parse_string("@misc{a, title={x}}\n@misc{a, title={y}}\n@misc{a, title={z}}\n")


# --- writing ------------------------------------------------------------------------------------


def test_write_atomic_creates_folders_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "refs.bib"
    write_atomic(path, "first ü\n")
    assert path.read_bytes() == "first ü\n".encode()
    path.chmod(0o640)
    write_atomic(str(path), "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["refs.bib"]


def test_write_atomic_refuses_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.bib"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    with pytest.raises(InputError, match="symbolic link"):
        write_atomic(link, "new\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "old\n"


def test_write_atomic_failure_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("old\n", encoding="utf-8")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match=re.escape(f"{path}: cannot write (No space left")):
        write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def test_write_atomic_onto_a_folder_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").mkdir()
    with pytest.raises(OutputError, match=r"refs\.bib"):
        write_atomic(tmp_path / "refs.bib", "x\n")
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def test_write_atomic_unencodable_text_is_an_output_error(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(OutputError):
        write_atomic(path, "lone surrogate \ud800\n")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def test_rendered_file_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "references.bib"
    references = sample()
    write_atomic(path, render(references))
    entries = read_entries(path)
    assert [e.key for e in entries] == ["Alpha2021", "alpha2021", "beta", "zeta2020"]
    by_key = {r.key: r for r in references}
    for entry in entries:
        expected = {name.lower(): value for name, value in reference_fields(by_key[entry.key])}
        assert entry.fields == expected


def test_incomplete_published_record_is_written_as_misc() -> None:
    article = ref("a", entry_type="article", venue={"journal": "Nature"})
    assert entry_type(article) == "article"
    assert entry_type(ref("b", entry_type="article")) == "misc"  # no journal
    assert entry_type(ref("c", entry_type="inproceedings")) == "misc"  # no booktitle
    assert entry_type(ref("d", entry_type="article", venue={"journal": "N"}, authors=())) == "misc"


# --- overrides (hand edits, ids) and fields as read back -----------------------------------------


def test_overrides_set_replace_and_drop_fields_in_the_fixed_order() -> None:
    reference = ref("meng2022locating", title="Locating", venue={"note": "ours", "journal": "J"})
    text = render(
        [reference],
        overrides={"meng2022locating": {"title": "My {Title}", "note": None, "ids": "a, b"}},
    )
    entry = parse_string(text)[0]
    assert entry.fields["title"] == "My {Title}"
    assert "note" not in entry.fields
    assert entry.fields["ids"] == "a, b"
    assert list(entry.fields)[-1] == "ids"


def test_written_fields_are_what_reading_the_file_gives() -> None:
    refs = [ref("a", title="Scaling LLMs"), ref("b", title="Über", status=Status.UNRESOLVED)]
    text = render(refs, header="h")
    assert written_fields(refs) == {e.key: e.fields for e in parse_string(text)}
    assert written_fields([]) == {}
    ascii_fields = written_fields(refs, ascii=True)
    assert ascii_fields["b"]["title"] != "Über"
