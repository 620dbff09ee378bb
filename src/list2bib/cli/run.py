"""The steps `build` and `refresh` share: their common options, and what happens once the run is
configured (build, report, summary, --check and --strict exit codes)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console

from list2bib import pipeline
from list2bib.cli import check_lists, check_writable, make_console, progress_bar
from list2bib.config import Config
from list2bib.errors import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, EXIT_UNRESOLVED
from list2bib.report import review
from list2bib.report import summary as report

F = TypeVar("F", bound=Callable[..., object])

# Options `build` and `refresh` share, in the order --help shows them.
RUN_OPTIONS = (
    click.option("--offline", is_flag=True, default=None, help="Answer from the cache only."),
    click.option(
        "--strict", is_flag=True, default=None, help="Exit 3 when any entry stays unresolved."
    ),
    click.option(
        "--ascii", "ascii_", is_flag=True, default=None, help="Write LaTeX escapes, not UTF-8."
    ),
    click.option(
        "--report",
        "report_path",
        type=click.Path(path_type=Path),
        help="Also write a review report: FILE.md, FILE.html or FILE.json.",
    ),
    click.option("--mailto", help="Contact address sent to the services (polite pools)."),
    click.option("--cache-dir", type=click.Path(path_type=Path), help="HTTP cache folder."),
    click.option(
        "--prune",
        is_flag=True,
        default=None,
        help="Remove entries of the output that no list produces (and list them).",
    ),
    click.option(
        "--check",
        is_flag=True,
        help="Write nothing; exit 1 if the file would change, 0 if not (for CI).",
    ),
    click.option(
        "--changes",
        "changes_path",
        type=click.Path(path_type=Path),
        help="Also write what changed and why to FILE (.md or .json).",
    ),
    click.option(
        "--key-pattern",
        help="Citation key pattern for new works  [default: {auth}{year}{shorttitle}]",
    ),
)


def run_options(function: F) -> F:
    for option in reversed(RUN_OPTIONS):
        function = option(function)
    return function


def run_build(
    lists: Sequence[Path],
    config: Config,
    *,
    quiet: bool,
    verbose: int,
    check: bool,
    changes_path: Path | None,
    refresh: bool,
) -> None:
    """What `build` and `refresh` do once configured: checks of the inputs and outputs (before
    any request), build, report, summary, exit code."""
    check_lists(lists)
    check_writable(config.report, "--report")
    check_writable(changes_path, "--changes")
    console = make_console(quiet)
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
    finish(result, console, check=check, strict=config.strict, verbose=verbose)


def finish(
    result: pipeline.BuildResult, console: Console, *, check: bool, strict: bool, verbose: int
) -> None:
    """The change lines, then the exit code: --check's "would change" (1), partial (5),
    --strict's unresolved (3), --check's "up to date" (0)."""
    report.print_changes(result.changes, console, verbose=verbose > 0)

    def verdict() -> None:
        state = "would change" if result.would_change else "is up to date"
        click.echo(f"list2bib: {result.output} {state} (--check: nothing written)", err=True)

    if check and result.would_change:
        verdict()
        sys.exit(EXIT_FAILURE)
    if result.incomplete:
        count = len(result.incomplete)
        click.echo(
            f"list2bib: partial run: a service failed for {count} "
            f"{'work' if count == 1 else 'works'}; "
            "good previous entries were kept; run again later to complete them",
            err=True,
        )
        sys.exit(EXIT_PARTIAL)
    if strict and result.unresolved:
        click.echo(f"list2bib: {len(result.unresolved)} unresolved entries (--strict)", err=True)
        sys.exit(EXIT_UNRESOLVED)
    if check:
        verdict()
        sys.exit(EXIT_OK)
