"""Wiring only: lists -> entries -> resolutions -> works -> keyed references -> references.bib.

The one place that knows the order of the stages; `cli` is a thin layer over `build`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from list2bib.bibtex import render as bibtex
from list2bib.config import Config
from list2bib.errors import InputError
from list2bib.infra import lock
from list2bib.infra.http import Clock, Http, HttpSettings
from list2bib.infra.memo import Memo
from list2bib.model import ListEntry, Reference, Resolution, RunResult
from list2bib.read import dispatch as listfile
from list2bib.report import changes as changes_
from list2bib.resolve.rounds import Progress, resolve
from list2bib.works import citekeys, dedupe, merge, state

logger = logging.getLogger("list2bib")

HEADER = "Written by list2bib: entries sorted by key; a key once written is kept on later runs."


def read_lists(paths: Sequence[str | Path], memo: Memo | None = None) -> list[ListEntry]:
    """Every entry of every list, in order. Fails before any network use if one cannot be read.
    With a `memo`, a list unchanged since the last run is not parsed again."""
    entries: list[ListEntry] = []
    for path in paths:
        found = (
            memo.read("list", path, functools.partial(listfile.read_list, path))
            if memo is not None
            else listfile.read_list(path)
        )
        if not found:
            logger.warning("%s: no paper entries found (is it a paper list?)", path)
        entries.extend(found)
    if paths and not entries:
        # Going on would write an empty bibliography (and, with --prune, empty the user's).
        names = ", ".join(os.fspath(p) for p in paths)
        raise InputError(
            f"{names}: no paper entries found; give a Markdown paper list, a list of ids or a .bib"
        )
    return entries


def http_for(config: Config, clock: Clock | None = None) -> Http:
    """The shared HTTP session, with each configured service's politeness interval by host."""
    intervals: dict[str, float] = {}
    for service in config.services.values():
        host = urlsplit(service.base_url).netloc.lower()
        intervals[host] = max(intervals.get(host, 0.0), service.min_interval)
    settings = HttpSettings(
        user_agent=config.user_agent,
        timeout=config.timeout,
        retries=config.retries,
        cache_path=config.cache_dir / "http-cache.sqlite",
        expire_after=config.cache_days * 86400.0,
        offline=config.offline,
        host_intervals=intervals,
    )
    return Http(settings, clock=clock)


def read_existing(path: Path, memo: Memo | None = None) -> bibtex.BibFile:
    """The output file as it is now (empty when missing); a folder or broken file is an error."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a .bib file path with -o")
    if memo is not None:
        return memo.read("bib", path, lambda: bibtex.read_file(path))
    return bibtex.read_file(path)


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything a build decides before writing: the keyed references, the file's text, the
    sidecar files' texts and what changed."""

    references: tuple[Reference, ...]
    text: str
    kept: tuple[str, ...]
    requests_by_host: dict[str, int]
    state_text: str = ""
    renames: dict[str, str] = field(default_factory=dict)
    changes: tuple[changes_.Change, ...] = ()
    removed: tuple[str, ...] = ()
    asked: int = 0  # list entries sent to the resolver (the rest were reused from the state)


@dataclass(frozen=True, slots=True)
class BuildResult(RunResult):
    """A RunResult plus what refresh-style runs report."""

    changes: tuple[changes_.Change, ...] = ()
    removed: tuple[str, ...] = ()
    would_change: bool = False  # the bib's text differs from the file (what --check reports)
    asked: int = 0


