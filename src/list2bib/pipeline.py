"""Wiring only: lists -> entries -> resolutions -> works -> keyed references -> references.bib.

The one place that knows the order of the stages; `cli` is a thin layer over `build`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from list2bib import bibtex, citekeys, dedupe, listfile
from list2bib.config import Config
from list2bib.errors import InputError
from list2bib.identifiers import parse_identifier
from list2bib.model import IdKind, ListEntry, Reference, RunResult
from list2bib.net import Clock, Http, HttpSettings
from list2bib.resolve import Progress, resolve
from list2bib.titles import normalize_title

HEADER = "Written by list2bib: entries sorted by key; a key once written is kept on later runs."


def read_lists(paths: Sequence[str | Path]) -> list[ListEntry]:
    """Every entry of every list, in order. Fails before any network use if one cannot be read."""
    entries: list[ListEntry] = []
    for path in paths:
        entries.extend(listfile.read_list(path))
    return entries


def http_for(config: Config, clock: Clock | None = None) -> Http:
    """The shared HTTP session, with each configured service's politeness interval by host."""
    intervals: dict[str, float] = {}
    for service in config.services.values():
        host = service.base_url.split("://", 1)[-1].split("/", 1)[0].lower()
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


def existing_keys(path: Path) -> dict[str, str]:
    """identity -> citation key for every entry already in the output file (missing file: none)."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a .bib file path with -o")
    keys: dict[str, str] = {}
    for entry in bibtex.read_entries(path):
        for identity in _bib_identities(entry.fields):
            keys.setdefault(identity, entry.key)
    return keys


def _bib_identities(fields: dict[str, str]) -> list[str]:
    identities: list[str] = []
    eprint = fields.get("eprint", "")
    if eprint and fields.get("archiveprefix", "arxiv").lower() == "arxiv":
        found = parse_identifier(f"arXiv:{eprint}")
        if found is not None:
            identities.append(f"arxiv:{found.value}")
    for name in ("doi", "url"):
        found = parse_identifier(fields.get(name, "").strip()) if fields.get(name) else None
        if found is not None and found.kind in (IdKind.ARXIV, IdKind.DOI):
            identities.append(str(found))
    if fields.get("url"):
        identities.append(f"url:{fields['url'].strip().rstrip('/')}")
    if fields.get("title"):
        identities.append(f"title:{normalize_title(fields['title'])}")
    return identities


def build(
    list_paths: Sequence[str | Path],
    config: Config,
    *,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Resolve every list and write one references.bib (only when its text changes)."""
    entries = read_lists(list_paths)
    known = existing_keys(config.output)

    with http_for(config, clock) as http:
        resolutions = resolve(entries, http, config, progress)
        requests = dict(http.requests_by_host)

    works = dedupe.cluster(resolutions)
    reserved: dict[str, str] = {}
    for work in works:
        for identity in dedupe.identity_keys(work.record):
            key = known.get(identity)
            if key is not None and key not in reserved.values():
                reserved[work.work_id] = key
                break
    keys = citekeys.assign_keys([(w.work_id, w.record) for w in works], reserved)
    references = tuple(
        Reference(keys[w.work_id], w.record, w.entries, w.status, w.problems) for w in works
    )
    text = bibtex.render(references, ascii=config.ascii, header=HEADER)
    written = _write_if_changed(config.output, text)
    return RunResult(references, str(config.output), written, requests)


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    bibtex.write_atomic(path, text)
    return True
