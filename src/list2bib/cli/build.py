"""`list2bib build`: lists -> references.bib (and the review report)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from list2bib.cli import (
    CONTEXT,
    errors_to_exit_codes,
    main,
    setup_logging,
)
from list2bib.cli.run import run_build, run_options
from list2bib.config import load_config
from list2bib.errors import EXIT_OK


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
@run_options
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
    with errors_to_exit_codes(verbose):
        config = load_config(
            config_path,
            overrides=dict(
                output=output,
                offline=offline,
                strict=strict,
                ascii=ascii_,
                mailto=mailto,
                cache_dir=cache_dir,
                report=report_path,
                prune=prune,
                key_pattern=key_pattern,
            ),
        )
        run_build(
            lists,
            config,
            quiet=quiet,
            verbose=verbose,
            check=check,
            changes_path=changes_path,
            refresh=False,
        )
    sys.exit(EXIT_OK)
