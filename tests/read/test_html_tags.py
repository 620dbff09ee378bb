"""Tags in table cells and tag badges: an HTML table and its Markdown twin give an entry the same
tags; venue and date badges stay hints; a badge linked to a page is a button, not a tag."""

from __future__ import annotations

from pathlib import Path

from list2bib.model import ListEntry
from list2bib.read.dispatch import parse_markdown, read_list

DATA = Path(__file__).parents[1] / "data" / "lists"

SHIELD = "https://img.shields.io/badge/"

HTML = f"""# Papers

## Editing

<table>
<tr><th>Paper</th><th>Tags</th><th>Link</th></tr>
<tr>
  <td><strong>Locating and Editing Factual Associations in GPT</strong></td>
  <td><img src="{SHIELD}Locate--then--edit-blue">
      <img src="{SHIELD}Conference-NeurIPS'22-blue"></td>
  <td><a href="https://arxiv.org/abs/2202.05262">arXiv</a></td>
</tr>
<tr>
  <td><strong>Editing Large Language Models: Problems, Methods, and Opportunities</strong></td>
  <td>Survey, <a href="#evaluation">Evaluation</a><br>knowledge editing</td>
  <td><a href="https://arxiv.org/abs/2305.13172">arXiv</a></td>
</tr>
</table>
"""

MARKDOWN = f"""# Papers

## Editing

| Paper | Tags | Link |
|---|---|---|
| **Locating and Editing Factual Associations in GPT** | ![t]({SHIELD}Locate--then--edit-blue) ![v]({SHIELD}Conference-NeurIPS'22-blue) | [arXiv](https://arxiv.org/abs/2202.05262) |
| **Editing Large Language Models: Problems, Methods, and Opportunities** | Survey, [Evaluation](#evaluation)<br>knowledge editing | [arXiv](https://arxiv.org/abs/2305.13172) |
"""  # noqa: E501


def read(text: str) -> dict[str, ListEntry]:
    return {" ".join(e.title.split()[:2]): e for e in parse_markdown(text, "t.md")}


def test_tag_badges_and_tag_cells_give_tags_and_venue_badges_stay_venues() -> None:
    found = read(HTML)
    rome, survey = found["Locating and"], found["Editing Large"]
    assert (rome.tags, rome.venue_hint) == (("Locate-then-edit",), "NeurIPS 2022")
    assert survey.tags == ("Survey", "Evaluation", "knowledge editing")
    # Tags are kept with the entry; the topic path stays the heading chain.
    assert {e.topics for e in found.values()} == {("Editing",)}
    # The tag cell's anchor is no link of the paper's.
    assert [link.url for link in survey.links] == ["https://arxiv.org/abs/2305.13172"]


def test_a_markdown_table_gives_the_same_tags_as_its_html_twin() -> None:
    html, markdown = read(HTML), read(MARKDOWN)
    assert {t: (e.tags, e.venue_hint, e.topics) for t, e in markdown.items()} == {
        t: (e.tags, e.venue_hint, e.topics) for t, e in html.items()
    }


def test_a_badge_linked_to_a_page_is_a_button_and_one_linked_nowhere_a_tag() -> None:
    text = f"""## Pruning

- [![Type]({SHIELD}Structural-C2A4A6)]() [![Demo]({SHIELD}Gradio-orange)](https://example.org/demo) [LLM-Pruner: On the Structural Pruning of Large Language Models](https://arxiv.org/abs/2305.11627)
<ul><li><a href="#unstructured"><img src="{SHIELD}Unstructured-C2A4A6"></a> <a href="https://example.org/x"><img src="{SHIELD}Twitter-blue"></a> <a href="https://arxiv.org/abs/2301.00774">SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot</a></li></ul>
"""  # noqa: E501
    found = read(text)
    assert found["LLM-Pruner: On"].tags == ("Structural",)
    assert found["SparseGPT: Massive"].tags == ("Unstructured",)


def test_only_a_bracketed_tag_files_the_entry_under_it() -> None:
    text = f"""## Survey

Explainability for Large Language Models: A Survey. [[pdf](https://arxiv.org/abs/2309.01029)] [interpretability] ![t]({SHIELD}XAI-blue)

A Survey on In-context Learning. [[pdf](https://arxiv.org/abs/2301.00234)] ![t]({SHIELD}ICL-blue)
"""  # noqa: E501
    found = read(text)
    explain, icl = found["Explainability for"], found["A Survey"]
    assert explain.topics == ("Survey", "interpretability")
    assert explain.tags == ("interpretability", "XAI")
    assert (icl.topics, icl.tags) == (("Survey",), ("ICL",))


def test_licence_date_and_generic_badges_and_venue_words_in_a_tag_cell_give_no_tag() -> None:
    text = f"""## Methods

| Title | Tags | Link |
|---|---|---|
| Fast Model Editing at Scale | ![l]({SHIELD}License-MIT-green) ![d]({SHIELD}arXiv-2021-red) ![c]({SHIELD}Code-black) ICLR 2022, OpenAI | [pdf](https://arxiv.org/abs/2110.11309) |
"""  # noqa: E501
    (entry,) = parse_markdown(text, "t.md")
    assert (entry.tags, entry.date_hint) == ((), "2021")


def test_the_raw_html_list_keeps_its_tag_badges_and_not_its_link_badges() -> None:
    found = {e.title: e.tags for e in read_list(DATA / "html_table.md")}
    assert found["Locating and Editing Factual Associations in GPT"] == ("Locate-then-edit",)
    assert found["Fast Model Editing at Scale"] == ("Meta-learning",)
    assert found["Mass-Editing Memory in a Transformer"] == ()  # arXiv and star badges: no tags


def test_a_row_naming_several_papers_gives_each_the_row_tags() -> None:
    text = """## Benchmarks

| Edit Type | Benchmarks |
|---|---|
| **Multi-Lingual** | [Bi-ZsRE](https://arxiv.org/abs/2309.08952), [MzsRE](https://arxiv.org/abs/2312.13040) |
| **Sentiment** | [Convsent](https://arxiv.org/abs/2206.06520) |
| | [WikiBio](https://arxiv.org/abs/2211.11031) |
"""  # noqa: E501
    found = {e.title: e.tags for e in parse_markdown(text, "t.md")}
    assert found == {
        "Bi-ZsRE": ("Multi-Lingual",),
        "MzsRE": ("Multi-Lingual",),
        "Convsent": ("Sentiment",),
        "WikiBio": (),
    }
