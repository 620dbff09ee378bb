"""Placeholders (`% list2bib: unresolved` entries) across runs: found again through the list entry
that made them when they share no identity with the work it resolves to, kept with their mark
when another list's run leaves them as they are, and their state records kept with them."""

from __future__ import annotations

from datetime import UTC, datetime

from list2bib.bibtex.parse import parse_file_text
from list2bib.bibtex.render import render
from list2bib.model import Link, ListEntry, Person, Record, Status, WorkKind
from list2bib.text.identity import work_id
from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan, plan
from list2bib.works.state import State, WorkState, fingerprint, listed_keys, next_state

NOW = datetime(2026, 3, 1, tzinfo=UTC)
MARK = "% list2bib: unresolved - built from papers.md:3, not verified"
BERT_TITLE = "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
ENTRY = ListEntry(
    "papers.md", 3, ("Papers",), BERT_TITLE, (Link("https://aclanthology.org/N19-1423/"),)
)
# What an offline run writes for ENTRY: the list's data only (an ACL link, no authors).
PLACEHOLDER = f"""\
{MARK}
@misc{{bert2019,
  title = {{{{BERT}}: Pre-training of Deep Bidirectional Transformers for Language Understanding}},
  year = {{2019}},
  url = {{https://aclanthology.org/N19-1423/}},
}}
"""
OFFLINE = Record(
    source="list", entry_type="misc", title=BERT_TITLE, year="2019",
    url="https://aclanthology.org/N19-1423/", kind=WorkKind.WEB,
)  # fmt: skip
RESOLVED = Record(
    source="crossref", entry_type="inproceedings", title=BERT_TITLE,
    authors=(Person("Devlin", "Jacob"),), year="2019", doi="10.18653/v1/n19-1423",
)  # fmt: skip
WORK = Work(work_id(RESOLVED), RESOLVED, (ENTRY,), Status.RESOLVED, ())
OLD = State(
    {work_id(OFFLINE): WorkState("bert2019", Status.UNRESOLVED, OFFLINE, "2026-01-01T00:00:00Z")},
    {fingerprint(ENTRY): work_id(OFFLINE)},
)


def test_the_state_names_the_placeholder_its_list_entry_made() -> None:
    assert listed_keys([WORK], OLD) == {WORK.work_id: ("bert2019",)}
    assert listed_keys([WORK], State()) == {}


def test_a_placeholder_sharing_no_identity_is_found_through_its_list_entry() -> None:
    entries = parse_file_text(PLACEHOLDER).entries
    assert plan([WORK], entries).untouched == entries  # no identity in common
    merged = plan([WORK], entries, earlier=listed_keys([WORK], OLD))
    assert merged.untouched == [] and merged.reserved == {}
    assert merged.aliases == {WORK.work_id: ("bert2019",)}


def test_only_a_placeholder_is_found_through_its_list_entry() -> None:
    entries = parse_file_text(PLACEHOLDER.replace(MARK, "% checked by hand")).entries
    merged = plan([WORK], entries, earlier=listed_keys([WORK], OLD))
    assert merged.untouched == entries and merged.aliases == {}


def test_a_placeholder_kept_verbatim_keeps_its_mark() -> None:
    text = "% my own note\n\n" + PLACEHOLDER + "\n@misc{mine,\n  title = {Mine},\n}\n"
    parsed = parse_file_text(text)
    placeholder, mine = parsed.entries
    assert placeholder.mark == MARK and placeholder.unverified and not mine.mark
    again = render([], kept=parsed.entries, macros=parsed.macros)
    assert again.count(MARK) == 1 and f"{MARK}\n@misc{{bert2019," in again
    assert parse_file_text(again) == parsed  # read back: the same entries, marked the same


def test_the_state_of_an_entry_kept_from_another_list_stays() -> None:
    other = ListEntry("other.md", 1, (), "Other", (Link("https://arxiv.org/abs/1706.03762"),))
    record = Record(source="arxiv", entry_type="misc", title="Other", arxiv_id="1706.03762")
    work = Work(work_id(record), record, (other,), Status.RESOLVED, ())
    keys, plan_ = {work.work_id: "other2017"}, MergePlan({}, {}, [])
    args = ([work], keys, plan_, OLD, {}, set(), NOW)
    kept = next_state(*args, refresh=False, kept=["bert2019"])
    assert kept.works[work_id(OFFLINE)] == OLD.works[work_id(OFFLINE)]
    assert kept.entries[fingerprint(ENTRY)] == work_id(OFFLINE)
    assert set(kept.works) == {work.work_id, work_id(OFFLINE)}
    dropped = next_state(*args, refresh=False)  # pruned: no longer in the file
    assert set(dropped.works) == {work.work_id} and fingerprint(ENTRY) not in dropped.entries
