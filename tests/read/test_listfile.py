"""listfile (Markdown, plain and .bib lists -> ListEntry) and the hint rules of hints.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from list2bib.errors import InputError
from list2bib.model import Link, ListEntry
from list2bib.read import dispatch as listfile
from list2bib.read import hints
from list2bib.read.dispatch import parse_markdown, parse_plain, read_bib_list, read_list

DATA = Path(__file__).parents[1] / "data" / "lists"
REAL_LISTS = Path("/work/shared/lists")


def entries(name: str) -> list[ListEntry]:
    return read_list(DATA / name)


def by_title(found: list[ListEntry], start: str) -> ListEntry:
    matches = [e for e in found if e.title.startswith(start)]
    assert len(matches) == 1, [e.title for e in found]
    return matches[0]


def md(text: str) -> list[ListEntry]:
    return parse_markdown(text, "t.md")


# --- paragraphs: `Title. \[[pdf](url)\] \[Venue\] \[date\]` --------------------------------------


def test_paragraph_entries_give_title_link_venue_and_date() -> None:
    found = entries("paragraphs.md")
    rome = found[0]
    assert rome.title == "Locating and Editing Factual Associations in GPT"
    assert rome.links == (Link("https://arxiv.org/pdf/2202.05262.pdf", "pdf"),)
    assert (rome.venue_hint, rome.date_hint) == ("NeurIPS 2022", "2022-02")
    assert (rome.topics, rome.line, rome.source) == (("Papers",), 8, str(DATA / "paragraphs.md"))


def test_organisations_are_not_venues() -> None:
    found = entries("paragraphs.md")
    toy = by_title(found, "Toy Models")
    grok = by_title(found, "Grokking")
    assert (toy.venue_hint, toy.date_hint, toy.tags) == (None, "2022-09", ())
    assert (grok.venue_hint, grok.date_hint) == (None, "2022-01")  # `[OpenAI & Google\] [2022.1\]`


def test_title_and_links_on_two_lines_are_one_entry() -> None:
    attention = by_title(entries("paragraphs.md"), "Attention Is All")
    assert attention.title == "Attention Is All You Need"
    assert (attention.line, attention.venue_hint, attention.date_hint) == (
        12,
        "NIPS 2017",
        "2017-06",
    )


def test_paragraph_with_an_entry_on_each_line_is_split() -> None:
    found = entries("paragraphs.md")
    resnet = by_title(found, "Deep Residual")
    batchnorm = by_title(found, "Batch Normalization")
    assert (resnet.line, resnet.venue_hint, resnet.date_hint) == (15, "CVPR 2016", None)
    assert (batchnorm.line, batchnorm.venue_hint, batchnorm.date_hint) == (
        16,
        "ICML 2015",
        "2015-02",
    )
    assert batchnorm.links == (Link("https://arxiv.org/abs/1502.03167", "pdf"),)


def test_bare_urls_and_autolinks_are_link_only_entries() -> None:
    link_only = [e for e in entries("paragraphs.md") if not e.title]
    assert [(e.line, e.links[0].url) for e in link_only] == [
        (22, "https://www.lesswrong.com/posts/X2i9dQQK3gETCyqh2/chris-olah-s-views-on-agi-safety"),
        (24, "https://arxiv.org/abs/2211.00593"),
    ]


def test_one_topic_tag_extends_the_topic_path_and_all_tags_are_kept() -> None:
    found = entries("paragraphs.md")
    assert by_title(found, "A Survey of Large").topics == ("Survey", "LLM")
    explain = by_title(found, "Explainability")
    assert (explain.topics, explain.tags) == (("Survey", "interpretability"), ("interpretability",))
    icl = by_title(found, "A Survey on In-context")
    assert (icl.topics, icl.tags) == (("Survey",), ("in-context learning", "survey"))


def test_preamble_prose_and_repo_lists_give_no_entries() -> None:
    found = entries("paragraphs.md")
    assert len(found) == 11
    urls = [link.url for e in found for link in e.links]
    assert not any("github.com" in u or "example.org" in u for u in urls)
    assert "https://arxiv.org/abs/1706.03762" not in urls  # the preamble's "start here" link


# --- bullets, numbered lists, nested lists -------------------------------------------------------


def test_link_text_is_the_title_and_the_description_is_dropped() -> None:
    found = entries("bullets.md")
    mono = found[0]
    assert mono.title.startswith("Towards Monosemanticity: Decomposing")
    assert (mono.line, mono.topics, mono.authors) == (10, ("Papers",), ())
    successor = by_title(found, "Successor Heads")  # surrounding quotes trimmed
    assert successor.title.endswith("In The Wild")
    assert successor.venue_hint == "ICLR 2024"


def test_every_link_of_an_item_is_kept_in_order() -> None:
    editing = by_title(entries("bullets.md"), "Does Localization")
    assert editing.title == "Does Localization Inform Editing?"
    assert [link.url for link in editing.links] == [
        "https://arxiv.org/abs/2301.04213",
        "https://twitter.com/example/status/1",
    ]
    assert editing.venue_hint == "NeurIPS 2023 Spotlight"


def test_code_only_items_are_not_entries() -> None:
    assert not [e for e in entries("bullets.md") if e.title == "TransformerLens"]


def test_bold_titles_with_year_and_author_tail() -> None:
    found = entries("bullets.md")
    distill = by_title(found, "Distilling")
    assert (distill.date_hint, distill.authors) == ("2015", ("G. Hinton",))
    assert distill.topics == ("Papers", "Classics")
    adam = by_title(found, "Adam")
    assert adam.title == "Adam: A method for stochastic optimization"
    assert adam.authors == ("D. Kingma", "J. Ba")
    lstm = by_title(found, "Long short-term")
    assert (lstm.title, lstm.date_hint) == ("Long short-term memory", "1997")
    assert lstm.authors == ("S. Hochreiter", "J. Schmidhuber")


def test_an_item_without_a_link_needs_a_hint() -> None:
    found = entries("bullets.md")
    cho = by_title(found, "On the properties")
    assert (cho.links, cho.date_hint, cho.authors) == ((), "2014", ("K. Cho",))
    assert not [e for e in found if e.title.startswith("Theano")]


def test_numbered_bold_title_author_line_and_link_line() -> None:
    found = entries("bullets.md")
    mend = by_title(found, "Fast Model Editing")
    assert mend.title == "Fast Model Editing at Scale"
    assert (mend.line, mend.venue_hint, mend.topics) == (25, "ICLR 2022", ("Knowledge editing",))
    assert mend.authors[-1] == "Christopher D. Manning" and len(mend.authors) == 5
    assert [link.text for link in mend.links] == ["paper", "code"]
    neurons = by_title(found, "Knowledge Neurons")
    assert neurons.venue_hint == "ACL 2022"
    assert neurons.authors[:2] == ("Damai Dai", "Li Dong")  # the `*A, B*` author line


def test_nested_items_under_a_category_get_its_name_as_topic() -> None:
    found = entries("bullets.md")
    assert by_title(found, "Zoom In").topics == ("Articles", "Vision")
    assert by_title(found, "An Overview of Early Vision").line == 37


def test_nested_detail_items_belong_to_their_paper() -> None:
    rome = by_title(entries("bullets.md"), "Locating and Editing")
    assert (rome.line, rome.date_hint, rome.topics) == (38, "2022", ("Articles",))
    assert rome.authors == ("Kevin Meng", "David Bau", "Alex Andonian", "Yonatan Belinkov")
    assert [link.url for link in rome.links] == [
        "https://arxiv.org/abs/2202.05262",
        "https://github.com/kmeng01/rome",
    ]


def test_navigation_and_boilerplate_sections_are_skipped() -> None:
    found = entries("bullets.md")
    assert len(found) == 12
    assert all("Table of Contents" not in e.topics for e in found)
    assert not [e for e in found if any("example.org" in link.url for link in e.links)]


# --- tables and badges ---------------------------------------------------------------------------


def test_table_rows_are_entries_with_venue_and_date_columns() -> None:
    found = entries("table.md")
    heads = found[0]
    assert heads.title == "Attention Heads of Large Language Models: A Survey"
    assert (heads.line, heads.venue_hint, heads.date_hint) == (7, None, "2024-09-06")  # `arXiv`
    assert [link.text for link in heads.links] == [heads.title, "Github"]
    rasp = by_title(found, "Thinking Like")
    assert (rasp.venue_hint, rasp.links[0].url) == ("ICML", "https://arxiv.org/pdf/2106.06981")
    assert by_title(found, "A Mathematical").venue_hint is None  # `Anthropic`
    solu = by_title(found, "Softmax")
    assert (solu.venue_hint, solu.date_hint) == ("MechInterp@ICML", "2022-06")


def test_a_cell_naming_several_papers_gives_one_entry_each() -> None:
    found = [e for e in entries("table.md") if e.topics == ("Benchmarks",)]
    assert [(e.title, e.line) for e in found] == [("CounterFact+", 16), ("MQuAKE", 16)]


def test_authors_column_and_link_less_rows() -> None:
    found = [e for e in entries("table.md") if e.topics == ("Classic",)]
    assert (found[0].title, found[0].date_hint, found[0].links) == (
        "Attention Is All You Need",
        "2017",
        (),
    )
    assert found[1].authors == ("Jimmy Lei Ba", "Jamie Ryan Kiros", "Geoffrey E. Hinton")


def test_shields_badges_give_venues_and_dates_and_stars_are_ignored() -> None:
    found = entries("badges.md")
    assert len(found) == 4
    sparse, c4, pruner, simba = found
    assert sparse.title.startswith("SparseGPT: Massive Language Models")
    assert (sparse.venue_hint, sparse.line) == ("ICML 2023", 12)
    assert sparse.authors == ("Elias Frantar", "Dan Alistarh")
    assert [link.url for link in sparse.links] == [
        "https://github.com/IST-DASLab/sparsegpt",
        "https://arxiv.org/abs/2301.00774",
    ]
    assert (c4.venue_hint, c4.authors[-1]) == ("EMNLP 2024 Findings", "Cheng-Yu Hsieh")
    assert (pruner.title[:10], pruner.date_hint, pruner.venue_hint) == ("LLM-Pruner", "2023", None)
    assert (simba.venue_hint, [link.url for link in simba.links]) == (
        "TMLR 2025",
        ["https://arxiv.org/abs/2505.20698"],
    )


# --- inline and block HTML, reference links, emoji -----------------------------------------------


def test_html_anchors_inline_and_in_blocks() -> None:
    rep, acdc, ccs = entries("html.md")
    assert rep.title.startswith("Representation Engineering")
    assert (rep.line, rep.venue_hint, rep.date_hint) == (7, "ICLR 2024", "2023-10")
    assert acdc.title == "Towards Automated Circuit Discovery for Mechanistic Interpretability"
    assert acdc.authors == ("Arthur Conmy", "Augustine N. Mavor-Parker", "Aengus Lynch")
    assert acdc.links == (Link("https://arxiv.org/abs/2304.14997", acdc.title),)
    assert (ccs.line, ccs.venue_hint) == (16, "ICLR 2023")  # the HTML comment gave nothing


def test_reference_style_links_are_resolved() -> None:
    induction, framework, emergent, scaling = entries("refs.md")
    assert induction.links[0].url.endswith("in-context-learning-and-induction-heads/index.html")
    assert (induction.venue_hint, induction.date_hint) == (None, "2022-03")
    assert [link.text for link in framework.links] == [framework.title, "pdf"]
    assert (emergent.links[0].url, emergent.venue_hint) == (
        "https://arxiv.org/abs/2206.07682",
        "TMLR 2022",
    )
    assert scaling.title == "Scaling Laws for Neural Language Models"  # :star: and 🔥 dropped


# --- headings ------------------------------------------------------------------------------------


def test_heading_chain_without_the_documents_own_title() -> None:
    text = "# Awesome X\n\n## Papers\n\n### Sub\n\n- [A Paper Title](https://arxiv.org/abs/2101.00001)\n"
    assert md(text)[0].topics == ("Papers", "Sub")


def test_documents_that_use_h1_for_sections_keep_them() -> None:
    text = (
        "# Editing\n\n- [Paper One](https://arxiv.org/abs/2101.00001)\n\n"
        "# Probing\n\n- [Paper Two](https://arxiv.org/abs/2101.00002)\n"
    )
    assert [e.topics for e in md(text)] == [("Editing",), ("Probing",)]


def test_a_title_only_document_keeps_its_list() -> None:
    found = md("# My list\n\n- [Paper One](https://arxiv.org/abs/2101.00001)\n")
    assert [(e.title, e.topics) for e in found] == [("Paper One", ())]


def test_citation_and_star_history_sections_are_skipped_with_subsections() -> None:
    text = (
        "# X\n\n## Citation\n\nOur Paper. [[pdf](https://arxiv.org/abs/2101.00001)]\n\n"
        "### Star History\n\n## Papers\n\nTheir Paper. [[pdf](https://arxiv.org/abs/2101.00002)]\n"
    )
    assert [e.title for e in md(text)] == ["Their Paper"]


def test_odd_input_never_crashes() -> None:
    for text in [
        "",
        "**unclosed",
        "[[pdf](",
        "- \n  - \n",
        "|a|\n|-|\n",
        "<a href='x'>",
        "\ue000\uf000[x]",
    ]:
        assert md(text) == []
    quoted = md("> - [A Paper](https://arxiv.org/abs/2101.00001) [2020]")
    assert [(e.title, e.date_hint) for e in quoted] == [("A Paper", "2020")]


# --- plain lists ---------------------------------------------------------------------------------


def test_plain_lists_of_identifiers_urls_and_titles() -> None:
    found = entries("plain.txt")
    assert [(e.line, e.title, e.links) for e in found] == [
        (2, "", (Link("2202.05262"),)),
        (3, "", (Link("arXiv:1706.03762v5"),)),
        (6, "", (Link("https://arxiv.org/abs/2210.07229"),)),
        (7, "", (Link("10.18653/v1/2022.acl-long.581"),)),
        (9, "Locating and Editing Factual Associations in GPT", ()),
        (11, "Transformer Feed-Forward Layers Are Key-Value Memories", ()),
    ]
    assert found[0].topics == ("My reading list",)
    assert found[-1].topics == ("My reading list", "Editing")


def test_plain_comment_lines_are_skipped() -> None:
    found = parse_plain("#comment\n#\n\n2202.05262\n", "x.txt")
    assert [(e.line, e.topics) for e in found] == [(4, ())]


# --- .bib lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeBibEntry:
    key: str
    entry_type: str
    fields: dict[str, str]
    line: int


def test_bib_entries_are_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = {
        "title": "Locating and Editing Factual Associations in {GPT}",
        "author": "Meng, Kevin and  Bau, David",
        "year": "2022",
        "doi": "https://doi.org/10.5555/X",
        "eprint": "2202.05262",
        "eprinttype": "arXiv",
    }
    monkeypatch.setattr(
        listfile, "read_entries", lambda path: [FakeBibEntry("meng2022", "article", fields, 3)]
    )
    (entry,) = read_bib_list("refs.bib")
    assert (entry.key, entry.line, entry.source, entry.topics) == ("meng2022", 3, "refs.bib", ())
    assert entry.title == "Locating and Editing Factual Associations in GPT"
    assert entry.authors == ("Meng, Kevin", "Bau, David")
    assert entry.links == (
        Link("https://doi.org/10.5555/X"),
        Link("https://arxiv.org/abs/2202.05262"),
    )
    assert entry.date_hint == "2022"
    assert entry.fields == tuple(fields.items())


def test_bib_file_through_the_real_reader() -> None:
    rome, attention = entries("refs.bib")
    assert (rome.key, rome.line, rome.date_hint) == ("meng2022locating", 1, "2022")
    assert rome.title == "Locating and Editing Factual Associations in GPT"
    assert rome.links == (Link("https://arxiv.org/abs/2202.05262"),)
    assert rome.venue_hint == "Advances in Neural Information Processing Systems"
    assert rome.authors[0] == "Meng, Kevin" and len(rome.authors) == 4
    assert ("note", "Read twice") in rome.fields
    assert [name for name, _ in rome.fields][:3] == ["title", "author", "booktitle"]
    assert attention.links == (
        Link("https://arxiv.org/abs/1706.03762"),
        Link("https://doi.org/10.48550/arXiv.1706.03762"),
    )
    assert (attention.line, attention.venue_hint) == (11, None)  # arXiv is no venue


# --- read_list: dispatch and errors --------------------------------------------------------------


def test_dispatch_on_content(tmp_path: Path) -> None:
    as_markdown = tmp_path / "list.txt"
    as_markdown.write_text("Some Paper. [[pdf](https://arxiv.org/abs/2101.00001)]\n")
    assert read_list(as_markdown)[0].title == "Some Paper"
    ids_in_md = tmp_path / "ids.md"
    ids_in_md.write_text("2101.00001\n- Attention Is All You Need\n")
    assert [(e.title, e.links) for e in read_list(ids_in_md)] == [
        ("", (Link("2101.00001"),)),
        ("Attention Is All You Need", ()),
    ]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.md: no such file"):
        read_list(tmp_path / "nope.md")
    with pytest.raises(InputError, match="is a directory"):
        read_list(tmp_path)


def test_not_utf8_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_bytes(b"# ok\n\nline two\nabcd\xff rest\n")
    with pytest.raises(InputError) as caught:
        read_list(path)
    assert str(caught.value) == (
        f"{path}:4: not UTF-8 (byte 0xff at column 5); save the list as UTF-8"
    )


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"\xef\xbb\xbf2202.05262\n")
    assert read_list(path)[0].links == (Link("2202.05262"),)


# --- hints ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bracketed", "hint"),
    [
        ("EMNLP 2024", True, hints.Hint("venue", "EMNLP 2024")),
        ("NeurIPS 2023 best paper", True, hints.Hint("venue", "NeurIPS 2023 best paper")),
        ("Findings of ACL 2024", True, hints.Hint("venue", "Findings of ACL 2024")),
        ("ICLR'24", True, hints.Hint("venue", "ICLR 2024")),
        ("EMNLP2023", False, hints.Hint("venue", "EMNLP 2023")),
        ("NAAC 2024", False, hints.Hint("venue", "NAAC 2024")),  # unknown acronym beside a year
        ("2023.11", True, hints.Hint("date", "2023-11")),
        ("arXiv 2023", True, hints.Hint("date", "2023")),
        ("arXiv", True, None),
        ("OpenAI", True, None),
        ("Google Research", True, None),
        ("Deepmind", True, None),
        ("OpenAI & Google", True, None),
        ("interpretability", True, hints.Hint("tag", "interpretability")),
        ("chain of thought", True, hints.Hint("tag", "chain of thought")),
        ("LLM", True, hints.Hint("tag", "LLM")),
        ("cognitive science", True, hints.Hint("tag", "cognitive science")),
        ("interpretability", False, None),  # parentheses give no tags
        ("pdf", True, None),
        ("e.g. linear probes etc", False, None),
    ],
)
def test_classify(text: str, bracketed: bool, hint: hints.Hint | None) -> None:
    assert hints.classify(text, bracketed=bracketed) == hint


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("https://img.shields.io/badge/Conference-ICLR'24-blue", hints.Hint("venue", "ICLR 2024")),
        (
            "https://img.shields.io/badge/Conference-EMNLP'24%20Findings-blue",
            hints.Hint("venue", "EMNLP 2024 Findings"),
        ),
        ("https://img.shields.io/badge/Journal-TMLR_2025-blue", hints.Hint("venue", "TMLR 2025")),
        ("https://img.shields.io/badge/arXiv-2023-red", hints.Hint("date", "2023")),
        ("https://img.shields.io/badge/arXiv-2505.20698-b31b1b.svg", None),
        ("https://img.shields.io/badge/Unstructured-C2A4A6", hints.Hint("tag", "Unstructured")),
        (
            "https://img.shields.io/badge/Type-Semi_Structured-C2A4A6",
            hints.Hint("tag", "Semi Structured"),
        ),
        ("https://img.shields.io/badge/License-MIT-green.svg", None),
        ("https://img.shields.io/badge/Code-black", None),
        ("https://img.shields.io/github/stars/IST-DASLab/sparsegpt.svg?style=social", None),
        ("https://example.org/badge/Conference-ICLR'24-blue", None),
    ],
)
def test_decode_badge(url: str, hint: hints.Hint | None) -> None:
    assert hints.decode_badge(url) == hint


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Eric Mitchell, Charles Lin, Christopher D. Manning.",
            ("Eric Mitchell", "Charles Lin", "Christopher D. Manning"),
        ),
        ("D. Kingma and J. Ba", ("D. Kingma", "J. Ba")),
        ("G. Hinton et al.", ("G. Hinton",)),
        ("Goodfellow et al.", ("Goodfellow",)),
        ("Chenmien Tan1, Ge Zhang, Jie Fu", ("Chenmien Tan", "Ge Zhang", "Jie Fu")),
        ("A. van den Oord", ("A. van den Oord",)),
        ("Shows how sentiment is represented in language models", ()),
        ("Introduces SDM activation functions, SDM calibration, and SDM networks", ()),
        ("Pythia", ()),
        ("A Tutorial, G. Neubig", ()),
    ],
)
def test_parse_authors(text: str, names: tuple[str, ...]) -> None:
    assert hints.parse_authors(text) == names


def test_trailing_authors_and_venues_split_off_titles() -> None:
    assert hints.split_trailing_authors("Deep learning, Y. LeCun, Y. Bengio and G. Hinton") == (
        "Deep learning",
        ("Y. LeCun", "Y. Bengio", "G. Hinton"),
    )
    assert hints.split_trailing_authors("Show, attend and tell") == ("Show, attend and tell", ())
    # A title's own list of capitalised words is no author list; surnames after a full stop are.
    for title in (
        "Editing Large Language Models: Problems, Methods, and Opportunities",
        "Neurons in Large Language Models: Dead, N-gram, Positional",
    ):
        assert hints.split_trailing_authors(title) == (title, ())
    assert hints.split_trailing_authors("A Dependency Parser. Chen and Manning") == (
        "A Dependency Parser",
        ("Chen", "Manning"),
    )
    assert hints.split_trailing_venue("Editing Models, EMNLP 2023 Main Conference Paper") == (
        "Editing Models",
        "EMNLP 2023 Main Conference Paper",
    )


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (
            "  Locating and Editing   Factual Associations in GPT. ",
            "Locating and Editing Factual Associations in GPT",
        ),
        ('"Let\'s Verify Step by Step"', "Let's Verify Step by Step"),
        ("**Bold Leftovers**", "Bold Leftovers"),
        (":star: 🔥 Scaling Laws", "Scaling Laws"),
        ("Beyond 2:4: exploring V:N:M sparsity", "Beyond 2:4: exploring V:N:M sparsity"),
        (
            "Interpretability in the Wild: GPT-2 small (arXiv)",
            "Interpretability in the Wild: GPT-2 small",
        ),
        ("Title -", "Title"),
    ],
)
def test_clean_title(raw: str, title: str) -> None:
    assert hints.clean_title(raw) == title


@pytest.mark.parametrize(
    ("text", "generic"),
    [
        ("pdf", True),
        ("[pdf]", True),
        ("Code by EleutherAI", True),
        ("Demo-1", True),
        ("https://arxiv.org/abs/1", True),
        ("Tweet Summary", True),
        ("Toy Models of Superposition", False),
    ],
)
def test_generic_link_text(text: str, generic: bool) -> None:
    assert hints.is_generic_link_text(text) is generic


# --- the real lists (data only, never copied into the project) -----------------------------------

needs_real_lists = pytest.mark.skipif(not REAL_LISTS.is_dir(), reason="no /work/shared/lists")


def real(name: str) -> list[ListEntry]:
    return read_list(REAL_LISTS / name)


@needs_real_lists
@pytest.mark.parametrize(
    "path", sorted(p.name for p in REAL_LISTS.glob("*.md")) if REAL_LISTS.is_dir() else []
)
def test_every_real_list_reads_sanely(path: str) -> None:
    found = real(path)
    if path == "README.md":
        return
    assert len(found) > 50
    for entry in found:
        assert entry.title or entry.links, entry
        assert len(entry.title) < 300, entry.title
        assert entry.line >= 1 and all(entry.topics), entry
        assert not entry.title.startswith(("[", "(", "*", "-", ":")), entry.title


@needs_real_lists
def test_real_paragraph_list() -> None:
    found = real("awesome-llm-mechanism.md")
    assert 90 <= len(found) <= 130
    interp = [e for e in found if e.topics[:1] == ("Survey",) and "interpretability" in e.tags]
    assert len(interp) >= 4
    assert all(e.topics == ("Survey", "interpretability") for e in interp)
    assert not [e for e in found if e.topics and e.topics[0].startswith("Other good")]
    assert not [e for e in found if any("github.com" in link.url for link in e.links)]
    calibrate = by_title(found, "Calibrate Before Use")
    assert (calibrate.venue_hint, calibrate.date_hint) == ("ICML 2021", "2021-02")


@needs_real_lists
@pytest.mark.parametrize(
    ("name", "least"),
    [
        ("ruizheliUOA__Awesome-Interpretability-in-Large-Language-Models.md", 190),
        ("horseee__Awesome-Efficient-LLM.md", 200),
    ],
)
def test_real_table_lists(name: str, least: int) -> None:
    found = real(name)
    titled = [e for e in found if e.title and (e.date_hint or e.venue_hint or e.authors)]
    assert len(titled) >= least
    assert all(e.title for e in found)


@needs_real_lists
def test_real_numbered_lists() -> None:
    zjunlp = real("zjunlp__KnowledgeEditingPapers.md")
    assert len(zjunlp) > 150
    with_authors = [e for e in zjunlp if e.authors]
    assert len(with_authors) > 150
    assert not [e for e in zjunlp if e.topics[:1] in (("News",), ("Citation",))]
    jshollaj = real("JShollaj__awesome-llm-interpretability.md")
    assert not [e for e in jshollaj if e.topics and "Table of Contents" in e.topics]
    assert sum(1 for e in jshollaj if e.topics == ("LLM Interpretability Papers",)) >= 50


def test_identifiers_written_as_text_are_links() -> None:
    text = (
        "## Papers\n\n"
        "Some paper title. arXiv:2101.00001 [ICLR 2022]\n\n"
        "Another one (doi:10.1145/3442188.3445922)\n\n"
        "A Study of arXiv as a Venue. [[pdf](https://arxiv.org/abs/2101.00003)]\n\n"
        "| Title | Link |\n|---|---|\n| Tabled paper | doi:10.1007/BF01700692 |\n"
    )
    entries = parse_markdown(text, "ids.md")
    found = {e.title: [link.url for link in e.links] for e in entries}
    assert found == {
        "Some paper title": ["https://arxiv.org/abs/2101.00001"],
        "Another one": ["https://doi.org/10.1145/3442188.3445922"],
        "A Study of arXiv as a Venue": ["https://arxiv.org/abs/2101.00003"],
        "Tabled paper": ["https://doi.org/10.1007/bf01700692"],
    }


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nul.md"
    path.write_bytes(b"# Papers\n\n" + b"\x00" * 500)
    with pytest.raises(InputError) as caught:
        read_list(path)
    assert str(caught.value) == (
        f"{path}:3: a binary file (NUL bytes), not a list; give a Markdown, .txt or .bib list"
    )
