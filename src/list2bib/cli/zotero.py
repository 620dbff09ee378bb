"""`list2bib zotero sync|check`: push resolved works into a Zotero group library, by topic."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from rich.console import Console

from list2bib import pipeline
from list2bib.cli import options
from list2bib.cli.app import (
    CONTEXT,
    check_lists,
    main,
    make_console,
    progress_bar,
    redact,
    setup_logging,
)
from list2bib.cli.run import read_stdin
from list2bib.config import Config, load_config, zotero_api_key
from list2bib.errors import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, ConfigError, Interrupted
from list2bib.infra.http import Http, HttpSettings
from list2bib.read.arguments import list_sources
from list2bib.resolve import venues
from list2bib.zotero.access import check_access
from list2bib.zotero.client import ZoteroClient
from list2bib.zotero.index import Index
from list2bib.zotero.plan import DEFAULT_ROOT, Plan
from list2bib.zotero.sync import SyncResult, sync

ACTIONS = (
    ("collection", "collections created", "collections to create"),
    ("create", "items created", "items to create"),
    ("update", "items updated", "items to update"),
    ("file", "items filed into collections", "items to file into collections"),
    ("trash", "items moved to the trash", "items to move to the trash"),
    ("attach", "PDF links attached", "PDF links to attach"),
    ("remove", "empty collections removed", "empty collections to remove"),
)


@main.group(context_settings=CONTEXT, short_help="Sync works to a Zotero group, or export one.")
def zotero() -> None:
    """Push every resolved work into a Zotero group library, one collection per topic (`sync`),
    or write a group's items into a bib (`export`).

    The API key is read from the environment variable ZOTERO_API_KEY (or the one named by
    [zotero] api_key_env in the config); it is never printed or stored.
    """


def _client(config: Config, group: str | None) -> tuple[ZoteroClient, Http]:
    group = group or config.zotero_group
    if not group:
        raise ConfigError("no Zotero group: give --group ID or set [zotero] group in the config")
    if not str(group).isdigit():
        raise ConfigError(
            f"--group must be a number (the digits in the group's URL), got {group!r}"
        )
    key = zotero_api_key(config)
    service = config.service("zotero")
    # Zotero answers are never cached (no cache file): they change with every write.
    settings = HttpSettings(
        user_agent=config.user_agent,
        timeout=config.timeout,
        retries=config.retries,
        cache_path=None,
        host_intervals={urlsplit(service.base_url).netloc.lower(): service.min_interval},
        trusted_urls=(service.base_url,),
    )
    http = Http(settings)
    return ZoteroClient(http, service.base_url, str(group), key), http


@zotero.command("sync", context_settings=CONTEXT)
@options.LIST_ARGUMENTS
@options.GROUP
@click.option(
    "--collection",
    "zotero_collection",
    help=f"Root collection for the topics  [default: {DEFAULT_ROOT}]",
)
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option(
    "--prune",
    is_flag=True,
    help="Trash items list2bib created that no list produces; remove its empty collections.",
)
@click.option(
    "--adopt/--no-adopt",
    "zotero_adopt",
    default=None,
    help="File items added by hand (same DOI or arXiv id) into the collections  [default: adopt]",
)
@options.config()
@options.output(
    "The bib whose citation keys to use; a key a member set in Zotero becomes its key there."
)
@options.offline("Resolve from the cache only.")
@options.MAILTO
@options.CACHE_DIR
@options.verbosity
def sync_command(
    lists: tuple[str, ...],
    dry_run: bool,
    prune: bool,
    config_path: Path | None,
    verbose: int,
    quiet: bool,
    **overrides: Any,
) -> None:
    """Resolve LISTS as `build` does and sync the works to a Zotero group.

    \b
    Examples:
      ZOTERO_API_KEY=... list2bib zotero sync README.md --group 12345 --dry-run
      list2bib zotero sync README.md --group 12345 --collection "Reading group" --prune
    """
    # Every other option is named as the configuration key it overrides (None: not given).
    setup_logging(verbose, quiet)
    console = make_console(quiet)
    config = load_config(config_path, overrides=overrides)
    sources = list_sources(lists, read_stdin)  # files, `-`, identifiers, URLs, titles
    check_lists(sources)
    client, http = _client(config, overrides["zotero_group"])
    with http:
        with progress_bar(quiet) as progress:
            prepared = pipeline.prepare(sources, config, progress=progress)
        try:
            result = sync(
                prepared.references,
                client,
                Index.path_for(config.cache_dir, client.group),
                root=config.zotero_collection or DEFAULT_ROOT,
                adopt=config.zotero_adopt,
                prune=prune,
                dry_run=dry_run,
                conference=venues.conference_name,
            )
        except KeyboardInterrupt:
            if not client.writes_sent:
                raise  # the generic "nothing was written" is true
            raise Interrupted(
                f"interrupted; group {client.group} may be partly synced: run the sync again to"
                " finish (nothing is duplicated)"
            ) from None
        requests = sum(http.requests_by_host.values())
    _print_result(console, result, requests, verbose > 0)
    if overrides["output"] is not None and not dry_run and result.pinned:
        _write_pinned(console, prepared, config, result.pinned)
    if result.failed:
        sys.exit(EXIT_FAILURE)
    sys.exit(EXIT_PARTIAL if result.held else EXIT_OK)


@zotero.command("check", context_settings=CONTEXT)
@options.GROUP
@options.config()
def check_command(zotero_group: str | None, config_path: Path | None) -> None:
    """Check that the API key can write to the group, and say exactly what is missing."""
    config = load_config(config_path)
    client, http = _client(config, zotero_group)
    with http:
        access = check_access(client)
    if not access.write:
        problem = redact(access.problem)
        click.echo(f"list2bib: error: cannot write to group {client.group}: {problem}", err=True)
        sys.exit(EXIT_FAILURE)
    click.echo(f"ok: the key can read and write group {client.group}")
    sys.exit(EXIT_OK)


def _print_result(console: Console, result: SyncResult, requests: int, verbose: bool) -> None:
    if result.dry_run:
        _print_plan(console, result.plan)
    else:
        for action, done, _ in ACTIONS:
            labels = result.done.get(action, [])
            if labels:
                console.print(f"{len(labels)} {done}")
                # Trashed items and removed collections are always named: a user must be able
                # to check each one.
                for label in labels if verbose or action in ("trash", "remove") else []:
                    console.print(f"  {label}")
        if not any(result.done.values()):
            console.print("nothing to write: the group already matches the lists")
    # Held works are always named: their items may be out of date until a healthy run.
    for note in [*result.notes, *result.held, *(result.skipped if verbose else [])]:
        console.print(f"note: {redact(note)}", markup=False)
    if result.skipped and not verbose:
        console.print(f"note: {len(result.skipped)} unresolved works not synced (-v lists them)")
    for failure in result.failed:
        click.echo(f"list2bib: failed: {redact(failure)}", err=True)
    console.print(f"{requests} requests to Zotero")


def _write_pinned(
    console: Console, prepared: pipeline.Prepared, config: Config, pinned: dict[str, str]
) -> None:
    """Write the bib (as `build` does, from this run's resolutions) with the citation keys
    members set in Zotero; each old key stays citable as an alias."""
    built = pipeline.build(
        [], config, resolved=prepared.resolutions, failures=prepared.failures, pinned=pinned
    )
    keys = {ref.key for ref in built.references}
    for old, new in sorted(pinned.items()):
        if new in keys and old not in keys:
            note = f"{config.output}: {old} is {new} now (set in Zotero); {old} stays an alias"
            console.print(f"note: {note}", markup=False)
    for line in built.refused:
        console.print(f"note: {config.output}: {line}", markup=False)


def _print_plan(console: Console, plan: Plan) -> None:
    console.print("dry run: nothing is written")
    new = [f"collection {c.path}" for c in plan.collections]
    groups = {"collection": new, **{a: [w.label for w in plan.of(a)] for a, _, _ in ACTIONS[1:]}}
    groups["remove"] = [f"collection {path}" for _, path in plan.removals]
    for action, _, todo in ACTIONS:
        labels = groups[action]
        console.print(f"{len(labels)} {todo}")
        for label in labels:
            console.print(f"  {label}")
