"""Title normalisation and the checks built on it."""

from __future__ import annotations

import pytest

from list2bib.text.titles import fold_ascii, normalize_title, title_similarity, words_missing_from


def test_normalize_title() -> None:
    normalized = normalize_title("  Über {GPT}-2: \\emph{Locating}, Editing!")
    assert normalized == "uber gpt 2 locating editing"
    assert fold_ascii("Łukasz Gödel ﬁne") == "Lukasz Godel fine"


def test_similarity_ignores_case_accents_and_punctuation() -> None:
    assert title_similarity("Attention is all you need.", "ATTENTION IS ALL YOU NEED") == 100
    assert title_similarity("", "x") == 0


@pytest.mark.parametrize(
    ("listed", "record", "missing"),
    [
        ("Locating and Editing Factual Associations in Mamba",
         "Locating and Editing Factual Associations in GPT", ["mamba"]),
        ("BERT", "BERT: Pre-training of Deep Bidirectional Transformers", []),
        ("Emergent abilities of large language model",
         "Emergent Abilities of Large Language Models", []),
        ("Larger language models do in-context learning differently",
         "Why Larger Language Models Do In-context Learning Differently?", []),
        ("Scaling laws for neural language models", "Deep learning", ["language", "law", "model",
                                                                       "neural", "scaling"]),
    ],
)  # fmt: skip
def test_words_missing_from(listed: str, record: str, missing: list[str]) -> None:
    assert words_missing_from(listed, record) == missing
