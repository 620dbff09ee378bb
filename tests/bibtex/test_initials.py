"""Names for 8-bit BibTeX: a word's non-ASCII first letter, and the first three of a family name,
are one special character each (`{\\L}ukasz`, `G{\\"o}del`, `{\\relax{}Þ}`), which BibTeX
abbreviates and labels whole; biblatex output stays UTF-8; reading the file back gives the same
names, identities and text. The real bibtex: test_eight_bit."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from list2bib.bibtex.letters import braced_initials
from list2bib.bibtex.parse import parse_string
from list2bib.bibtex.render import reference_fields, render, written_fields
from list2bib.bibtex.values import name_value
from list2bib.model import ListEntry, Person, Record, Reference, Status
from list2bib.text.identity import bib_identities, identity_keys
from list2bib.text.titles import latex_to_text


@pytest.mark.parametrize(
    ("names", "written"),
    [
        ("Kaiser, Łukasz", r"Kaiser, {\L}ukasz"),
        ("Öztürk, Ayşe", r"{\"O}ztürk, Ayşe"),  # only the first letter: the rest stays UTF-8
        ("Ørsted, Jean-Émile", r"{\O}rsted, Jean-{\'E}mile"),  # `{f.}` gives J.-{\'E}.
        ("van Łoś, Ann~Ægir", r"van {\L}o{\'s}, Ann~{\AE}gir"),
        ("Čapek, K. and Şahin, Ç.", r"{\v{C}}apek, K. and {\c{S}}ahin, {\c{C}}."),
        ("{Ölkerei GmbH}", r"{\relax{}Ö}{{}lkerei GmbH}"),  # out of the group (test_eight_bit)
        ("Gödel, Kurt", r"G{\"o}del, Kurt"),  # among the first three of a family name
        ("Müller, Jürgen", r"M{\"u}ller, Jürgen"),  # a given name: its first letter only
        ("Schölkopf, Bernhard", "Schölkopf, Bernhard"),  # the fourth letter
        ("Kaiser, Lukasz", "Kaiser, Lukasz"),
        (r"Kaiser, {\L}ukasz", r"Kaiser, {\L}ukasz"),  # LaTeX already: unchanged
        (r"a\{Öx", r"a\{{\"O}x"),  # an escaped brace is one character, opening no group
        ("Þórsson, 王小明", r"{\relax{}Þ}{\'o}rsson, {\relax{}王}小明"),  # no LaTeX name in OT1
    ],
)
def test_first_letters_not_ascii_are_braced_latex(names: str, written: str) -> None:
    assert braced_initials(names) == written
    assert latex_to_text(written).replace("\xa0", "~") == latex_to_text(names)  # `~`: a tie


names = st.builds(
    Person,
    st.text(st.sampled_from("aZ Łłöü-é{}\\~,Þ王ı"), max_size=12),
    st.text(st.sampled_from("aZ ŁØöü-É.Ç"), max_size=8),
    st.booleans(),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(names)
def test_braced_initials_are_stable_and_keep_the_name(person: Person) -> None:
    """Once braced, a name is what it was (as text), and bracing again changes nothing: a file read
    back and written again is byte-identical."""
    value = name_value(person)
    braced = braced_initials(value)
    assert braced_initials(braced) == braced
    assert _as_text(braced) == _as_text(value)
    first_letters = [word[0] for word in re.split(r"[ ~,-]+", _outside_groups(braced)) if word]
    assert all(char.isascii() for char in first_letters)  # Þ and 王 too: `{\relax{}Þ}`


def _as_text(value: str) -> str:
    return latex_to_text("{}" + value)  # decoded even with no markup (`--` is a dash)


def _outside_groups(value: str) -> str:
    """What BibTeX splits into words, each escape and brace group an ASCII `x` (one character)."""
    value = re.sub(r"\\.", "x", value)
    while (shorter := re.sub(r"\{[^{}]*\}", "x", value)) != value:
        value = shorter
    return value


def reference(*authors: Person, editor: str = "") -> Reference:
    record = Record(
        "crossref",
        "article",
        "A Study of Names",
        authors,
        year="2017",
        venue={"journal": "Journal of Names", **({"editor": editor} if editor else {})},
    )
    entries = (ListEntry("list.md", 1, (), "t"),)
    return Reference("kaiser2017study", record, entries, Status.RESOLVED)


KAISER = reference(
    Person("Kaiser", "Łukasz"), Person("Öztürk", "Ayşe"), editor="Łoś, Jerzy and Émery, Michel"
)


def test_bibtex_braces_initials_and_biblatex_stays_utf8() -> None:
    fields = dict(reference_fields(KAISER))
    assert fields["author"] == r"Kaiser, {\L}ukasz and {\"O}ztürk, Ayşe"
    assert fields["editor"] == r"{\L}o{\'s}, Jerzy and {\'E}mery, Michel"
    biblatex = render([KAISER], biblatex=True)
    assert "author = {Kaiser, Łukasz and Öztürk, Ayşe}," in biblatex
    assert "editor = {Łoś, Jerzy and Émery, Michel}," in biblatex
    assert written_fields([KAISER], biblatex=True)[KAISER.key]["author"] == (
        "Kaiser, Łukasz and Öztürk, Ayşe"
    )


def test_ascii_output_is_what_it_was() -> None:
    (entry,) = parse_string(render([KAISER], ascii=True))
    assert entry.fields["author"] == r"Kaiser, {\L}ukasz and {\"O}zt{\"u}rk, Ay{\c{s}}e"


def test_a_hand_edit_is_written_as_the_user_wrote_it() -> None:
    text = render([KAISER], overrides={KAISER.key: {"author": "Öztürk, Ayşe"}})
    assert "author = {Öztürk, Ayşe}," in text


def test_read_back_the_names_and_identities_are_the_same() -> None:
    (entry,) = parse_string(render([KAISER]))
    (utf8,) = parse_string(render([KAISER], biblatex=True))
    assert entry.fields == written_fields([KAISER])[KAISER.key]
    assert latex_to_text(entry.fields["author"]) == utf8.fields["author"]
    # The identities an existing file is matched on (works/merge) do not see the braces.
    utf8_fields = {**entry.fields, "author": utf8.fields["author"]}
    assert bib_identities(entry.fields) == bib_identities(utf8_fields)
    assert set(bib_identities(entry.fields)) & set(identity_keys(KAISER.record))


def test_written_twice_is_byte_identical() -> None:
    assert render([KAISER]) == render([KAISER])
    # what a .bib list gives back as a name (the text as written) is written as it was
    (entry,) = parse_string(render([KAISER]))
    again = reference(Person("Kaiser", r"{\L}ukasz"), Person(r'{\"O}ztürk', "Ayşe"),
                      editor=entry.fields["editor"])  # fmt: skip
    assert render([again]) == render([KAISER])