def prepare(
    list_paths: Sequence[str | Path],
    config: Config,
    *,
    clock: Clock | None = None,
    progress: Progress | None = None,
    refresh: bool = False,
    now: datetime | None = None,
) -> Prepared:
    """Resolve the lists and key every work as `build` would, without writing anything.

    `refresh`: resolve only new or edited list entries and the re-checks that are due (cache
    bypassed), reusing the state file's records for the rest. Keys come from `config.output`
    when it exists, so `zotero sync` uses the keys of the bib."""
    pattern = citekeys.check_pattern(config.key_pattern)
    now = now or datetime.now(UTC)
    memo = Memo(config.cache_dir / "inputs")
    entries = read_lists(list_paths, memo)
    existing = read_existing(config.output, memo)
    old_state = state.load(state.state_path(config.output))
    if refresh:
        chosen = state.select(
            entries,
            old_state,
            now,
            preprint_days=config.preprint_days,
            unresolved_days=config.unresolved_days,
        )
    else:
        chosen = state.Selection(tuple(range(len(entries))), (), {})

    found: dict[int, Resolution] = dict(chosen.reused)
    with http_for(config, clock) as http:
        if chosen.new:
            picked = [entries[i] for i in chosen.new]
            found.update(zip(chosen.new, resolve(picked, http, config, progress), strict=True))
        if chosen.recheck:
            picked = [entries[i] for i in chosen.recheck]
            with http.fresh():
                answers = resolve(picked, http, config, progress)
            found.update(zip(chosen.recheck, answers, strict=True))
        requests = dict(http.requests_by_host)
    resolutions = [found[i] for i in range(len(entries))]
    asked = {state.fingerprint(entries[i]) for i in (*chosen.new, *chosen.recheck)}

    works = dedupe.cluster(resolutions)
    managed = {w.key for w in old_state.works.values()}
    merged = merge.plan(works, existing.entries, managed)
    old_renames = merge.load_renames(merge.renames_path(config.output))
    reserved = dict(merged.reserved)
    reserved.update({f"file:{e.key}": e.key for e in merged.untouched})
    reserved.update({work_id: e.key for work_id, e in merged.previous.items()})
    aliases_in_use = {k for e in existing.entries for k in merge.entry_ids(e)} | set(old_renames)
    reserved.update({f"alias:{k}": k for k in aliases_in_use})
    _reserve_input_keys(works, reserved)
    keys = citekeys.assign_keys([(w.work_id, w.record) for w in works], reserved, pattern=pattern)

    references: list[Reference] = []
    for work in works:
        problems = work.problems
        if work.work_id in merged.previous:
            problems += (f"kept the previous entry from {config.output} unchanged",)
        references.append(
            Reference(
                keys[work.work_id], work.record, work.entries, work.status, problems,
                evidence=work.evidence, candidates=work.candidates, lint=work.lint,
                incomplete=work.incomplete,
            )
        )  # fmt: skip
    rendered = [
        r for w, r in zip(works, references, strict=True) if w.work_id not in merged.previous
    ]
    bare = bibtex.written_fields(rendered, ascii=config.ascii)

    overrides: dict[str, dict[str, str | None]] = {}
    edited: dict[str, list[str]] = {}
    by_key = old_state.by_key()
    for work in works:
        key = keys[work.work_id]
        survivor = merged.matched.get(work.work_id)
        aliases = sorted(
            {a for a in merged.aliases.get(work.work_id, ()) if a != key}, key=str.casefold
        )
        if aliases:
            overrides.setdefault(key, {})["ids"] = ", ".join(aliases)
        if survivor is None:
            continue
        if survivor.key not in by_key:
            # No record of what list2bib wrote (the user's own file, or a lost state file): the
            # fields list2bib never writes (`note`, `abstract`, `file`, ...) are the user's.
            own = merge.users_own_fields(survivor.fields, bare.get(key, {}))
            if own:
                overrides.setdefault(key, {}).update(own)
            continue
        edits = merge.hand_edits(survivor.fields, by_key[survivor.key][1].written)
        # A field equal to what list2bib writes now is no edit (e.g. a run killed before it
        # could record what it wrote).
        edits = {n: v for n, v in edits.items() if bare.get(key, {}).get(n) != v}
        if edits:
            overrides.setdefault(key, {}).update(edits)
            edited[key] = list(edits)

    pruned = merged.untouched if config.prune else []
    untouched = [] if config.prune else merged.untouched
    text = bibtex.render(
        rendered,
        ascii=config.ascii,
        header=HEADER,
        kept=[*merged.previous.values(), *untouched],
        macros=existing.macros,
        overrides=overrides,
    )
    final = dict(bare)
    final.update(
        bibtex.written_fields(
            [r for r in rendered if r.key in overrides], ascii=config.ascii, overrides=overrides
        )
    )
    by_work = {w.work_id: (w, r) for w, r in zip(works, references, strict=True)}
    new_state = _new_state(
        by_work, merged, old_state, bare, asked, now, refresh=refresh, entries=entries
    )
    merged_keys = {keys[w]: [k for k in v if k != keys[w]] for w, v in merged.merged.items()}
    alias_map = {a: keys[w] for w, names in merged.aliases.items() for a in names if a != keys[w]}
    found_changes = changes_.compute(
        {e.key: e for e in existing.entries},
        references,
        final,
        {r.key: bibtex.entry_type(r) for r in rendered},
        merged=merged_keys,
        edits=edited,
        kept=[e.key for e in untouched],
        removed=pruned,
    )
    return Prepared(
        tuple(references),
        text,
        tuple(e.key for e in untouched),
        requests,
        state_text=state.to_json(new_state),
        renames=merge.updated_renames(old_renames, alias_map),
        changes=tuple(found_changes),
        removed=tuple(e.key for e in pruned),
        asked=len(chosen.new) + len(chosen.recheck),
    )


