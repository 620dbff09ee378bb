"""`list2bib refresh`: update references.bib re-doing only what changed (for cron and CI)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console

from list2bib import pipeline, report, review
from list2bib.cli import (
    CONTEXT,
    errors_to_exit_codes,
    main,
    make_console,
    progress_bar,
    setup_logging,
)
from list2bib.config import load_config
from list2bib.errors import EXIT_FAILURE, EXIT_OK, EXIT_UNRESOLVED

F = TypeVar("F", bound=Callable[..., object])

# Options `build` shares: merge, prune, keys, --check, --changes.
MERGE_OPTIONS = (
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


def merge_options(function: F) -> F:
    for option in reversed(MERGE_OPTIONS):
        function = option(function)
    return function


def finish_check(
    result: pipeline.BuildResult, console: Console, *, check: bool, verbose: int
) -> None:
    """The change lines, then --check's verdict and exit code."""
    report.print_changes(result.changes, console, verbose=verbose > 0)
    if check:
        verdict = "would change" if result.would_change else "is up to date"
        click.echo(f"list2bib: {result.output} {verdict} (--check: nothing written)", err=True)
        sys.exit(EXIT_FAILURE if result.would_change else EXIT_OK)


@main.command(
    context_settings=CONTEXT, short_help="Update references.bib, re-checking only what is due."
)
@click.argument("lists", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The .bib to update  [default: output/references.bib]",
)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="TOML config file.")
@click.option("--offline", is_flag=True, default=None, help="Answer from the cache only.")
@click.option(
    "--strict", is_flag=True, default=None, help="Exit 3 when any entry stays unresolved."
)
@click.option(
    "--ascii", "ascii_", is_flag=True, default=None, help="Write LaTeX escapes instead of UTF-8."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Also write a review report: FILE.md, FILE.html or FILE.json.",
)
@click.option("--mailto", help="Contact address sent to the services (polite pools).")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="HTTP cache folder.")
@click.option(
    "--preprint-days",
    type=click.FloatRange(min=0),
    help="Re-check preprints after DAYS  [default: 7]",
)
@click.option(
    "--unresolved-days",
    type=click.FloatRange(min=0),
    help="Retry unresolved entries after DAYS  [default: 1]",
)
@click.option(
    "--lock-wait",
    type=click.FloatRange(min=0),
    help="Seconds to wait for another run's lock  [default: 60]",
)
@merge_options
@click.option("-v", "--verbose", count=True, help="More detail (-vv: every request).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def refresh(
    lists: tuple[Path, ...],
    output: Path | None,
    config_path: Path | None,
    offline: bool | None,
    strict: bool | None,
    ascii_: bool | None,
    report_path: Path | None,
    mailto: str | None,
    cache_dir: Path | None,
    preprint_days: float | None,
    unresolved_days: float | None,
    lock_wait: float | None,
    prune: bool | None,
    check: bool,
    changes_path: Path | None,
    key_pattern: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Update the references.bib built from LISTS, asking the services only about new or edited
    list entries, preprints last checked more than --preprint-days ago (published yet?) and
    unresolved entries last tried more than --unresolved-days ago; everything else comes from
    the state file beside the bib (`<bib>.list2bib.json`).

    \b
    Examples:
      list2bib refresh README.md -o paper/references.bib --changes changes.md
      list2bib refresh README.md --check          # CI: exit 1 if the bib is out of date

    \b
    Exit codes:
      0 done (with --check: the file is up to date)
      1 failure, or with --check: the file would change
      2 bad usage or input
      3 unresolved entries with --strict
      4 another run holds the lock
    """
    setup_logging(verbose, quiet)
    console = make_console(quiet)
    with errors_to_exit_codes():
        config = load_config(config_path).with_overrides(
            output=output,
            offline=offline,
            strict=strict,
            ascii=ascii_,
            mailto=mailto,
            cache_dir=cache_dir,
            preprint_days=preprint_days,
            unresolved_days=unresolved_days,
            lock_wait=lock_wait,
            prune=prune,
            key_pattern=key_pattern,
            report=report_path,
        )
        review.check_report_path(config.report)
        with progress_bar(quiet) as progress:
            result = pipeline.build(
                lists, config, progress=progress, refresh=True, check=check, changes=changes_path
            )
        if config.report is not None:
            review.write_report(config.report, result)
        report.print_summary(result, console, verbose=verbose > 0)
        if config.report is not None:
            console.print(
                f"review report: {config.report}", markup=False, highlight=False, soft_wrap=True
            )
        console.print(
            f"refresh: {result.asked} list entries asked about, the rest reused",
            markup=False,
            highlight=False,
        )
        finish_check(result, console, check=check, verbose=verbose)
        if config.strict and result.unresolved:
            click.echo(
                f"list2bib: {len(result.unresolved)} unresolved entries (--strict)", err=True
            )
            sys.exit(EXIT_UNRESOLVED)
    sys.exit(EXIT_OK)
