"""The title acceptance rule: look-alikes are never taken, true matches are, ties are ambiguous."""

from __future__ import annotations

import pytest

from list2bib.model import Person, Record, WorkKind
from list2bib.resolve.match import Outcome, choose, contradiction, title_agreement
from list2bib.resolve.sources import TitleQuery


def rec(
    title: str,
    *,
    source: str = "s2",
    family: str = "Meng",
    year: str = "2022",
    arxiv: str | None = None,
    doi: str | None = None,
    kind: WorkKind = WorkKind.PREPRINT,
    venue: dict[str, str] | None = None,
    dblp: str | None = None,
) -> Record:
    return Record(
        source=source,
        entry_type="misc" if kind is WorkKind.PREPRINT else "inproceedings",
        title=title,
        authors=(Person(family, "A."),),
        year=year,
        arxiv_id=arxiv,
        doi=doi,
        kind=kind,
        venue=venue or {},
        dblp_key=dblp,
    )


GPT = "Locating and Editing Factual Associations in GPT"
MAMBA = "Locating and Editing Factual Associations in Mamba"
WEI = "Larger language models do in-context learning differently"
SHI = "Why Larger Language Models Do In-context Learning Differently?"


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (GPT, GPT),
        (GPT.upper(), GPT),
        ("Locating and editing factual associations in GPT.", GPT),
        ("Attention is all you need", "Attention Is All You Need"),
        ("Towards Monosemanticity: Decomposing Language Models With Dictionary Learning",
         "Towards monosemanticity - decomposing language models with dictionary learning"),
        ("In-context learning and induction heads", "In-Context Learning and Induction Heads"),
        ("A {G}{\\\"o}del-style normalisation result", "A Gödel-style normalization result"),
        ("Augmenting large language models with chemistry tools",
         "ChemCrow: Augmenting large language models with chemistry tools"),
    ],
)  # fmt: skip
def test_titles_that_agree(ours: str, theirs: str) -> None:
    assert title_agreement(ours, theirs)[1] is None


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (GPT, MAMBA),
        (MAMBA, GPT),
        (WEI, SHI),
        (SHI, WEI),
        ("Language models are few-shot learners", "Language models are zero-shot learners"),
        ("Scaling laws for neural language models", "Scaling laws for transfer"),
        ("GPT-4 technical report", "GPT-3 technical report"),
        ("BERT", "BERT: Pre-training of deep bidirectional transformers"),  # too short a part
        ("Toolformer", "Toolformer: Language Models Can Teach Themselves to Use Tools"),
    ],
)
def test_titles_that_do_not_agree(ours: str, theirs: str) -> None:
    score, why = title_agreement(ours, theirs)
    assert why is not None
    assert 0 <= score <= 100


def test_a_look_alike_is_never_accepted_even_alone() -> None:
    verdict = choose(TitleQuery(GPT), [rec(MAMBA, family="Sharma", arxiv="2404.03646")])
    assert verdict.outcome is Outcome.NONE
    assert verdict.records == ()
    assert "mamba" in verdict.candidates[0].reason.lower()


def test_the_right_paper_is_taken_beside_its_look_alike() -> None:
    offered = [rec(MAMBA, family="Sharma", arxiv="2404.03646"), rec(GPT, arxiv="2202.05262")]
    verdict = choose(TitleQuery(GPT), offered)
    assert verdict.outcome is Outcome.ACCEPTED
    assert verdict.records[0].arxiv_id == "2202.05262"
    assert [c.record.arxiv_id for c in verdict.candidates] == ["2202.05262", "2404.03646"]


def test_wei_and_shi_are_not_confused() -> None:
    wei = rec(WEI, family="Wei", year="2023", arxiv="2303.03846")
    shi = rec(SHI, family="Shi", year="2024", arxiv="2405.19592")
    assert choose(TitleQuery(WEI), [shi, wei]).records[0].arxiv_id == "2303.03846"
    assert choose(TitleQuery(SHI), [wei, shi]).records[0].arxiv_id == "2405.19592"
    assert choose(TitleQuery(WEI), [shi]).outcome is Outcome.NONE


def test_two_different_works_with_the_same_title_are_ambiguous() -> None:
    one = rec("Emergent abilities", family="Wei", arxiv="2206.07682")
    two = rec("Emergent abilities", family="Schaeffer", arxiv="2304.15004")
    verdict = choose(TitleQuery("Emergent Abilities"), [one, two])
    assert verdict.outcome is Outcome.AMBIGUOUS
    assert verdict.records == ()
    assert len(verdict.candidates) == 2
    assert "2 different works" in verdict.reason


