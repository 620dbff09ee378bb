"""`list2bib refresh`: update references.bib re-doing only what changed (for cron and CI)."""

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
@run_options
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
                preprint_days=preprint_days,
                unresolved_days=unresolved_days,
                lock_wait=lock_wait,
                prune=prune,
                key_pattern=key_pattern,
                report=report_path,
            ),
        )
        run_build(
            lists,
            config,
            quiet=quiet,
            verbose=verbose,
            check=check,
            changes_path=changes_path,
            refresh=True,
        )
    sys.exit(EXIT_OK)
