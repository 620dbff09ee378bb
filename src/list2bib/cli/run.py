"""What `build` and `refresh` share once their command line is read: configuration, checks of the
inputs and outputs, build, report, summary, and the --check and --strict exit codes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from list2bib import pipeline
from list2bib.cli.app import check_lists, check_writable, make_console, progress_bar, setup_logging
from list2bib.config import Config, load_config
from list2bib.errors import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, EXIT_UNRESOLVED
from list2bib.read.arguments import ListSource, list_sources
from list2bib.report import json_summary, review
from list2bib.report import summary as report


def run(given: dict[str, Any], *, refresh: bool) -> NoReturn:
    """A `build` or `refresh` command line: the lists, --config, --check, --changes, -v and -q;
    every other option overrides the configuration key of its name (None: not given)."""
    lists = list_sources(given.pop("lists"), read_stdin)
    config_path: Path | None = given.pop("config_path")
    check: bool = given.pop("check")
    changes_path: Path | None = given.pop("changes_path")
    verbose: int = given.pop("verbose")
    quiet: bool = given.pop("quiet")
    summary_json: bool = given.pop("summary_json")
    setup_logging(verbose, quiet)
    config = load_config(config_path, overrides=given)
    run_build(
        lists, config, quiet=quiet, verbose=verbose, check=check, changes_path=changes_path,
        refresh=refresh, summary_json=summary_json,
    )  # fmt: skip
    sys.exit(EXIT_OK)


def read_stdin() -> bytes:
    """The list piped in for `-` (bytes: the reader says which line is not UTF-8)."""
    return sys.stdin.buffer.read()


def run_build(
    lists: Sequence[ListSource],
    config: Config,
    *,
    quiet: bool,
    verbose: int,
    check: bool,
    changes_path: Path | None,
    refresh: bool,
    summary_json: bool = False,
) -> None:
    """What `build` and `refresh` do once configured: checks of the inputs and outputs (before
    any request), build, report, summary (or, `summary_json`, the JSON document), exit code."""
    check_lists(lists)
    check_writable(config.report, "--report")
    check_writable(changes_path, "--changes")
    console = make_console(quiet or summary_json)  # stdout holds the JSON document alone
    review.check_report_path(config.report)
    with progress_bar(quiet) as progress:
        result = pipeline.build(
            lists, config, progress=progress, refresh=refresh, check=check, changes=changes_path
        )
    if config.report is not None:
        review.write_report(config.report, result)
    report.print_summary(result, console, verbose=verbose > 0)
    if config.report is not None:
        console.print(
            f"review report: {config.report}", markup=False, highlight=False, soft_wrap=True
        )
    if refresh:
        console.print(
            f"refresh: {result.asked} list entries asked about, the rest reused",
            markup=False,
            highlight=False,
        )
    code = finish(result, console, check=check, strict=config.strict, verbose=verbose)
    if summary_json:
        document = json_summary.summary_document(
            result,
            command="refresh" if refresh else "build",
            exit_code=code,
            changes=result.changes,
            removed=result.removed,
            would_change=result.would_change,
        )
        click.echo(json_summary.to_json(document))
    if code != EXIT_OK:
        sys.exit(code)


def finish(
    result: pipeline.BuildResult, console: Console, *, check: bool, strict: bool, verbose: int
) -> int:
    """The change lines, then the exit code, each but 0 with its line on stderr: --check's
    "would change" (1), partial (5), --strict's unresolved (3), --check's "up to date" (0)."""
    report.print_changes(result.changes, console, verbose=verbose > 0)

    def verdict() -> None:
        state = "would change" if result.would_change else "is up to date"
        click.echo(f"list2bib: {result.output} {state} (--check: nothing written)", err=True)

    if check and result.would_change:
        verdict()
        return EXIT_FAILURE
    if result.incomplete and result.deadline:
        count = len(result.incomplete)
        click.echo(
            f"list2bib: partial run: {result.deadline} before {count} "
            f"{'work was' if count == 1 else 'works were'} complete; good previous entries were "
            "kept; give more time with --deadline-per-100 MINUTES or [network] deadline_per_100 "
            "(0: no deadline), or run refresh to ask the rest",
            err=True,
        )
        return EXIT_PARTIAL
    if result.incomplete:
        count = len(result.incomplete)
        click.echo(
            f"list2bib: partial run: a service failed for {count} "
            f"{'work' if count == 1 else 'works'}; "
            "good previous entries were kept; run again later to complete them",
            err=True,
        )
        return EXIT_PARTIAL
    if strict and result.unresolved:
        click.echo(f"list2bib: {len(result.unresolved)} unresolved entries (--strict)", err=True)
        return EXIT_UNRESOLVED
    if check:
        verdict()
    return EXIT_OK
