"""Properties, over generated input, of the list readers, identifier extraction, the .bib reader and
the BibTeX writer: nothing crashes them (a genuinely unreadable file is one `InputError` line), and
whatever the writer writes reads back, with our reader and with bibtexparser itself, as the same
entries: same keys, same count, same field values once the writer's documented escaping is applied.

Examples are derandomized, so a run in CI is the same run every time.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from list2bib.bibtex.letters import braced_initials
from list2bib.bibtex.parse import parse_string, read_file
from list2bib.bibtex.render import entry_type, reference_fields, render
from list2bib.errors import InputError
from list2bib.model import (
    Identifier,
    IdKind,
    ListEntry,
    Person,
    Record,
    Reference,
    Status,
    WorkKind,
)
from list2bib.read.dispatch import read_list
from list2bib.resolve.settle import fallback_record
from list2bib.text.clean import clean_text
from list2bib.text.identifiers import (
    arxiv_abs_url,
    doi_url,
    find_identifiers_in_text,
    identifiers_from_links,
    is_paper_link,
    parse_identifier,
)

PROPERTY = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters that are trouble somewhere: TeX and BibTeX specials, Markdown syntax, controls and
# whitespace of every kind, bidi marks and overrides, joiners, emoji, combining marks.
HOSTILE = [
    *"{}@%\\#~$&_^|*`<>[]()!\"'=,;:.-",
    "{{{", "}}", "}\n@misc{evil, title={x}", "\x00", "\x1b", "\r", "\t", "\x0c", "\x85", "\u2028",
    "\u200f", "\u202e", "\u200b", "\u200d", "\ufeff", "\U0001f600", "\U0001f468\u200d\U0001f469",
    "e\u0301", "\u0301", "Z\u0351\u036b", "\ue000", "\uf001", "\xa0", "ﬁ", "Ł", "王", "עברית",
]  # fmt: skip
WORDS = [
    "Attention", "is", "all", "you", "need", "GPT-4", "LoRA", "Über", "naïve", "and", "of",
    "2023", "2023.9", "NeurIPS 2022", "[ICLR'24]", "(2019)", "arXiv:2202.05262", "et al.",
    "doi:10.1145/3442188.3445922", "10.18653/v1/N19-1423", "A. Author", "B. Other,", "$x_1$",
    "\\emph{x}", "\\LaTeX", ":rocket:",
]  # fmt: skip
text_piece = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(WORDS), st.text(max_size=4))
phrase = st.lists(text_piece, max_size=8).map(" ".join)
nasty_text = st.one_of(st.text(max_size=30), st.lists(text_piece, max_size=10).map("".join), phrase)

# --- Markdown and plain lists ------------------------------------------------------------------

URLS = [
    "https://arxiv.org/abs/2202.05262", "https://arxiv.org/pdf/1706.03762v5.pdf",
    "https://doi.org/10.1145/3442188.3445922", "https://openreview.net/forum?id=nZeVKeeFYf9",
    "https://aclanthology.org/N19-1423/", "https://github.com/x/y", "https://example.org/p.pdf",
    "https://img.shields.io/badge/arXiv-2023-red", "#anchor", "mailto:a@b.c", "relative/path",
    "javascript:alert(1)", "https://[::1", "http://", "https://ex.org/a%20b?q=1&x=<y>",
    "https://ex.org/ü\u202e", "arXiv:2101.00001",
]  # fmt: skip
url = st.one_of(st.sampled_from(URLS), st.text(max_size=12).map(lambda t: "https://ex.org/" + t))
link = st.builds(lambda text, target: f"[{text}]({target})", phrase, url)
badge = st.builds(
    lambda label, message, target: (
        f"[![{label}](https://img.shields.io/badge/{label}-{message}-blue)]({target})"
    ),
    st.sampled_from(["arXiv", "Paper", "Conference", "stars"]),
    st.sampled_from(["2023", "ICLR'24", "NeurIPS%202022", "x--y", "%E2%80%AE"]),
    url,
)
html = st.one_of(
    st.builds(lambda target, text: f'<a href="{target}">{text}</a>', url, phrase),
    st.sampled_from(["<br>", "<details><summary>x</summary>", "</details>", "<p>", "<b>", "</b>"]),
)
inline = st.lists(
    st.one_of(phrase, link, badge, html, phrase.map(lambda t: f"`{t}`"), st.sampled_from(["**"])),
    max_size=5,
).map(" ".join)
markdown_line = st.one_of(
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 7), inline),
    inline.map(lambda t: "- " + t),
    inline.map(lambda t: "    * " + t),
    inline.map(lambda t: "1. " + t),
    st.builds(lambda a, b: f"| {a} | {b} |", inline, inline),
    st.sampled_from(["| Title | Venue | Date |", "|---|---|---|", "", "```", "> ", "---", "\x00"]),
    inline,
    html,
)
markdown = st.lists(markdown_line, max_size=20).map("\n".join)

_MARKERS = re.compile("[\ue000-\uf001]")
_DATE = re.compile(r"\d{4}(?:-\d\d(?:-\d\d)?)?")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lists")


def _clean(value: str, source: str) -> bool:
    """No line break and no parser marker (one the list itself did not hold) in a value taken
    from a list."""
    return not set(_MARKERS.findall(value)) - set(source) and "\n" not in value


@PROPERTY
@given(text=markdown, name=st.sampled_from(["list.md", "list.txt"]))
def test_any_list_reads_without_crashing_into_sane_entries(
    folder: Path, text: str, name: str
) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    try:
        entries = read_list(path)
    except InputError as error:  # only a NUL byte makes a text file unreadable
        assert "\x00" in text
        assert str(path) in str(error) and "\n" not in str(error)
        return
    assert "\x00" not in text
    assert read_list(path) == entries  # deterministic
    last_line = max(1, len(text.splitlines()))
    for entry in entries:
        assert entry.source == str(path)
        assert 1 <= entry.line <= last_line
        assert _clean(entry.title, text)
        assert all(_clean(topic, text) and topic for topic in entry.topics)
        assert all(_clean(author, text) for author in entry.authors)
        assert entry.date_hint is None or _DATE.fullmatch(entry.date_hint)
        for found in entry.links:
            assert found.url and _clean(found.url + found.text, text)
            http = found.url.startswith(("http://", "https://"))
            assert http or parse_identifier(found.url) is not None
        for ident in identifiers_from_links(entry.links):
            assert parse_identifier(str(ident)) == ident


@PROPERTY
@given(text=markdown)
def test_any_list_becomes_bibtex_that_reads_back(folder: Path, text: str) -> None:
    """Each entry as the placeholder an offline run writes: the file parses, entry for entry."""
    path = folder / "list.md"
    path.write_text(text.replace("\x00", ""), encoding="utf-8")
    entries = read_list(path)
    refs = [
        Reference(
            f"k{number}",
            fallback_record(entry, identifiers_from_links(entry.links)),
            (entry,),
            Status.UNRESOLVED,
        )
        for number, entry in enumerate(entries)
    ]
    written = render(refs, header="from " + text[:80])
    _assert_reads_back(written, refs, ascii=False)


# --- identifiers -------------------------------------------------------------------------------


def _new_arxiv_id(year: int, month: int, number: int, version: int) -> str:
    digits = 4 if (year, month) <= (14, 12) else 5
    tail = f"v{version}" if version else ""
    return f"{year:02d}{month:02d}.{number % 10**digits:0{digits}d}{tail}"


new_arxiv_ids = st.builds(
    _new_arxiv_id,
    st.integers(7, 29),
    st.integers(1, 12),
    st.integers(0, 99999),
    st.integers(0, 9),
).filter(lambda value: value[:4] >= "0704")
old_arxiv_ids = st.builds(
    lambda archive, year, month, number: f"{archive}/{year % 100:02d}{month:02d}{number:03d}",
    st.sampled_from(["hep-th", "math", "cond-mat", "quant-ph", "cs", "astro-ph"]),
    st.integers(1992, 2006),
    st.integers(1, 12),
    st.integers(0, 999),
)
arxiv_ids = st.one_of(new_arxiv_ids, old_arxiv_ids)
# DOIs: a registrant that is neither arXiv's DataCite prefix nor the ACL Anthology's (those become
# arXiv and ACL ids), a suffix of printable ASCII ending in a letter or digit.
dois = st.builds(
    lambda registrant, suffix: f"10.{registrant}/{suffix}",
    st.integers(1000, 999_999_999).filter(lambda r: r not in (48550, 18653)),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20).filter(
        lambda s: s[-1].isalnum()
    ),
)


@PROPERTY
@given(nasty_text)
def test_identifiers_in_any_text_round_trip(text: str) -> None:
    """Whatever is found in any text is a valid identifier: its string form parses back to it."""
    for ident in find_identifiers_in_text(text):
        assert parse_identifier(str(ident)) == ident
    single = parse_identifier(text)
    if single is not None:
        assert parse_identifier(str(single)) == single
    assert isinstance(is_paper_link(text), bool)


@PROPERTY
@given(arxiv_ids, nasty_text, nasty_text)
def test_a_written_arxiv_id_is_found_whatever_surrounds_it(
    arxiv_id: str, before: str, after: str
) -> None:
    expected = parse_identifier(f"arXiv:{arxiv_id}")
    assert expected is not None and expected.kind is IdKind.ARXIV
    assert "v" not in expected.value.split(".")[-1]  # the version is not part of the identity
    assert expected in find_identifiers_in_text(f"{before} arXiv:{arxiv_id} {after}")
    assert parse_identifier(arxiv_abs_url(arxiv_id)) == expected
    assert parse_identifier(f"https://arxiv.org/pdf/{arxiv_id}.pdf") == expected


@PROPERTY
@given(dois, nasty_text)
def test_a_doi_in_any_written_form_is_the_same_identifier(doi: str, after: str) -> None:
    expected = Identifier(IdKind.DOI, doi.lower())
    assert parse_identifier(doi_url(doi)) == expected
    assert parse_identifier(f"doi:{doi}") == expected
    assert parse_identifier(doi) == expected
    if '"' not in doi:  # in running text a quote ends the DOI
        assert expected in find_identifiers_in_text(f"(see doi:{doi} {after}")


# --- the .bib reader ---------------------------------------------------------------------------

BIB_PIECES = st.sampled_from(
    [
        "@misc{", "@article{", "@string{", "@comment{", "@preamble{", "@", "k,", "key1,", "k2,",
        " title = ", " author=", "{", "}", '"', "#", ",", "=", "\n", "%", "\\", "x", " and ",
        "(", ")", "\x1b", "\u202e", "é", "\r", "month = jan", "}\n@misc{evil, title={x}", "\ufeff",
    ]
)  # fmt: skip
bib_text = st.one_of(st.text(max_size=60), st.lists(BIB_PIECES, max_size=30).map("".join))


def _one_line_error(error: InputError) -> None:
    assert str(error) and "\n" not in str(error) and "\r" not in str(error)


@PROPERTY
@given(bib_text)
def test_any_bibtex_text_parses_or_fails_with_one_line(text: str) -> None:
    try:
        entries = parse_string(text)
    except InputError as error:
        _one_line_error(error)
        return
    assert len({entry.key for entry in entries}) == len(entries)  # duplicates are errors


@PROPERTY
@given(st.one_of(st.binary(max_size=80), bib_text.map(lambda t: t.encode("utf-8"))))
def test_any_bib_file_reads_or_fails_with_one_line(folder: Path, data: bytes) -> None:
    path = folder / "input.bib"
    path.write_bytes(data)
    for read in (read_file, read_list):
        try:
            read(path)
        except InputError as error:
            _one_line_error(error)
            assert str(path) in str(error)


field_names = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
# One-line values with balanced braces, as users write them; no backslash (an escaped brace is
# a character to bibtexparser and a brace to BibTeX: no value can be both).
plain_value = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="{}\\"),
    max_size=15,
)
brace_value = st.recursive(
    plain_value,
    lambda inner: st.tuples(inner, inner, inner).map(
        lambda parts: f"{parts[0]}{{{parts[1]}}}{parts[2]}"
    ),
    max_leaves=4,
)
bib_entries = st.lists(
    st.tuples(
        st.from_regex(r"[A-Za-z][A-Za-z0-9:_-]{0,10}", fullmatch=True),
        st.sampled_from(["article", "misc", "InProceedings"]),
        st.dictionaries(field_names, brace_value, max_size=4),
    ),
    max_size=5,
    unique_by=lambda entry: entry[0].casefold(),
)


@PROPERTY
@given(bib_entries)
def test_the_reader_gives_back_what_a_file_says(
    entries: list[tuple[str, str, dict[str, str]]],
) -> None:
    text = "".join(
        f"@{kind}{{{key},\n" + "".join(f"  {n} = {{{v}}},\n" for n, v in fields.items()) + "}\n\n"
        for key, kind, fields in entries
    )
    read = parse_string(text)
    assert [(e.key, e.entry_type, e.fields) for e in read] == [
        (key, kind.lower(), fields) for key, kind, fields in entries
    ]


# --- the writer --------------------------------------------------------------------------------

people = st.builds(Person, nasty_text, nasty_text, st.booleans())
VENUE_FIELDS = ["note", "journal", "booktitle", "publisher", "pages", "volume", "howpublished",
                "abstract", "address", "x-custom", "Bad Name", "year"]  # fmt: skip
records = st.builds(
    Record,
    source=st.sampled_from(["arxiv", "crossref", "bib", "list"]),
    entry_type=st.sampled_from(["misc", "article", "inproceedings", "book", "Weird Type", ""]),
    title=nasty_text,
    authors=st.lists(people, max_size=3).map(tuple),
    year=st.one_of(st.none(), st.sampled_from(["2020", "２０２１", "n.d."]), nasty_text),
    month=st.one_of(st.none(), st.integers(-1, 13)),
    doi=st.one_of(st.none(), dois, nasty_text),
    arxiv_id=st.one_of(st.none(), arxiv_ids, nasty_text),
    primary_class=st.one_of(st.none(), nasty_text),
    url=st.one_of(st.none(), url, nasty_text),
    venue=st.dictionaries(st.sampled_from(VENUE_FIELDS), nasty_text, max_size=4),
    kind=st.sampled_from(list(WorkKind)),
)
topics = st.lists(nasty_text, max_size=2).map(tuple)
references = st.lists(
    st.builds(
        lambda record, status, topic_path: (record, status, topic_path),
        records,
        st.sampled_from(list(Status)),
        topics,
    ),
    min_size=1,
    max_size=4,
).map(
    lambda items: [
        Reference(
            f"key{number}",
            record,
            (ListEntry("list.md", number + 1, topic_path, "t"),),
            status,
        )
        for number, (record, status, topic_path) in enumerate(items)
    ]
)
# Raw control characters, C1 controls and the invisible format characters: none may be written.
_INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _assert_reads_back(text: str, refs: list[Reference], *, ascii: bool) -> None:
    ordered = sorted(refs, key=lambda ref: (ref.key.casefold(), ref.key))
    ours = parse_string(text)
    assert [entry.key for entry in ours] == [ref.key for ref in ordered]
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert [entry.key for entry in library.entries] == [ref.key for ref in ordered]
    for mine, theirs, ref in zip(ours, library.entries, ordered, strict=True):
        assert mine.entry_type == theirs.entry_type.lower() == entry_type(ref)
        assert mine.fields == {field.key.lower(): field.value for field in theirs.fields}
        expected = {name.lower(): value for name, value in reference_fields(ref)}
        assert list(mine.fields) == list(expected)
        if not ascii:
            assert mine.fields == expected
    assert not _INVISIBLE.search(text.replace("\n", ""))
    assert not any(unicodedata.category(char) == "Cf" for char in text)
    depth = 0
    entries = "".join(line for line in text.splitlines() if not line.startswith("%"))
    for char in entries:  # BibTeX counts every brace, escaped or not (comments are skipped text)
        depth += (char == "{") - (char == "}")
        assert depth >= 0
    assert depth == 0


@PROPERTY
@given(references, st.booleans(), nasty_text)
def test_whatever_the_writer_writes_reads_back_as_the_same_entries(
    refs: list[Reference], ascii: bool, header: str
) -> None:
    text = render(refs, ascii=ascii, header=header)
    _assert_reads_back(text, refs, ascii=ascii)
    assert render(list(reversed(refs)), ascii=ascii, header=header) == text
    if ascii:
        assert text.isascii()


# Text the writer has no reason to escape or protect: it must come back exactly as cleaned.
ordinary = st.text(
    st.characters(whitelist_categories=("Ll", "Nd", "Zs"), whitelist_characters=".,:;!?'()-/"),
    max_size=40,
)
lower_words = st.text(st.characters(whitelist_categories=("Ll", "Zs")), max_size=20)


@PROPERTY
@given(ordinary, ordinary, lower_words)
def test_ordinary_text_is_written_as_it_is(title: str, note: str, family: str) -> None:
    authors = (Person(family, "Ann"),) if clean_text(family) else ()
    ref = Reference(
        "k",
        Record("crossref", "misc", title, authors, year="2020", venue={"note": note}),
        (ListEntry("list.md", 1, (), "t"),),
        Status.RESOLVED,
    )
    (entry,) = parse_string(render([ref]))
    assert entry.fields.get("title", "") == clean_text(title)
    assert entry.fields.get("note", "") == clean_text(note)
    if authors:  # a word's non-ASCII first letter is braced LaTeX for BibTeX (tests/bibtex)
        name = braced_initials(clean_text(family))
        assert entry.fields["author"] in (f"{name}, Ann", f"{{{name}}}, Ann")


@pytest.mark.parametrize("piece", HOSTILE)
def test_each_hostile_piece_alone_reads_back(piece: str) -> None:
    """The hostile pieces one by one, in every field at once (the shrunk form of the above)."""
    record = Record(
        "crossref",
        "article",
        f"A {piece} title",
        (Person(f"Fam{piece}", f"Giv{piece}"), Person(f"Org {piece}", literal=True)),
        year="2020",
        venue={"journal": f"J {piece}", "note": piece, "publisher": f"P{piece}"},
    )
    refs = [Reference("k", record, (ListEntry("l.md", 1, (f"T{piece}",), "t"),), Status.RESOLVED)]
    for ascii in (False, True):
        _assert_reads_back(render(refs, ascii=ascii, header=piece), refs, ascii=ascii)
