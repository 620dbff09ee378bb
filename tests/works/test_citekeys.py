"""Citation keys: readable bases, ASCII folding, order-independent collision suffixes, kept keys."""

from __future__ import annotations

import random

import pytest

from list2bib.errors import ConfigError
from list2bib.model import Person, Record
from list2bib.works.citekeys import assign_keys, base_key, check_pattern, fold


def record(title: str, *authors: Person, year: str | None = "2022") -> Record:
    return Record(source="test", entry_type="misc", title=title, authors=authors, year=year)


MENG = Person("Meng", "Kevin")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("van der Putten", "vanderputten"),
        ("Gödel", "godel"),
        ("Łukasiewicz", "lukasiewicz"),
        ("Ørsted", "orsted"),
        ("Straße", "strasse"),
        ("O'Neil-Smith", "oneilsmith"),
        ("ﬁne", "fine"),
        ("王", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("rec", "key"),
    [
        (record("Locating and Editing Factual Associations in GPT", MENG), "meng2022locating"),
        (
            record("On the Dangers of Stochastic Parrots", Person("Bender", "Emily")),
            "bender2022dangers",
        ),
        (
            record("Towards a Theory of Everything", Person("van der Putten", "Peter")),
            "vanderputten2022theory",
        ),
        (
            record("Über formal unentscheidbare Sätze", Person("Gödel", "Kurt"), year="1931"),
            "godel1931uber",
        ),
        (
            record("GPT-4 Technical Report", Person("OpenAI", literal=True), year="2023"),
            "openai2023gpt",
        ),
        (record("Gemini", Person("Google DeepMind", literal=True)), "google2022gemini"),
        (record("Locating things", year="2022"), "locating2022"),
        (record("Don't stop pretraining", Person("Gururangan", "Suchin")), "gururangan2022dont"),
        (record("What is it?", MENG, year=None), "mengit"),  # no `nd` glued into words
        (
            record("Language models explain neurons", Person("Bills", "S."), year=None),
            "billslanguage",
        ),
        (record("How to do", MENG), "meng2022how"),  # only stopwords: the first word
        (record(r"\emph{Deep} {$\alpha$}-nets", MENG), "meng2022deep"),
        (record("", year=None), "anon"),
    ],
)
def test_base_key(rec: Record, key: str) -> None:
    assert base_key(rec) == key


def test_keys_are_ascii_alphanumeric() -> None:
    rec = record("Ação: ﬁrst 😀 step", Person("Núñez-Ödegaard", "José"))
    key = base_key(rec)
    assert key == "nunezodegaard2022acao"
    assert key.isascii() and key.isalnum()


def test_unique_bases_are_used_as_they_are() -> None:
    keys = assign_keys(
        [("arxiv:2202.05262", record("Locating", MENG)), ("doi:10.1/x", record("Mass", MENG))]
    )
    assert keys == {"arxiv:2202.05262": "meng2022locating", "doi:10.1/x": "meng2022mass"}


def test_collisions_get_suffixes_in_work_id_order() -> None:
    works = [
        ("doi:10.2/b", record("Locating facts", MENG)),
        ("arxiv:2202.05262", record("Locating edits", MENG)),
        ("doi:10.1/a", record("Locating more", MENG)),
    ]
    keys = assign_keys(works)
    assert keys == {
        "arxiv:2202.05262": "meng2022locatinga",
        "doi:10.1/a": "meng2022locatingb",
        "doi:10.2/b": "meng2022locatingc",
    }


def test_result_does_not_depend_on_input_order() -> None:
    works = [
        (f"doi:10.1/{n}", record(title, Person(family, "X"), year=year))
        for n, (title, family, year) in enumerate(
            [
                ("Locating", "Meng", "2022"),
                ("Locating again", "Meng", "2022"),
                ("Attention", "Vaswani", "2017"),
                ("Attention too", "Vaswani", "2017"),
                ("Attention three", "Vaswani", "2017"),
                ("Mass", "Meng", "2022"),
                ("Toy models", "Elhage", None),
            ]
        )
    ]
    expected = assign_keys(works)
    generator = random.Random(7)
    for _ in range(20):
        shuffled = works[:]
        generator.shuffle(shuffled)
        assert assign_keys(shuffled) == expected
    assert len(set(expected.values())) == len(works)