def _new_state(
    by_work: dict[str, tuple[dedupe.Work, Reference]],
    merged: merge.MergePlan,
    old: state.State,
    bare: dict[str, dict[str, str]],
    asked: set[str],
    now: datetime,
    *,
    refresh: bool,
    entries: Sequence[ListEntry],
) -> state.State:
    """What this run wrote. `checked` moves on only for works the services were asked about (a
    refresh) or whose answer changed (a build, which cannot tell a cached answer from a new one),
    so an unchanged run leaves the state file byte-identical too."""
    stamp = state.now_text(now)
    works: dict[str, state.WorkState] = {}
    for work_id, (work, ref) in by_work.items():
        before = old.works.get(work_id)
        if work_id in merged.previous:
            if before is not None:  # kept as it was; if a service failed, asked again next time
                works[work_id] = dataclasses.replace(
                    before, incomplete=before.incomplete or work.incomplete
                )
            continue
        prints = {state.fingerprint(e) for e in work.entries}
        if refresh:
            fresh = bool(prints & asked) or before is None
        else:
            fresh = before is None or (before.record, before.status) != (work.record, work.status)
        works[work_id] = state.WorkState(
            key=ref.key,
            status=work.status,
            record=work.record,
            checked=stamp if fresh or before is None else before.checked,
            written=bare.get(ref.key, {}),
            problems=work.problems,
            evidence=work.evidence,
            incomplete=work.incomplete,
        )
    prints_of = {state.fingerprint(e): w for w, (work, _) in by_work.items() for e in work.entries}
    return state.State(works, {p: w for p, w in prints_of.items() if w in works})


def build(
    list_paths: Sequence[str | Path],
    config: Config,
    *,
    clock: Clock | None = None,
    progress: Progress | None = None,
    refresh: bool = False,
    check: bool = False,
    changes: Path | None = None,
    now: datetime | None = None,
) -> BuildResult:
    """Resolve every list and write one references.bib (only when its text changes), its state
    file and rename map, under the bib's lock. `check`: write nothing, report `would_change`."""
    if changes is not None:
        changes_.check_path(changes)
    with lock.locked(config.output, config.lock_wait, clock):
        prepared = prepare(
            list_paths, config, clock=clock, progress=progress, refresh=refresh, now=now
        )
        would_change = _current(config.output) != prepared.text
        written = False
        if not check:
            # The bib first: a run killed before the state is written looks, next time, like
            # "fields edited to what list2bib writes anyway", which is harmless.
            written = _write_if_changed(config.output, prepared.text)
            _write_if_changed(state.state_path(config.output), prepared.state_text)
            merge.save_renames(merge.renames_path(config.output), prepared.renames)
        if changes is not None:
            changes_.write(changes, prepared.changes, str(config.output))
    return BuildResult(
        prepared.references,
        str(config.output),
        written,
        prepared.requests_by_host,
        kept=prepared.kept,
        changes=prepared.changes,
        removed=prepared.removed,
        would_change=would_change,
        asked=prepared.asked,
    )


def _reserve_input_keys(works: Sequence[dedupe.Work], reserved: dict[str, str]) -> None:
    """Works read from a .bib list keep that file's citation key (first come, first served),
    unless the output file already gave them one."""
    taken = {key.casefold() for key in reserved.values()}
    for work in works:
        if work.work_id in reserved:
            continue
        key = next((e.key for e in work.entries if e.key), None)
        if key and key.casefold() not in taken:
            reserved[work.work_id] = key
            taken.add(key.casefold())


def _current(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def _write_if_changed(path: Path, text: str) -> bool:
    if _current(path) == text:
        return False
    bibtex.write_atomic(path, text)
    return True
