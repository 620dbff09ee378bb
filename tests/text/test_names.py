"""names.split_name: particles, comma form, suffixes, single words and organisations."""

from __future__ import annotations

import pytest

from list2bib.model import Person
from list2bib.text.names import person_from_parts, split_name


@pytest.mark.parametrize(
    ("name", "family", "given"),
    [
        # Particles join the family name.
        ("Peter H. N. de With", "de With", "Peter H. N."),
        ("Joost van der Putten", "van der Putten", "Joost"),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig"),
        ("Leonardo da Vinci", "da Vinci", "Leonardo"),
        ("Ana de la Cruz", "de la Cruz", "Ana"),
        ("Ursula von der Leyen", "von der Leyen", "Ursula"),
        ("Mohammed bin Rashid", "bin Rashid", "Mohammed"),
        ("van Gogh", "van Gogh", ""),
        # Capitalised middle words stay with the given names.
        ("Kees A. Schouhamer Immink", "Immink", "Kees A. Schouhamer"),
        ("Arnab Sen Sharma", "Sharma", "Arnab Sen"),
        ("Simon Bin", "Bin", "Simon"),
        ("Peter H. N. De With", "With", "Peter H. N. De"),
        # Plain names, hyphens, initials, non-ASCII.
        ("Kevin Meng", "Meng", "Kevin"),
        ("Francisco J Valero-Cuevas", "Valero-Cuevas", "Francisco J"),
        ("A. J. Han Vinck", "Vinck", "A. J. Han"),
        ("Dirk Wübben", "Wübben", "Dirk"),
        ("André F. T. Martins", "Martins", "André F. T."),
        ("  Juan   M.\tMaldacena ", "Maldacena", "Juan M."),
        # Comma form.
        ("Valero-Cuevas, Francisco J", "Valero-Cuevas", "Francisco J"),
        ("van der Putten, Joost", "van der Putten", "Joost"),
        ("Gödel, Kurt", "Gödel", "Kurt"),
        # A comma inside braces does not split.
        ("Z, {Z,}", "Z", "{Z,}"),
        ("{Barnes, Noble} Smith", "Smith", "{Barnes, Noble}"),
        ("Doe, {Jr., Inc}", "Doe", "{Jr., Inc}"),
        # Suffixes stay with the family part, whichever way they are written.
        ("Martin Luther King Jr.", "King Jr.", "Martin Luther"),
        ("Martin Luther King, Jr.", "King Jr.", "Martin Luther"),
        ("King, Jr., Martin Luther", "King Jr.", "Martin Luther"),
        ("John Smith III", "Smith III", "John"),
        ("Frederick P. Brooks Jr", "Brooks Jr", "Frederick P."),
        ("Arnak V. Poghosyan", "Poghosyan", "Arnak V."),
        # One word: family only.
        ("Aristotle", "Aristotle", ""),
        ("OpenAI", "OpenAI", ""),
    ],
)
def test_split_name(name: str, family: str, given: str) -> None:
    assert split_name(name) == Person(family=family, given=given)


def test_literal_keeps_an_organisation_whole() -> None:
    org = "The Supernova Cosmology Project"
    assert split_name(org, literal=True) == Person(family=org, literal=True)
    assert split_name("OpenAI", literal=True) == Person(family="OpenAI", literal=True)


def test_a_braced_name_is_literal() -> None:
    assert split_name("{The Supernova Cosmology Project}") == Person(
        family="The Supernova Cosmology Project", literal=True
    )
    # Braces around only part of the name do not make it an organisation.
    assert split_name("{van} Gogh, Vincent") == Person(family="{van} Gogh", given="Vincent")


def test_empty_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        split_name("   ")


def test_person_from_parts_applies_the_same_rules() -> None:
    assert person_from_parts("Beethoven", "Ludwig", particle="van") == Person(
        "van Beethoven", "Ludwig"
    )
    assert person_from_parts("King", "Martin Luther", suffix="Jr.") == Person(
        "King Jr.", "Martin Luther"
    )
    assert person_from_parts("", "Madonna") == Person("Madonna")
    assert person_from_parts("OpenAI", literal=True) == Person("OpenAI", literal=True)


@pytest.mark.parametrize(
    "name", ["Peter H. N. de With", "Martin Luther King Jr.", "Joost van der Putten", "Kurt Gödel"]
)
def test_family_given_form_reads_back_the_same(name: str) -> None:
    """`{family}, {given}` (how BibTeX output writes a Person) splits back into the same parts."""
    person = split_name(name)
    assert split_name(f"{person.family}, {person.given}") == person
