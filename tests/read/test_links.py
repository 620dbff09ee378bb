"""Link targets as a person reads them: nested, bracketed, identifier-only, glued or empty; and a
plain list's prose, which is no title."""

from __future__ import annotations

from pathlib import Path

import pytest

from list2bib.read import hints
from list2bib.read.dispatch import parse_plain, read_list
from list2bib.read.hints import is_prose
from list2bib.read.links import repair_href

DATA = Path(__file__).parents[1] / "data" / "lists"


@pytest.mark.parametrize(
    ("target", "url"),
    [
        (
            "%5B10.48550/arXiv.2305.13417%5D(http://arxiv.org/abs/2305.13417)",
            "http://arxiv.org/abs/2305.13417",
        ),
        ("(https://arxiv.org/abs/2110.11309)", "https://arxiv.org/abs/2110.11309"),
        ("arXiv:2403.19521", "https://arxiv.org/abs/2403.19521"),
        ("10.48550/arXiv.2403.19521", "https://arxiv.org/abs/2403.19521"),
        ("doi:10.1145/3442188.3445922", "https://doi.org/10.1145/3442188.3445922"),
        ("https://arxiv.org/abs/2104.08164%5Cn", "https://arxiv.org/abs/2104.08164"),
        ("https://arxiv.org/abs/2104.08164\\n", "https://arxiv.org/abs/2104.08164"),
        (
            "https://arxiv.org/pdf/1511.07289.pdf%5Cnhttp://arxiv.org/abs/1511.07289%5Cn",
            "https://arxiv.org/pdf/1511.07289.pdf",
        ),
        (" https://arxiv.org/abs/\n2104.08164 ", "https://arxiv.org/abs/2104.08164"),
        ("arxiv.org/abs/2206.06520", "https://arxiv.org/abs/2206.06520"),
        # Targets that are no URL stay what they are, so they are never taken for a paper.
        ("#conflicts", "#conflicts"),
        ("docs/CONTRIBUTING.md", "docs/CONTRIBUTING.md"),
        ("mailto:someone@example.org", "mailto:someone@example.org"),
        ("", ""),
    ],
)
def test_repair_href_gives_the_url_a_reader_would_follow(target: str, url: str) -> None:
    assert repair_href(target) == url


def test_every_malformed_link_keeps_its_paper() -> None:
    found = {
        e.title: [link.url for link in e.links] for e in read_list(DATA / "malformed_links.md")
    }
    assert found == {
        "Adaptive Chameleon or Stubborn Sloth: Revealing the Behavior of Large Language Models "
        "in Knowledge Conflicts": ["http://arxiv.org/abs/2305.13417"],
        "Long-form factuality in large language models": ["https://arxiv.org/abs/2403.19521"],
        "Locating and Editing Factual Associations in GPT": ["https://arxiv.org/abs/2202.05262"],
        "Mass-Editing Memory in a Transformer": ["https://arxiv.org/abs/2210.07229"],
        "Knowledge Neurons in Pretrained Transformers": ["https://arxiv.org/abs/2104.08696"],
        "Editing Factual Knowledge in Language Models": ["https://arxiv.org/abs/2104.08164"],
        # An empty target is a title-only entry: resolved by its title, nothing guessed.
        "Transformer Feed-Forward Layers Are Key-Value Memories": [],
        "Fast Model Editing at Scale": ["https://arxiv.org/abs/2110.11309"],
        "Memory-Based Model Editing at Scale": ["https://arxiv.org/abs/2206.06520"],
        "Calibrating Factual Knowledge in Pretrained Language Models": [],
    }


def test_prose_linking_an_anchor_is_no_entry() -> None:
    titles = [e.title for e in read_list(DATA / "malformed_links.md")]
    assert not any("section on conflicts" in t for t in titles)


@pytest.mark.parametrize(
    ("line", "prose"),
    [
        ("This is just prose about nothing. No links here at all", True),
        ("We collect papers on editing here. Pull requests are welcome if you find one", True),
        ("Attention is all you need", False),
        ("Deep learning. Nature 521, 436-444", False),
        ("Language models are few-shot learners. In NeurIPS 2020, pages 1877-1901", False),
        ("A survey of large language models for code generation and what comes next", False),
        ("Show, attend and tell: neural image caption generation with visual attention", False),
    ],
)
def test_prose_in_a_plain_list_is_no_title(line: str, prose: bool) -> None:
    assert is_prose(line) is prose
    found = parse_plain(f"# Notes\n\n{line}\n", "notes.txt")
    assert [e.title for e in found] == ([] if prose else [hints.clean_title(line)])
