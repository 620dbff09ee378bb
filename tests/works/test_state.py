"""state: the sidecar's JSON round trip, list-entry fingerprints, and which entries a refresh asks
about again (new or edited; preprints and unresolved entries past their TTL)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from list2bib.errors import InputError
from list2bib.model import Link, ListEntry, Person, Record, Status, WorkKind
from list2bib.works.state import (
    State,
    WorkState,
    age_days,
    fingerprint,
    from_json,
    load,
    now_text,
    record_from_json,
    record_to_json,
    select,
    state_path,
    to_json,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)
MENG = Record(
    "arxiv",
    "misc",
    "Locating and Editing Factual Associations in GPT",
    authors=(Person("Meng", "Kevin"), Person("OpenAI", literal=True)),
    year="2022",
    month=2,
    arxiv_id="2202.05262",
    primary_class="cs.CL",
    venue={"note": "x", "howpublished": "y"},
    kind=WorkKind.PREPRINT,
    dblp_key="conf/nips/MengBAB22",
)


def entry(
    title: str = "Locating", url: str = "https://arxiv.org/abs/2202.05262", **kw: object
) -> ListEntry:
    return ListEntry("list.md", 3, ("Papers",), title, (Link(url),), **kw)  # type: ignore[arg-type]


def test_a_record_survives_the_json_round_trip() -> None:
    assert record_from_json(record_to_json(MENG)) == MENG


def test_unknown_record_keys_are_ignored() -> None:
    data = record_to_json(MENG) | {"from_a_newer_version": 1}
    assert record_from_json(data) == MENG


def test_state_json_is_deterministic_and_round_trips() -> None:
    work = WorkState("meng2022locating", Status.RESOLVED, MENG, now_text(NOW), {"title": "T"})
    state = State({"arxiv:2202.05262": work}, {"b": "arxiv:2202.05262", "a": "arxiv:2202.05262"})
    text = to_json(state)
    assert to_json(from_json(text)) == text
    assert text.index('"a"') < text.index('"b"')
    assert from_json(text).works["arxiv:2202.05262"] == work


def test_state_json_is_written_as_json_dumps_writes_it() -> None:
    """Encoded a work at a time, the text is still exactly the whole document's."""
    meng = WorkState("meng2022locating", Status.RESOLVED, MENG, now_text(NOW), {"title": "Tø"})
    other = replace(meng, key="x", problems=("a\nb",), evidence=("é",), incomplete=True)
    for state in (
        State(),
        State({"arxiv:2202.05262": meng}),
        State({"b": meng, "a": other}, {"z": "a", "y": "b"}),
    ):
        text = to_json(state)
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"
        assert from_json(text) == state


def test_a_missing_state_is_empty_and_a_broken_one_says_what_to_do(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    assert state_path(bib).name == "refs.bib.list2bib.json"
    assert load(state_path(bib)) == State()
    state_path(bib).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="delete it"):
        load(state_path(bib))


def test_fingerprints_ignore_place_but_not_content() -> None:
    base = entry()
    moved = replace(base, source="other.md", line=99, topics=("Elsewhere",), tags=("x",))
    assert fingerprint(moved) == fingerprint(base)
    assert fingerprint(replace(base, title="Locating and editing")) != fingerprint(base)
    assert fingerprint(entry(url="https://arxiv.org/abs/2202.05263")) != fingerprint(base)
    assert fingerprint(replace(base, venue_hint="NeurIPS 2022")) != fingerprint(base)


def test_age_of_an_unreadable_time_is_infinite() -> None:
    assert age_days(now_text(NOW - timedelta(days=2)), NOW) == pytest.approx(2.0)
    assert age_days("yesterday", NOW) == float("inf")


def state_with(*works: tuple[ListEntry, Status, Record, float]) -> State:
    entries, states = {}, {}
    for index, (listed, status, record, days) in enumerate(works):
        work_id = f"w{index}"
        checked = now_text(NOW - timedelta(days=days))
        states[work_id] = WorkState(f"k{index}", status, record, checked)
        entries[fingerprint(listed)] = work_id
    return State(states, entries)


def test_select_splits_new_due_and_reused_entries() -> None:
    published = replace(MENG, kind=WorkKind.PUBLISHED)
    fresh_preprint, old_preprint = entry("a"), entry("b")
    old_published, old_unresolved, new_unresolved = entry("c"), entry("d"), entry("e")
    brand_new = entry("f")
    state = state_with(
        (fresh_preprint, Status.RESOLVED, MENG, 3),
        (old_preprint, Status.RESOLVED, MENG, 8),
        (old_published, Status.RESOLVED, published, 400),
        (old_unresolved, Status.UNRESOLVED, MENG, 2),
        (new_unresolved, Status.UNRESOLVED, MENG, 0.5),
    )
    listed = [
        fresh_preprint,
        old_preprint,
        old_published,
        old_unresolved,
        new_unresolved,
        brand_new,
    ]
    chosen = select(listed, state, NOW, preprint_days=7, unresolved_days=1)
    assert chosen.new == (5,)
    assert chosen.recheck == (1, 3)
    assert sorted(chosen.reused) == [0, 2, 4]
    reused = chosen.reused[2]
    assert reused.entry is old_published and reused.record == published
    assert reused.status is Status.RESOLVED and reused.identifiers
