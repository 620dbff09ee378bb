"""Wiring only: lists -> entries -> resolutions -> works -> keyed references -> references.bib.

The one place that knows the order of the stages; `cli` is a thin layer over `build`.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from list2bib.bibtex.parse import BibFile, read_file
from list2bib.bibtex.render import entry_type, render
from list2bib.config import Config
from list2bib.csl.render import render_csl
from list2bib.errors import InputError
from list2bib.infra import lock
from list2bib.infra.clock import Clock
from list2bib.infra.deadline import run_deadline
from list2bib.infra.files import check_no_link, write_atomic
from list2bib.infra.http import Http, HttpSettings
from list2bib.infra.memo import Memo
from list2bib.model import ListEntry, Reference, Resolution, RunResult
from list2bib.read import arguments
from list2bib.read import dispatch as listfile
from list2bib.read.arguments import InlineList
from list2bib.report import changes as changes_
from list2bib.resolve.book import Progress
from list2bib.resolve.rounds import resolve
from list2bib.works import (
    citekeys,
    dedupe,
    merge,
    monotone,
    nonworks,
    pins,
    reconcile,
    references,
    renames,
    state,
    venue_pages,
)

logger = logging.getLogger("list2bib")

HEADER = "Written by list2bib: entries sorted by key; a key once written is kept on later runs."


def read_lists(
    paths: Sequence[str | Path | InlineList], memo: Memo | None = None
) -> list[ListEntry]:
    """Every entry of every list, in order. Fails before any network use if one cannot be read.
    With a `memo`, a list file unchanged since the last run is not parsed again."""
    entries: list[ListEntry] = []
    for path in paths:
        if isinstance(path, InlineList):
            found = arguments.read_source(path)
        elif memo is not None:
            found = memo.read("list", path, functools.partial(listfile.read_list, path))
        else:
            found = listfile.read_list(path)
        if not found:
            logger.warning("%s: no paper entries found (is it a paper list?)", path)
        entries.extend(found)
    if paths and not entries:
        # Going on would write an empty bibliography (and, with --prune, empty the user's).
        names = ", ".join(p.name if isinstance(p, InlineList) else os.fspath(p) for p in paths)
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
        request_deadline=config.request_deadline,
        cache_path=config.cache_dir / "http-cache.sqlite",
        expire_after=config.cache_days * 86400.0,
        offline=config.offline,
        host_intervals=intervals,
        trusted_urls=tuple(s.base_url for s in config.services.values() if s.base_url),
        allow_private=config.allow_private_addresses,
    )
    return Http(settings, clock=clock)


def read_existing(path: Path, memo: Memo | None = None) -> BibFile:
    """The output file as it is now (empty when missing); a folder or broken file is an error."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a .bib file path with -o")
    if memo is not None:
        return memo.read("bib", path, lambda: read_file(path))
    return read_file(path)


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
    left_out: tuple[ListEntry, ...] = ()  # listed links that are no works
    # What a later `build(resolved=..., failures=...)` needs to key the same works again.
    resolutions: tuple[Resolution, ...] = ()
    failures: int = 0
    refused: tuple[str, ...] = ()  # pinned keys another work holds
    deadline: str = ""  # why requests were refused when the run's deadline passed ('' if none)


@dataclass(frozen=True, slots=True)
class BuildResult(RunResult):
    """A RunResult plus what refresh-style runs report."""

    changes: tuple[changes_.Change, ...] = ()
    removed: tuple[str, ...] = ()
    would_change: bool = False  # the bib's text differs from the file (what --check reports)
    asked: int = 0
    refused: tuple[str, ...] = ()
    deadline: str = ""  # the run's deadline passed: why (the works not asked are incomplete)