def test_the_first_author_separates_same_titled_works() -> None:
    one = rec("Emergent abilities", family="Wei", arxiv="2206.07682")
    two = rec("Emergent abilities", family="Schaeffer", arxiv="2304.15004")
    verdict = choose(TitleQuery("Emergent abilities", first_author="Schaeffer"), [one, two])
    assert verdict.outcome is Outcome.ACCEPTED
    assert verdict.records[0].arxiv_id == "2304.15004"


def test_one_work_from_several_services_is_one_work_published_first() -> None:
    corr = rec(GPT, source="dblp", dblp="journals/corr/abs-2202-05262", arxiv="2202.05262")
    conf = rec(
        GPT,
        source="dblp",
        dblp="conf/nips/MengBAB22",
        kind=WorkKind.PUBLISHED,
        venue={"booktitle": "Advances in Neural Information Processing Systems"},
    )
    scholar = rec(GPT, source="s2", arxiv="2202.05262", dblp="conf/nips/MengBAB22")
    verdict = choose(TitleQuery(GPT), [scholar, corr, conf])
    assert verdict.outcome is Outcome.ACCEPTED
    assert verdict.records[0] is conf
    assert sorted(map(id, verdict.records)) == sorted(map(id, [corr, conf, scholar]))


@pytest.mark.parametrize(
    ("query", "why"),
    [
        (TitleQuery(GPT, first_author="Vaswani"), "first author"),
        (TitleQuery(GPT, year="2019"), "2019"),
    ],
)
def test_hints_that_contradict(query: TitleQuery, why: str) -> None:
    found = contradiction(query, rec(GPT, year="2022"))
    assert found is not None and why in found
    assert choose(query, [rec(GPT)]).outcome is Outcome.NONE


def test_hints_that_agree() -> None:
    assert contradiction(TitleQuery(GPT, first_author="Meng", year="2023"), rec(GPT)) is None
    assert contradiction(TitleQuery(GPT, first_author="meng"), rec(GPT)) is None
    # A preprint cannot contradict a venue hint: it may have been published since.
    assert contradiction(TitleQuery(GPT, venue="ICML 2022"), rec(GPT)) is None


def test_a_venue_hint_contradicts_another_venue() -> None:
    neurips = rec(
        GPT,
        kind=WorkKind.PUBLISHED,
        venue={"booktitle": "Advances in Neural Information Processing Systems"},
    )
    assert contradiction(TitleQuery(GPT, venue="NeurIPS 2022"), neurips) is None
    found = contradiction(TitleQuery(GPT, venue="ICML 2022"), neurips)
    assert found is not None


def test_no_candidates() -> None:
    verdict = choose(TitleQuery(GPT), [])
    assert verdict.outcome is Outcome.NONE
    assert verdict.candidates == ()


def test_findings_against_a_main_track_hint_is_not_a_contradiction() -> None:
    findings = rec(
        GPT,
        kind=WorkKind.PUBLISHED,
        venue={"booktitle": "Findings of the Association for Computational Linguistics: EMNLP"},
    )
    assert contradiction(TitleQuery(GPT, venue="EMNLP 2023"), findings) is None
    assert contradiction(TitleQuery(GPT, venue="ICML 2023"), findings) is not None


def _authored(*authors: Person) -> Record:
    return Record(source="arxiv", entry_type="misc", title=GPT, authors=authors, year="2022")


@pytest.mark.parametrize(
    ("listed", "recorded"),
    [
        ("Sen Sharma", Person("Sharma", "Arnab Sen")),  # a .bib's compound family name
        ("Sharma", Person("Sen Sharma", "Arnab")),  # the list splits where the service did not
        ("de With", Person("With", "Peter H. N. de")),
        ("van der Putten", Person("van der Putten", "Peter")),
        ("Valero-Cuevas", Person("Valero-Cuevas", "Francisco J.")),
    ],
)
def test_compound_family_names_and_particles_agree(listed: str, recorded: Person) -> None:
    record = _authored(Person("Bau", "David"), recorded)
    assert contradiction(TitleQuery(GPT, first_author=listed), record) is None


@pytest.mark.parametrize("listed", ["Sen Meng", "Sharma Sen", "Arnab Sharma"])
def test_names_that_are_not_one_persons_run_of_words_contradict(listed: str) -> None:
    record = _authored(Person("Sharma", "Arnab Sen"), Person("Meng", "Kevin"))
    found = contradiction(TitleQuery(GPT, first_author=listed), record)
    assert found is not None and "first author" in found
