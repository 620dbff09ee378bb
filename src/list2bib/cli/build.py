"""`list2bib build`: lists -> references.bib (and the review report)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from list2bib import pipeline, report, review
from list2bib.cli import (
    CONTEXT,
    errors_to_exit_codes,
    main,
    make_console,
    progress_bar,
    setup_logging,
)
from list2bib.cli.refresh import finish_check, merge_options
from list2bib.config import load_config
from list2bib.errors import EXIT_OK, EXIT_UNRESOLVED


@main.command(context_settings=CONTEXT, short_help="Resolve paper lists into one references.bib.")
@click.argument("lists", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The .bib to write  [default: output/references.bib]",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="TOML config file  [default: ./list2bib.toml or [tool.list2bib]]",
)
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
@merge_options
@click.option("-v", "--verbose", count=True, help="More detail (-vv: every request).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def build(
    lists: tuple[Path, ...],
    output: Path | None,
    config_path: Path | None,
    offline: bool | None,
    strict: bool | None,
    ascii_: bool | None,
    report_path: Path | None,
    mailto: str | None,
    cache_dir: Path | None,
    prune: bool | None,
    check: bool,
    changes_path: Path | None,
    key_pattern: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Resolve LISTS (Markdown lists, plain id lists, .bib files) into one references.bib.

    \b
    Examples:
      list2bib build README.md
      list2bib build papers.md more.txt -o paper/references.bib --mailto me@uni.edu
      list2bib build README.md --strict --offline     # CI: cache only, fail on unresolved

    Exit codes: 0 ok, 1 failure (or --check: the file would change), 2 bad usage or input,
    3 unresolved entries with --strict, 4 another run holds the output's lock.
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
            report=report_path,
            prune=prune,
            key_pattern=key_pattern,
        )
        review.check_report_path(config.report)
        with progress_bar(quiet) as progress:
            result = pipeline.build(
                lists, config, progress=progress, check=check, changes=changes_path
            )
        if config.report is not None:
            review.write_report(config.report, result)
        report.print_summary(result, console, verbose=verbose > 0)
        if config.report is not None:
            console.print(
                f"review report: {config.report}", markup=False, highlight=False, soft_wrap=True
            )
        finish_check(result, console, check=check, verbose=verbose)
        if config.strict and result.unresolved:
            click.echo(
                f"list2bib: {len(result.unresolved)} unresolved entries (--strict)", err=True
            )
            sys.exit(EXIT_UNRESOLVED)
    sys.exit(EXIT_OK)
