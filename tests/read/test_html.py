"""Raw HTML in a list walked like Markdown: headings, `<details>` groups, tables with rowspan and
colspan, badge-wrapped links, HTML lists, comments ignored; and the tree the walk reads."""

from __future__ import annotations

from pathlib import Path

from list2bib.model import ListEntry
from list2bib.read.dispatch import parse_markdown, read_list
from list2bib.read.htmltree import parse_html, parse_run

DATA = Path(__file__).parents[1] / "data" / "lists"


def html_list() -> dict[str, ListEntry]:
    return {e.title: e for e in read_list(DATA / "html_table.md")}


def test_an_html_table_list_gives_every_paper_with_its_topic_path() -> None:
    found = html_list()
    assert {title: e.topics for title, e in found.items()} == {
        "Locating and Editing Factual Associations in GPT": ("Methods", "2022"),
        "Fast Model Editing at Scale": ("Methods", "2022"),
        "Mass-Editing Memory in a Transformer": ("Methods", "2022"),
        "Knowledge Neurons in Pretrained Transformers": ("Methods", "2021"),
        "Editing Factual Knowledge in Language Models": ("Methods", "2021"),
        "Editing Large Language Models: Problems, Methods, and Opportunities": ("Surveys",),
        "A Comprehensive Study of Knowledge Editing for Large Language Models": ("Surveys",),
    }


def test_badge_wrapped_links_rowspan_dates_and_lines() -> None:
    found = html_list()
    rome = found["Locating and Editing Factual Associations in GPT"]
    # The paper badge's link is the paper; the star badge's repository link is not.
    assert [link.url for link in rome.links] == ["https://arxiv.org/abs/2202.05262"]
    assert rome.authors == ("Kevin Meng", "David Bau")
    assert rome.line == 22
    # The date cell spans two rows: the second paper has it too.
    assert found["Fast Model Editing at Scale"].date_hint == "2022-02"
    memit = found["Mass-Editing Memory in a Transformer"]  # its title spans two columns
    assert (memit.date_hint, [link.url for link in memit.links]) == (
        "2022-10",
        ["https://arxiv.org/abs/2210.07229"],
    )


def test_comments_the_title_and_boilerplate_give_nothing() -> None:
    titles = set(html_list())
    assert "A commented-out paper" not in titles
    assert not any("Awesome" in t or "example" in t for t in titles)


def test_details_open_around_markdown_groups_it() -> None:
    text = """# Papers

## Editing

<details>
<summary>2022</summary>

| Title | Link |
|---|---|
| Locating and Editing Factual Associations in GPT | [arXiv](https://arxiv.org/abs/2202.05262) |

</details>

- Knowledge Neurons in Pretrained Transformers [pdf](https://arxiv.org/abs/2104.08696)
"""
    found = {e.title: e.topics for e in parse_markdown(text, "t.md")}
    assert found == {
        "Locating and Editing Factual Associations in GPT": ("Editing", "2022"),
        "Knowledge Neurons in Pretrained Transformers": ("Editing",),
    }


def test_tree_implies_end_tags_and_drops_comments() -> None:
    root = parse_html("<ul><li>one<li>two <!-- gone --></ul><table><tr><td>a<td>b<tr><td>c</table>")
    ul, table = root.elements()
    assert [li.text_content() for li in ul.elements()] == ["one", "two "]
    rows = table.elements()
    assert [[cell.text_content() for cell in row.elements()] for row in rows] == [["a", "b"], ["c"]]


def test_a_run_says_what_it_leaves_open_and_what_it_closes() -> None:
    run = parse_run("</details>\n<details><summary>2021</summary>\n", 4)
    assert run.stray_ends == ("details",)
    assert [node.tag for node in run.still_open] == ["details"]
    assert run.still_open[0].line == 5


def test_a_bold_header_row_names_the_columns_and_a_rowspan_year_covers_its_rows() -> None:
    found = read_list(DATA / "html_bold_header.md")
    assert [(e.title[:30], e.date_hint, e.venue_hint) for e in found] == [
        ("Chain-of-Thought Prompting Eli", "2022", "NeurIPS"),
        ("Large Language Models are Zero", "2022", "NeurIPS"),
        ("Self-Consistency Improves Chai", "2022", "ICLR 2023"),
        ("Let's Verify Step by Step", "2023", None),
    ]
    assert {e.topics for e in found} == {("Chain of thought",)}
    assert found[0].links[0].url == "https://arxiv.org/abs/2201.11903"
