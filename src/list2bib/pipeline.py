"""Wiring only: lists -> entries -> resolutions -> works -> keyed references -> references.bib.

The one place that knows the order of the stages; `cli` is a thin layer over `build`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from list2bib import bibtex, citekeys, dedupe, listfile, merge
from list2bib.config import Config
from list2bib.errors import InputError
from list2bib.model import ListEntry, Reference, RunResult
from list2bib.net import Clock, Http, HttpSettings
from list2bib.resolve import Progress, resolve

logger = logging.getLogger("list2bib")

HEADER = "Written by list2bib: entries sorted by key; a key once written is kept on later runs."


def read_lists(paths: Sequence[str | Path]) -> list[ListEntry]:
    """Every entry of every list, in order. Fails before any network use if one cannot be read."""
    entries: list[ListEntry] = []
    for path in paths:
        found = listfile.read_list(path)
        if not found:
            logger.warning("%s: no paper entries found (is it a paper list?)", path)
        entries.extend(found)
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


def read_existing(path: Path) -> bibtex.BibFile:
    """The output file as it is now (empty when missing); a folder or broken file is an error."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a .bib file path with -o")
    return bibtex.read_file(path)


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything a build decides before writing: the keyed references and the file's text."""

    references: tuple[Reference, ...]
    text: str
    kept: tuple[str, ...]
    requests_by_host: dict[str, int]


def prepare(
    list_paths: Sequence[str | Path],
    config: Config,
    *,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> Prepared:
    """Resolve every list and key every work as `build` would, without writing anything.

    Keys come from `config.output` when it exists, so `zotero sync` uses the keys of the bib."""
    entries = read_lists(list_paths)
    existing = read_existing(config.output)

    with http_for(config, clock) as http:
        resolutions = resolve(entries, http, config, progress)
        requests = dict(http.requests_by_host)

    works = dedupe.cluster(resolutions)
    merged = merge.plan(works, existing.entries)
    reserved = dict(merged.reserved)
    reserved.update({f"file:{e.key}": e.key for e in merged.untouched})
    reserved.update({work_id: e.key for work_id, e in merged.previous.items()})
    _reserve_input_keys(works, reserved)
    keys = citekeys.assign_keys([(w.work_id, w.record) for w in works], reserved)

    references = []
    for work in works:
        problems = work.problems
        if work.work_id in merged.previous:
            problems += (f"kept the previous entry from {config.output} unchanged",)
        references.append(
            Reference(
                keys[work.work_id],
                work.record,
                work.entries,
                work.status,
                problems,
                evidence=work.evidence,
                candidates=work.candidates,
                lint=work.lint,
            )
        )
    text = bibtex.render(
        [r for w, r in zip(works, references, strict=True) if w.work_id not in merged.previous],
        ascii=config.ascii,
        header=HEADER,
        kept=[*merged.previous.values(), *merged.untouched],
        macros=existing.macros,
    )
    kept = tuple(e.key for e in merged.untouched)
    return Prepared(tuple(references), text, kept, requests)


def build(
    list_paths: Sequence[str | Path],
    config: Config,
    *,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Resolve every list and write one references.bib (only when its text changes)."""
    prepared = prepare(list_paths, config, clock=clock, progress=progress)
    written = _write_if_changed(config.output, prepared.text)
    return RunResult(
        prepared.references,
        str(config.output),
        written,
        prepared.requests_by_host,
        kept=prepared.kept,
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


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    bibtex.write_atomic(path, text)
    return True
