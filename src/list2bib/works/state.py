"""The sidecar `<bib>.list2bib.json`: what list2bib last wrote for each entry, the record behind it,
when each work was last checked, and which list entries (by fingerprint) named it.

It lets a refresh tell a user's hand edit from stale data, and re-resolve only what is due; each
run ends by working out the next state from the one before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from list2bib.errors import InputError
from list2bib.model import ListEntry, Person, Record, Resolution, Status, WorkKind
from list2bib.text.identifiers import entry_identifiers
from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan

VERSION = 1
SUFFIX = ".list2bib.json"


def state_path(bib: Path) -> Path:
    """`references.bib` -> `references.bib.list2bib.json`, beside it (commit it with the bib)."""
    return bib.with_name(bib.name + SUFFIX)


@dataclass(frozen=True, slots=True)
class WorkState:
    """One work as list2bib last wrote it."""

    key: str
    status: Status
    record: Record
    checked: str  # UTC ISO time the services were last asked about this work
    written: Mapping[str, str] = field(default_factory=dict)  # fields as read back from the file
    problems: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    incomplete: bool = False  # a service failed while it was settled: asked again next refresh


@dataclass(frozen=True, slots=True)
class State:
    works: Mapping[str, WorkState] = field(default_factory=dict)  # work_id -> state
    entries: Mapping[str, str] = field(default_factory=dict)  # list-entry fingerprint -> work_id

    def by_key(self) -> dict[str, tuple[str, WorkState]]:
        return {work.key: (work_id, work) for work_id, work in self.works.items()}

    def managed_keys(self) -> set[str]:
        """The keys list2bib wrote on the run before."""
        return {work.key for work in self.works.values()}


def fingerprint(entry: ListEntry) -> str:
    """What a list says about a paper, minus where it says it (file, line, topics): editing the
    title or a link changes it; moving the entry or adding others before it does not."""
    data = [
        " ".join(entry.title.split()),
        sorted(link.url for link in entry.links),
        entry.venue_hint,
        entry.date_hint,
        list(entry.authors),
        entry.key,
        sorted(entry.fields),
        entry.entry_type,
    ]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def now_text(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def age_days(checked: str, now: datetime) -> float:
    """Days since `checked`; unreadable times count as long ago (so the work is asked again)."""
    try:
        then = datetime.strptime(checked, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return float("inf")
    return (now - then).total_seconds() / 86400.0


# --- JSON ---------------------------------------------------------------------------------------


def record_to_json(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        if item.name == "authors":
            value = [[p.family, p.given, p.literal] for p in value]
        elif isinstance(value, WorkKind):
            value = value.value
        elif isinstance(value, dict):
            value = dict(sorted(value.items()))
        if value not in (None, (), [], {}):
            data[item.name] = value
    return data


def record_from_json(data: Mapping[str, Any]) -> Record:
    """The inverse of `record_to_json`; keys this version does not know are ignored."""
    known = {item.name for item in dataclasses.fields(Record)}
    values = {name: value for name, value in data.items() if name in known}
    values["authors"] = tuple(
        Person(str(f), str(g), bool(literal)) for f, g, literal in values.get("authors", ())
    )
    values["kind"] = WorkKind(values.get("kind", WorkKind.PUBLISHED.value))
    values["venue"] = dict(values.get("venue", {}))
    return Record(**values)


def to_json(state: State) -> str:
    """The state file's text: `json.dumps(..., indent=1)` of version, works and entries, encoded
    one work at a time (the whole document at once holds every chunk of a 100,000-work state)."""
    works = ((work_id, _work_json(work)) for work_id, work in sorted(state.works.items()))
    parts = ['{\n "version": ', json.dumps(VERSION), ',\n "works": ', *_members(works, 1)]
    parts += [',\n "entries": ', *_members(sorted(state.entries.items()), 1), "\n}\n"]
    return "".join(parts)


def _work_json(work: WorkState) -> dict[str, Any]:
    return {
        "key": work.key,
        "status": work.status.value,
        "checked": work.checked,
        "record": record_to_json(work.record),
        "written": dict(sorted(work.written.items())),
        **({"problems": list(work.problems)} if work.problems else {}),
        **({"evidence": list(work.evidence)} if work.evidence else {}),
        **({"incomplete": True} if work.incomplete else {}),
    }


def _members(items: Iterable[tuple[str, Any]], depth: int) -> Iterator[str]:
    """A JSON object of `items` as `json.dumps(indent=1)` writes it `depth` levels deep, a member
    at a time (JSON text holds no raw newline, so re-indenting a member's lines is safe)."""
    pad = "\n" + " " * (depth + 1)
    empty = True
    for key, value in items:
        member = json.dumps(value, ensure_ascii=False, indent=1).replace("\n", pad)
        yield ("{" if empty else ",") + pad + json.dumps(key, ensure_ascii=False) + ": " + member
        empty = False
    yield "{}" if empty else "\n" + " " * depth + "}"


def from_json(text: str, source: str = "<state>") -> State:
    try:
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {VERSION}")
        works = {
            str(work_id): WorkState(
                key=str(body["key"]),
                status=Status(body["status"]),
                record=record_from_json(body["record"]),
                checked=str(body.get("checked", "")),
                written={str(k): str(v) for k, v in body.get("written", {}).items()},
                problems=tuple(body.get("problems", ())),
                evidence=tuple(body.get("evidence", ())),
                incomplete=bool(body.get("incomplete", False)),
            )
            for work_id, body in data.get("works", {}).items()
        }
        entries = {str(k): str(v) for k, v in data.get("entries", {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError(
            f"{source}: not a list2bib state file ({error}); delete it to start afresh "
            "(hand edits made since the last run are then taken as list2bib's own)"
        ) from error
    return State(works, entries)


def load(path: Path) -> State:
    """The state beside the bib, empty when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return State()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the state file ({error})") from error
    return from_json(text, os.fspath(path))


# --- what a refresh must ask again ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """Indices of list entries to resolve (new or edited), to re-check with the cache bypassed
    (a preprint or an unresolved entry whose last check is too old), and the rest, reused."""

    new: tuple[int, ...]
    recheck: tuple[int, ...]
    reused: Mapping[int, Resolution]

    @property
    def asked(self) -> int:
        """How many entries are sent to the resolver."""
        return len(self.new) + len(self.recheck)


def select_all(entries: Sequence[ListEntry]) -> Selection:
    """Every entry resolved (a build: the HTTP cache decides what is asked again)."""
    return Selection(tuple(range(len(entries))), (), {})


def asked(entries: Sequence[ListEntry], chosen: Selection) -> set[str]:
    """The fingerprints of the entries sent to the resolver."""
    return {fingerprint(entries[i]) for i in (*chosen.new, *chosen.recheck)}


def select(
    entries: Sequence[ListEntry],
    state: State,
    now: datetime,
    *,
    preprint_days: float,
    unresolved_days: float,
) -> Selection:
    new: list[int] = []
    recheck: list[int] = []
    reused: dict[int, Resolution] = {}
    for index, entry in enumerate(entries):
        work_id = state.entries.get(fingerprint(entry))
        work = state.works.get(work_id) if work_id else None
        if work is None:
            new.append(index)
            continue
        age = age_days(work.checked, now)
        if work.incomplete:
            due = True
        elif work.status is not Status.RESOLVED:
            due = age >= unresolved_days
        else:
            due = work.record.kind is WorkKind.PREPRINT and age >= preprint_days
        if due:
            recheck.append(index)
            continue
        reused[index] = Resolution(
            entry,
            work.status,
            tuple(entry_identifiers(entry)),
            work.record,
            problems=work.problems,
            evidence=work.evidence,
        )
    return Selection(tuple(new), tuple(recheck), reused)


def listed_keys(works: Sequence[Work], old: State) -> dict[str, tuple[str, ...]]:
    """work id -> the keys `old` gives the works each of its list entries made on the run before
    (the same entry, resolved now, may be another work: a placeholder written offline)."""
    found: dict[str, tuple[str, ...]] = {}
    for work in works:
        before = (old.works.get(old.entries.get(fingerprint(e), "")) for e in work.entries)
        keys = tuple(dict.fromkeys(b.key for b in before if b is not None))
        if keys:
            found[work.work_id] = keys
    return found


# --- what this run wrote -------------------------------------------------------------------------


def checked_times(
    works: Sequence[Work], old: State, asked: set[str], now: datetime, *, refresh: bool
) -> dict[str, str]:
    """work id -> when the services were last asked about it (see `next_state`): now for a work
    asked this run (a refresh) or whose answer changed (a build), else the time the state has."""
    stamp = now_text(now)
    times: dict[str, str] = {}
    for work in works:
        before = old.works.get(work.work_id)
        if refresh:
            fresh = bool({fingerprint(e) for e in work.entries} & asked) or before is None
        else:
            fresh = before is None or (before.record, before.status) != (work.record, work.status)
        times[work.work_id] = stamp if fresh or before is None else before.checked
    return times


def next_state(
    works: Sequence[Work],
    keys: Mapping[str, str],
    merged: MergePlan,
    old: State,
    bare: Mapping[str, dict[str, str]],
    asked: set[str],
    now: datetime,
    *,
    refresh: bool,
    kept: Collection[str] = (),
    checked: Mapping[str, str] | None = None,
) -> State:
    """What this run wrote (`bare`: by key, the fields list2bib wrote before any override).
    `kept`: keys of the file's entries no list of this run made, kept verbatim: their old states
    stay, so a later run of their own list finds them as that list left them.
    `checked` moves on only for works the services were asked about (a refresh) or whose answer
    changed (a build, which cannot tell a cached answer from a new one), so an unchanged run
    leaves the state file byte-identical too. A work whose previous entry was kept verbatim keeps
    its old state. `checked`: `checked_times` of these arguments, when already worked out."""
    by_work = {work.work_id: work for work in works}
    if checked is None:
        checked = checked_times(works, old, asked, now, refresh=refresh)
    states: dict[str, WorkState] = {}
    for work_id, work in by_work.items():
        before = old.works.get(work_id)
        if work_id in merged.previous:
            if before is not None:  # kept as it was; if a service failed, asked again next time
                states[work_id] = dataclasses.replace(
                    before, incomplete=before.incomplete or work.incomplete
                )
            continue
        key = keys[work_id]
        states[work_id] = WorkState(
            key=key,
            status=work.status,
            record=work.record,
            checked=checked[work_id],
            written=bare.get(key, {}),
            problems=work.problems,
            evidence=work.evidence,
            incomplete=work.incomplete,
        )
    prints_of = {fingerprint(e): w for w, work in by_work.items() for e in work.entries}
    entries = {p: w for p, w in prints_of.items() if w in states}
    taken = {work.key for work in states.values()}
    held = {
        w: work
        for w, work in old.works.items()
        if work.key in kept and w not in states and work.key not in taken
    }
    states.update(held)
    entries.update((p, w) for p, w in old.entries.items() if w in held and p not in entries)
    return State(states, entries)
