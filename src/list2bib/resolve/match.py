"""The acceptance rule for title searches: a candidate is taken only when it is surely the paper.

A wrong match silently corrupts a bibliography, so the rule is strict. A candidate is accepted when
(1) its title has the list's words in the list's order (spelling variants and punctuation aside; a
missing main title or subtitle is fine when what remains is long), (2) nothing known contradicts it
(first author, year within one, venue), and (3) no other work also passes (1) and (2). Candidates
for the same work from several services count as one work.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from list2bib.model import Candidate, Person, Record, WorkKind
from list2bib.resolve import venues
from list2bib.resolve.sources import TitleQuery
from list2bib.text.identity import folded_name, group_by_work
from list2bib.text.titles import normalize_title

# Two spellings of one word ("normalisation"/"normalization", "model"/"models").
SAME_WORD_SIMILARITY = 80.0
# A title that matches only as the other's main title or subtitle needs this many words.
MIN_PART_WORDS = 4
YEAR_SLACK = 1
# A candidate whose title is this close to the list's (or agrees with it) is near: worth asking
# the other services about the title, and worth a reader's review when none is taken.
NEAR_SIMILARITY = 75.0


class Outcome(StrEnum):
    """What a title search decided: one work taken, several works too close to call, or none."""

    ACCEPTED = "accepted"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on one title search. `records` is the accepted work as each source gave it
    (best first); `candidates` are all that were considered, with scores and reasons."""

    outcome: Outcome
    records: tuple[Record, ...]
    candidates: tuple[Candidate, ...]
    reason: str
    unasked: tuple[str, ...] = ()  # searches that failed (the work may be there)


def title_agreement(list_title: str, candidate_title: str) -> tuple[float, str | None]:
    """(similarity 0-100, None when the titles agree, else why not)."""
    wanted, offered = normalize_title(list_title).split(), normalize_title(candidate_title).split()
    if not wanted or not offered:
        return 0.0, "no title to compare"
    score = float(fuzz.ratio(" ".join(wanted), " ".join(offered)))
    difference = _word_difference(wanted, offered)
    if difference is None:
        return score, None
    if _is_part_of(list_title, candidate_title) or _is_part_of(candidate_title, list_title):
        return score, None
    return score, difference


def near(list_title: str, record: Record) -> bool:
    """Whether `record` comes close to being the listed title: the titles agree (only hints could
    still refuse it) or are at least NEAR_SIMILARITY alike."""
    score, difference = title_agreement(list_title, record.title)
    return difference is None or score >= NEAR_SIMILARITY


def _word_difference(wanted: list[str], offered: list[str]) -> str | None:
    """None when the word sequences are the same up to spelling; else the first difference."""
    matcher = difflib.SequenceMatcher(a=wanted, b=offered, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        ours, theirs = wanted[a1:a2], offered[b1:b2]
        if op == "replace" and len(ours) == len(theirs) and all(map(_same_word, ours, theirs)):
            continue
        if "".join(ours) == "".join(theirs):  # "in context" vs "incontext"
            continue
        if not ours:
            return f"the record adds {' '.join(theirs)!r}"
        if not theirs:
            return f"the record lacks {' '.join(ours)!r}"
        return f"{' '.join(ours)!r} where the record has {' '.join(theirs)!r}"
    return None


def _same_word(a: str, b: str) -> bool:
    if a.isdigit() or b.isdigit():
        return a == b
    return min(len(a), len(b)) >= 4 and fuzz.ratio(a, b) >= SAME_WORD_SIMILARITY


def _is_part_of(short: str, long: str) -> bool:
    """`short` is `long`'s main title or subtitle ('Augmenting large language models with
    chemistry tools' in 'ChemCrow: Augmenting ...'), long enough not to be generic."""
    for separator in (": ", " - ", " — ", " – "):
        if separator not in long:
            continue
        head, _, tail = long.partition(separator)
        for part in (head, tail):
            words = normalize_title(part).split()
            if len(words) >= MIN_PART_WORDS and words == normalize_title(short).split():
                return True
    return False


def contradiction(query: TitleQuery, record: Record) -> str | None:
    """What the list knows that the record contradicts, or None."""
    if query.first_author and record.authors:
        family = folded_name(query.first_author)
        names = {form for person in record.authors for form in _name_runs(person)}
        if family and family not in names:
            return f"first author {query.first_author} is not among the record's authors"
    listed, recorded = (query.year or "")[:4], (record.year or "")[:4]
    if listed.isdigit() and recorded.isdigit() and abs(int(listed) - int(recorded)) > YEAR_SLACK:
        return f"the list says {listed}, the record {recorded}"
    if query.venue and record.kind is WorkKind.PUBLISHED:
        hinted, _, _ = venues.parse_hint(query.venue)
        published = record.venue.get("booktitle") or record.venue.get("journal") or ""
        found = venues.lookup(published) if published else None
        # Main track vs Findings of the same conference is a finding for the list, not a
        # contradiction: compare the series.
        if hinted is not None and found is not None and _series(hinted) != _series(found):
            return f"the list says {hinted.short}, the record {found.short}"
    return None


def _name_runs(person: Person) -> set[str]:
    """Every run of consecutive words of a person's name, folded: `Arnab Sen Sharma` gives
    `sensharma` and `sharma`, so a list's `Sen Sharma, Arnab` matches a service's split into
    given `Arnab Sen` and family `Sharma` (and a particle's `de With` either way)."""
    words = [folded_name(word) for word in f"{person.given} {person.family}".split()]
    words = [word for word in words if word]
    return {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def _series(venue: venues.Venue) -> str:
    return venue.series or venue.short


def choose(query: TitleQuery, offered: Sequence[Record]) -> Verdict:
    """Accept one work among the candidates several searches offered, or say why not."""
    scored: list[tuple[Record, float, str | None]] = []
    for record in offered:
        score, why_not = title_agreement(query.title, record.title)
        why_not = why_not or contradiction(query, record)
        scored.append((record, score, why_not))
    candidates = tuple(
        Candidate(record, score, why_not or "title and hints agree")
        for record, score, why_not in sorted(scored, key=lambda s: -s[1])
    )
    passing = [record for record, _, why_not in scored if why_not is None]
    works = group_by_work(passing)
    if len(works) == 1:
        records = tuple(sorted(works[0], key=_preference))
        return Verdict(Outcome.ACCEPTED, records, candidates, "the only work whose title agrees")
    if len(works) > 1:
        reason = f"{len(works)} different works have this title; none is chosen"
        return Verdict(Outcome.AMBIGUOUS, (), candidates, reason)
    if not candidates:
        return Verdict(Outcome.NONE, (), (), "no service offered a candidate")
    best = candidates[0]
    reason = f"closest candidate {best.record.title!r} ({best.score:.0f}): {best.reason}"
    return Verdict(Outcome.NONE, (), candidates, reason)


def _preference(record: Record) -> tuple[int, int]:
    """Published first, then the services whose metadata is the publisher's own."""
    order = ("crossref", "doi", "acl", "dblp", "openreview", "s2")
    rank = order.index(record.source) if record.source in order else len(order)
    return (0 if record.kind is WorkKind.PUBLISHED else 1, rank)
