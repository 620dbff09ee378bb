"""Which listed links are works: the link target, the section, and identifiers that always win."""

from __future__ import annotations

from pathlib import Path

import pytest

from list2bib.read.dispatch import read_list
from list2bib.read.kinds import non_work_reason

DATA = Path(__file__).parents[1] / "data" / "lists"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://discord.com/invite/4pEBpVTN", "a chat invite (discord.com)"),
        ("https://discord.gg/abc", "a chat invite (discord.gg)"),
        ("https://t.me/somechannel", "a chat invite (t.me)"),
        ("https://scholar.google.com/citations?user=CYI6cKgAAAAJ", "Google Scholar profile"),
        ("https://www.semanticscholar.org/author/David-Bau/144159726", "Semantic Scholar profile"),
        ("https://dblp.org/pid/47/3614.html", "DBLP page"),
        ("https://twitter.com/davidbau", "a social media profile"),
        ("https://www.youtube.com/@3blue1brown", "a video channel"),
        ("https://www.youtube.com/c/3blue1brown", "a video channel"),
        ("https://docs.google.com/spreadsheets/d/1abc/edit", "a spreadsheet"),
        ("https://www.coursera.org/learn/nlp-sequence-models", "a course"),
        ("https://pypi.org/project/transformer-lens/", "a software package"),
        ("https://huggingface.co/Qwen/Qwen2.5-VL-7B-Instruct", "a model page"),
        ("https://huggingface.co/spaces/openai/whisper", "a demo"),
        ("https://transformerlens.readthedocs.io/en/latest/", "software documentation"),
    ],
)
def test_a_link_target_that_names_no_work(url: str, why: str) -> None:
    found = non_work_reason(("Papers",), [url])
    assert found is not None and why in found


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=wjZofJX0v4M",  # one talk or lecture: citable
        "https://twitter.com/ch402/status/1709998674087227859",  # one thread
        "https://huggingface.co/papers/2202.05262",
        "https://huggingface.co/blog/constitutional_ai",
        "https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens",
        "https://transformer-circuits.pub/2022/toy_model/index.html",
    ],
)
def test_works_in_a_paper_section(url: str) -> None:
    assert non_work_reason(("Papers",), [url]) is None


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Tools", "a tool or software page"),
        ("🛠️ Tools & Libraries", "a tool or software page"),
        ("LLM Interpretability Tools", "a tool or software page"),
        ("Tools for probing", "a tool or software page"),
        ("Courses and lectures", "a course"),
        ("Research Groups", "a group or community"),
        ("People to follow", "a person"),
        ("People", "a person"),
        ("Leaderboards", "a leaderboard"),
        ("Workshops", "a venue or workshop page"),
        ("Other awesome lists", "a link collection"),
        ("YouTube channels", "a video channel"),
        # Not kinds of non-works, or naming works too:
        ("Tool use in language models", None),
        ("Blogs & Videos", None),
        ("Tools and papers", None),
        ("Benchmarks and Datasets", None),
        ("Challenges", None),
    ],
)
def test_a_section_heading_as_evidence(heading: str, kind: str | None) -> None:
    found = non_work_reason((heading,), ["https://example.org/some/page"])
    assert (found.split(" (")[0] if found else None) == kind


def test_an_identifier_makes_a_work_in_any_section() -> None:
    assert non_work_reason(("Tools",), ["https://arxiv.org/abs/2202.05262"]) is None
    assert non_work_reason(("Groups",), ["https://doi.org/10.1038/nature14539"]) is None


def test_a_list_marks_its_links_that_are_no_works() -> None:
    marked = {e.title: e.not_a_work for e in read_list(DATA / "links_and_papers.md")}
    assert marked == {
        "Locating and Editing Factual Associations in GPT": None,
        "Transformer Feed-Forward Layers Are Key-Value Memories": None,
        "Interpreting GPT: the logit lens": None,
        "David Bau": "a person's Google Scholar profile (scholar.google.com)",
        "The Learning Interpretability Tool": "a tool or software page (listed under 'Tools')",
        "ROME: a paper about a tool": None,
        "EleutherAI": "a chat invite (discord.com)",
        "3Blue1Brown": "a video channel (youtube.com)",
    }
