"""state.next_state: what a run records. `checked` moves on only for works asked about (a refresh)
or whose answer changed (a build); a work whose previous entry was kept keeps its old state; every
list entry's fingerprint names its work."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from list2bib.model import Link, ListEntry, Person, Record, Status, WorkKind
from list2bib.text.identity import work_id
from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan
from list2bib.works.state import (
    State,
    WorkState,
    asked,
    fingerprint,
    next_state,
    now_text,
    select_all,
)

THEN = "2026-01-01T00:00:00Z"
NOW = datetime(2026, 3, 1, tzinfo=UTC)
MENG = Record(
    source="arxiv",
    entry_type="misc",
    title="Locating and Editing Factual Associations in GPT",
    authors=(Person("Meng", "Kevin"),),
    year="2022",
    arxiv_id="2202.05262",
    kind=WorkKind.PREPRINT,
)
ENTRY = ListEntry(
    "papers.md", 1, ("Papers",), MENG.title, (Link("https://arxiv.org/abs/2202.05262"),)
)
WORK = Work(work_id(MENG), MENG, (ENTRY,), Status.RESOLVED, ("a problem",))
KEY = "meng2022locating"
KEYS = {WORK.work_id: KEY}
WRITTEN = {KEY: {"title": "{Locating}", "year": "2022"}}


def before(record: Record = MENG, **changes: object) -> State:
    old = WorkState(KEY, Status.RESOLVED, record, THEN, {"title": "{Old}"})
    return State({WORK.work_id: replace(old, **changes)}, {})  # type: ignore[arg-type]


def test_a_build_keeps_checked_for_an_unchanged_work() -> None:
    state = next_state(
        [WORK], KEYS, MergePlan({}, {}, []), before(), WRITTEN, set(), NOW, refresh=False
    )
    work = state.works[WORK.work_id]
    assert work.checked == THEN
    assert work.written == WRITTEN[KEY] and work.problems == ("a problem",)
    assert state.entries == {fingerprint(ENTRY): WORK.work_id}


def test_a_build_moves_checked_when_the_answer_changed() -> None:
    old = before(replace(MENG, year="2021"))
    state = next_state([WORK], KEYS, MergePlan({}, {}, []), old, WRITTEN, set(), NOW, refresh=False)
    assert state.works[WORK.work_id].checked == now_text(NOW)
    assert state.works[WORK.work_id].record == MENG


def test_a_refresh_moves_checked_only_for_works_it_asked_about() -> None:
    plan = MergePlan({}, {}, [])
    kept = next_state([WORK], KEYS, plan, before(), WRITTEN, {"other"}, NOW, refresh=True)
    assert kept.works[WORK.work_id].checked == THEN
    asked_again = asked([ENTRY], select_all([ENTRY]))
    moved = next_state([WORK], KEYS, plan, before(), WRITTEN, asked_again, NOW, refresh=True)
    assert moved.works[WORK.work_id].checked == now_text(NOW)


def test_a_new_work_is_stamped_now() -> None:
    state = next_state(
        [WORK], KEYS, MergePlan({}, {}, []), State(), WRITTEN, set(), NOW, refresh=True
    )
    assert state.works[WORK.work_id].checked == now_text(NOW)
    assert state.works[WORK.work_id].key == KEY


def test_a_kept_previous_entry_keeps_its_old_state_and_is_asked_again_when_incomplete() -> None:
    plan = MergePlan({}, {WORK.work_id: None}, [])  # type: ignore[dict-item]
    failing = replace(WORK, incomplete=True, record=replace(MENG, title="Placeholder"))
    state = next_state([failing], KEYS, plan, before(), {}, set(), NOW, refresh=False)
    work = state.works[WORK.work_id]
    assert work.record == MENG and work.written == {"title": "{Old}"} and work.checked == THEN
    assert work.incomplete
    # Without an old state there is nothing to keep: the work is not recorded, nor its entries.
    assert next_state([failing], KEYS, plan, State(), {}, set(), NOW, refresh=False) == State()


def test_select_all_resolves_every_entry() -> None:
    chosen = select_all([ENTRY, ENTRY])
    assert chosen.new == (0, 1) and chosen.recheck == () and not chosen.reused
    assert asked([ENTRY, ENTRY], chosen) == {fingerprint(ENTRY)}