def prepare(
    list_paths: Sequence[str | Path | InlineList],
    config: Config,
    *,
    clock: Clock | None = None,
    progress: Progress | None = None,
    refresh: bool = False,
    now: datetime | None = None,
    resolved: Sequence[Resolution] | None = None,
    failures: int = 0,
    pinned: Mapping[str, str] | None = None,
) -> Prepared:
    """Resolve the lists and key every work as `build` would, without writing anything.
    `resolved`: entries already resolved elsewhere (a Zotero group's items) stand for the lists;
    `failures`: how many requests failed for good while they were resolved. `pinned`: key ->
    the key a member pinned in Zotero, which the work takes (the old one becomes an alias).

    `refresh`: resolve only new or edited list entries and the re-checks that are due (cache
    bypassed), reusing the state file's records for the rest. Keys come from `config.output`
    when it exists, so `zotero sync` uses the keys of the bib."""
    pattern = citekeys.check_pattern(config.key_pattern)
    now = now or datetime.now(UTC)
    memo = Memo(config.cache_dir / "inputs")
    entries = read_lists(list_paths, memo) if resolved is None else [r.entry for r in resolved]
    entries, left_out = nonworks.works_only(entries, config.include_links)
    dialect = config.output_format
    # A CSL-JSON file is no .bib to merge with: its keys stay the same through the state file.
    csl = dialect == "csl-json"
    existing = BibFile([], []) if csl else read_existing(config.output, memo)
    old_state = state.load(state.state_path(config.output))
    old_renames = renames.load_renames(renames.renames_path(config.output))
    if refresh:
        chosen = state.select(
            entries,
            old_state,
            now,
            preprint_days=config.preprint_days,
            unresolved_days=config.unresolved_days,
        )
    else:
        chosen = state.select_all(entries)
    resolutions, requests, failures, deadline = (
        _resolve_chosen(entries, chosen, config, clock, progress)
        if resolved is None
        else (list(resolved), {}, failures, "")
    )
    every = tuple(resolutions)

    resolutions, pages = nonworks.declared_non_works(resolutions, config.include_links)
    left_out += pages
    works = dedupe.cluster(resolutions)
    if failures:  # this run may know less than the one that wrote the file: keep what it verified
        works = monotone.hold_verified(works, existing.entries, old_state.managed_keys())
    earlier = state.listed_keys(works, old_state)
    merged = merge.plan(works, existing.entries, old_state.managed_keys(), earlier)
    works = venue_pages.kept(works, merged.matched, old_state)  # not replaced by the arXiv copy
    keys = citekeys.keys_for(works, merged, existing.entries, old_renames, pattern=pattern)
    pinning = pins.pin(works, keys, merged, pinned or {}, old_renames)
    keys, merged = pinning.keys, pinning.merged
    keyed = references.keyed(works, keys, merged, str(config.output))
    written = references.to_write(works, keyed, merged)
    asked = state.asked(entries, chosen)
    checked = state.checked_times(works, old_state, asked, now, refresh=refresh)
    written = references.with_urldates(written, {keys[w]: t for w, t in checked.items()}, old_state)
    biblatex = dialect == "biblatex"
    reconciled = reconcile.reconcile(
        works, keys, written, merged, old_state, ascii=config.ascii, biblatex=biblatex
    )
    verbatim = references.verbatim(merged, prune=config.prune)
    types = {r.key: entry_type(r) for r in written}
    if csl:
        text = render_csl(written, types)
    else:
        text = render(
            written,
            ascii=config.ascii,
            header=HEADER,
            kept=verbatim.kept,
            macros=existing.macros,
            overrides=reconciled.overrides,
            biblatex=biblatex,
        )
        if existing.newline != "\n":  # line endings follow the file (no second copy otherwise)
            text = text.replace("\n", existing.newline)
    new_state = state.next_state(
        works, keys, merged, old_state, reconciled.bare, asked, now, refresh=refresh,
        kept=[e.key for e in verbatim.untouched], checked=checked,
    )  # fmt: skip
    found_changes = changes_.compute(
        {e.key: e for e in existing.entries},
        keyed,
        reconciled.fields,
        types,
        merged=renames.merged_this_run(merged, keys),
        edits=reconciled.edited,
        kept=[e.key for e in verbatim.untouched],
        removed=verbatim.removed,
    )
    return Prepared(
        tuple(keyed),
        text,
        tuple(e.key for e in verbatim.untouched),
        requests,
        state_text=state.to_json(new_state),
        renames=renames.updated_renames(old_renames, renames.renamed_this_run(merged, keys)),
        changes=tuple(found_changes),
        removed=tuple(e.key for e in verbatim.removed),
        asked=chosen.asked,
        left_out=left_out,
        resolutions=every,
        failures=failures,
        refused=pinning.refused,
        deadline=deadline,
    )


def _resolve_chosen(
    entries: Sequence[ListEntry],
    chosen: state.Selection,
    config: Config,
    clock: Clock | None,
    progress: Progress | None,
) -> tuple[list[Resolution], dict[str, int], int, str]:
    """A resolution for every entry: the chosen ones asked (re-checks with the cache bypassed),
    the rest reused; the requests that took, by host; how many failed for good; and why
    requests were refused when the run's deadline passed ('' when it did not)."""
    found: dict[int, Resolution] = dict(chosen.reused)
    with http_for(config, clock) as http:
        deadline = run_deadline(config.deadline_per_100, chosen.asked)
        if deadline is not None:
            http.limiter.set_deadline(*deadline)
        if chosen.new:
            picked = [entries[i] for i in chosen.new]
            found.update(zip(chosen.new, resolve(picked, http, config, progress), strict=True))
        if chosen.recheck:
            picked = [entries[i] for i in chosen.recheck]
            with http.fresh():
                answers = resolve(picked, http, config, progress)
            found.update(zip(chosen.recheck, answers, strict=True))
        requests = dict(http.requests_by_host)
    found_all = [found[i] for i in range(len(entries))]
    return found_all, requests, http.failures.count, http.limiter.deadline_passed


def build(
    list_paths: Sequence[str | Path | InlineList],
    config: Config,
    *,
    refresh: bool = False,
    check: bool = False,
    changes: Path | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    resolved: Sequence[Resolution] | None = None,
    failures: int = 0,
    pinned: Mapping[str, str] | None = None,
) -> BuildResult:
    """Resolve every list and write one references.bib (only when its text changes), its state
    file and rename map, under the bib's lock. `check`: write nothing, report `would_change`."""
    if changes is not None:
        changes_.check_path(changes)
    with lock.locked(config.output, config.lock_wait, clock):
        # Every file this run writes, before any is: none may be a planted symbolic link.
        sidecars = (state.state_path(config.output), renames.renames_path(config.output))
        for path in (config.output, *sidecars, config.report, changes):
            if path is not None:
                check_no_link(path)
        prepared = prepare(
            list_paths, config, clock=clock, progress=progress, refresh=refresh, now=now,
            resolved=resolved, failures=failures, pinned=pinned,
        )  # fmt: skip
        would_change = _current(config.output) != prepared.text
        written = False
        if not check:
            # The bib first: a run killed before the state is written looks, next time, like
            # "fields edited to what list2bib writes anyway", which is harmless.
            written = _write_if_changed(config.output, prepared.text)
            _write_if_changed(state.state_path(config.output), prepared.state_text)
            renames.save_renames(renames.renames_path(config.output), prepared.renames)
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
        left_out=prepared.left_out,
        refused=prepared.refused,
        deadline=prepared.deadline,
    )


def _current(path: Path) -> str | None:
    try:  # as bytes: a CRLF file compares as CRLF
        return path.read_bytes().decode("utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def _write_if_changed(path: Path, text: str) -> bool:
    if _current(path) == text:
        return False
    write_atomic(path, text)
    return True