def test_existing_keys_are_kept_verbatim_and_reserved() -> None:
    works = [
        ("arxiv:2202.05262", record("Locating", MENG)),
        ("doi:10.1/new", record("Locating", MENG)),
        ("doi:10.1/other", record("Mass", MENG)),
    ]
    existing = {"arxiv:2202.05262": "Meng2022Locating", "doi:10.9/gone": "meng2022mass"}
    keys = assign_keys(works, existing)
    assert keys["arxiv:2202.05262"] == "Meng2022Locating"
    # Reserved keys are compared case-insensitively and never handed out again.
    assert keys["doi:10.1/new"] == "meng2022locatinga"
    assert keys["doi:10.1/other"] == "meng2022massa"
    assert "doi:10.9/gone" not in keys


def test_a_later_run_keeps_earlier_keys() -> None:
    first = assign_keys([("arxiv:1", record("Locating", MENG))])
    second = assign_keys(
        [("arxiv:1", record("Locating", MENG)), ("arxiv:2", record("Locating", MENG))],
        existing=first,
    )
    assert second == {"arxiv:1": "meng2022locating", "arxiv:2": "meng2022locatinga"}


def test_a_suffix_never_takes_another_works_base() -> None:
    works = [
        ("w1", record("Locating", MENG)),
        ("w2", record("Locating", MENG)),
        ("w3", record("Locatinga", MENG)),  # its base is the first suffixed key of the others
    ]
    keys = assign_keys(works)
    assert keys["w3"] == "meng2022locatinga"
    assert {keys["w1"], keys["w2"]} == {"meng2022locatingb", "meng2022locatingc"}


def test_suffixes_go_past_z() -> None:
    works = [(f"w{n:03d}", record("Locating", MENG)) for n in range(30)]
    keys = assign_keys(works)
    assert keys["w000"] == "meng2022locatinga"
    assert keys["w025"] == "meng2022locatingz"
    assert keys["w026"] == "meng2022locatingaa"
    assert len(set(keys.values())) == 30


def test_a_work_id_given_twice_gets_one_key_whatever_the_order() -> None:
    a, b = record("Alpha", MENG), record("Beta", MENG)
    assert assign_keys([("w", a), ("w", b)]) == assign_keys([("w", b), ("w", a)])


def test_untitled_web_page_is_named_after_its_site() -> None:
    page = Record(
        source="list", entry_type="misc", title="", url="https://www.lesswrong.com/posts/x"
    )
    assert base_key(page) == "lesswrong"
    assert base_key(Record(source="list", entry_type="misc", title="")) == "anon"


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        ("{auth}:{year}", "bills"),  # no separator left dangling
        ("{year}-{shorttitle}", "language"),
        ("{year}", "bills"),  # nothing but the year: the author stands in
        ("{Auth}{yy}{Shorttitle2}", "BillsLanguageModels"),
    ],
)
def test_undated_keys_under_other_patterns(pattern: str, key: str) -> None:
    undated = record("Language models explain neurons", Person("Bills", "S."), year=None)
    assert base_key(undated, pattern) == key


def test_undated_works_that_collide_get_suffixes_and_keep_them() -> None:
    one = record("Language models explain neurons", Person("Bills", "S."), year=None)
    two = record("Language of thought", Person("Bills", "T."), year=None)
    keys = assign_keys([("url:1", one), ("url:2", two)])
    assert sorted(keys.values()) == ["billslanguagea", "billslanguageb"]
    again = assign_keys([("url:2", two), ("url:1", one)], existing=keys)
    assert again == keys


# --- key patterns ---------------------------------------------------------------------------------

LOCATING = record("Locating and Editing Factual Associations in GPT", MENG)


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        ("{auth}{year}{shorttitle}", "meng2022locating"),
        ("{Auth}{yy}{Shorttitle2}", "Meng22LocatingEditing"),
        ("{auth}:{year}", "meng:2022"),
        ("{auth}_{shorttitle3}", "meng_locatingeditingfactual"),
    ],
)
def test_key_patterns(pattern: str, key: str) -> None:
    assert base_key(LOCATING, check_pattern(pattern)) == key


def test_no_author_falls_back_whatever_the_pattern() -> None:
    assert base_key(record("Toy Models"), "{Auth}{yy}") == "toy2022"


@pytest.mark.parametrize(
    "pattern", ["{author}{year}", "{auth} {year}", "plain", "{year}{shorttitle0}", "{yy2}"]
)
def test_bad_patterns_are_config_errors(pattern: str) -> None:
    with pytest.raises(ConfigError, match="key_pattern"):
        check_pattern(pattern)


def test_pattern_collisions_are_order_independent() -> None:
    works = [(f"w{i}", record(f"Locating things {i}", MENG)) for i in range(4)]
    first = assign_keys(works, pattern="{auth}{year}")
    assert assign_keys(works[::-1], pattern="{auth}{year}") == first
    assert sorted(first.values()) == ["meng2022a", "meng2022b", "meng2022c", "meng2022d"]
