"""Personal names as services write them (`Peter H. N. de With`, `Valero-Cuevas, Francisco J`) split
into family and given parts that BibTeX reads back the same way.

Rules, in order (BibTeX's own `First von Last` / `von Last, Jr, First` reading, simplified):

* `literal=True`, or a name wrapped in one pair of braces (`{The Supernova Cosmology Project}`),
  is an organisation: the whole text becomes `family` with `literal=True` and is never split.
* Comma form: `Family, Given` and `Family, Suffix, Given`. `King, Jr.` alone is not a comma form
  but a trailing suffix.
* Otherwise the last word is the family name, preceded by any run of lower-case particles
  (`van der`, `de`, `bin`, ...) that starts after the first word: `Peter H. N. de With` ->
  `de With`. Capitalised middle words stay in `given` (`Kees A. Schouhamer Immink` -> family
  `Immink`): without a particle there is no telling a double surname from a middle name, and
  arXiv's own citation tags make the same choice.
* A generational suffix (`Jr`, `Jr.`, `Sr.`, `II`, `III`, `IV`) is kept with the family part:
  `Martin Luther King Jr.` -> family `King Jr.`, given `Martin Luther`. Written out as
  `{family}, {given}` that is `King Jr., Martin Luther`, which BibTeX parses back to the same parts
  (a suffix in `given` would not survive: `King, Martin Luther, Jr.` makes `Jr.` the first name).
* One word is a family name with an empty `given` (`Aristotle`, `OpenAI`).
"""

from __future__ import annotations

import re

from list2bib.model import Person

# Lower-case particles that belong to the family name ("van der Putten", "de With", "bin Zayed").
PARTICLES = frozenset(
    {
        "van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "ten",
        "ter", "bin", "al", "dos", "das", "des", "do", "zu", "vom", "zum", "zur", "af", "av",
    }
)  # fmt: skip
# Lower-case words a written name may hold (`Jan ten Brink`, `José Ortega y Gasset`): the particles,
# and the `y` of Spanish double surnames, which `split_name` leaves with the given names (as a
# particle it would start the family name, and a citation key `y2020`).
LOWER_CASE_NAME_WORDS = PARTICLES | {"y"}

# Generational suffixes, compared case-insensitively. "V" is left out: it is usually an initial.
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def split_name(name: str, *, literal: bool = False) -> Person:
    """Split one author name into a `Person` following the rules in the module docstring."""
    text = " ".join(name.split())
    if not text:
        raise ValueError("empty author name")
    if text.startswith("{") and text.endswith("}") and _balanced_inner(text):
        return Person(family=text[1:-1].strip(), literal=True)
    if literal:
        return Person(family=text, literal=True)
    parts = [p.strip() for p in _split_outside_braces(text, ",")]
    if len(parts) > 1:
        if len(parts) == 2 and is_suffix(parts[1]):
            return _split_spaced(parts[0], suffix=parts[1])
        if parts[0]:
            given = parts[-1]
            suffix = " ".join(p for p in parts[1:-1] if p)
            return person_from_parts(family=parts[0], given=given, suffix=suffix)
        text = " ".join(p for p in parts if p)
    return _split_spaced(text)


def person_from_parts(
    family: str, given: str = "", *, particle: str = "", suffix: str = "", literal: bool = False
) -> Person:
    """Build a `Person` from parts a service already separated (CSL `non-dropping-particle`,
    `suffix`), applying the same suffix rule as `split_name`."""
    family = " ".join(family.split())
    given = " ".join(given.split())
    if literal:
        return Person(family=family, literal=True)
    if particle.strip():
        family = f"{' '.join(particle.split())} {family}"
    if suffix.strip():
        family = f"{family} {' '.join(suffix.split())}"
    if not family:
        # Only a given name (some services put mononyms there): it is the family name.
        return Person(family=given)
    return Person(family=family, given=given)


def is_suffix(word: str) -> bool:
    return word.strip().lower() in SUFFIXES


def _split_spaced(text: str, suffix: str = "") -> Person:
    words = text.split()
    if len(words) > 1 and not suffix and is_suffix(words[-1]):
        suffix = words.pop()
    if len(words) == 1:
        return person_from_parts(family=words[0], suffix=suffix)
    start = len(words) - 1
    # Walk left from the last word over lower-case particles, never taking the first word.
    while start - 1 >= 1 and words[start - 1] in PARTICLES:
        start -= 1
    if start == 1 and words[0] in PARTICLES:
        start = 0  # "van Gogh": a particle and a name, no given name
    return person_from_parts(
        family=" ".join(words[start:]), given=" ".join(words[:start]), suffix=suffix
    )


def _balanced_inner(text: str) -> bool:
    """True when the outer braces of `{...}` enclose the whole name (not `{A} and {B}`)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and i < len(text) - 1:
            return False
    return depth == 0


def split_authors(value: str) -> list[str]:
    """BibTeX's ` and ` separator, ignoring `and` inside braces (`{Johnson and Johnson}`)."""
    return [name.strip() for name in _split_outside_braces(value, r"\s+and\s+") if name.strip()]


def _split_outside_braces(value: str, separator: str) -> list[str]:
    """`value` split at each match of the `separator` pattern outside braces (BibTeX's rule for
    ` and ` between names and for the commas in `von Last, Jr, First`)."""
    parts, depth, start = [], 0, 0
    for match in re.finditer(rf"[{{}}]|{separator}", value):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(value[start : match.start()])
            start = match.end()
    parts.append(value[start:])
    return parts
