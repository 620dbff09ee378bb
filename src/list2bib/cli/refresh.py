"""`list2bib refresh`: update references.bib re-doing only what changed (for cron and CI)."""

from __future__ import annotations

from typing import Any

import click

from list2bib.cli import options
from list2bib.cli.app import CONTEXT, main
from list2bib.cli.run import run


@main.command(
    context_settings=CONTEXT, short_help="Update references.bib, re-checking only what is due."
)
@options.LIST_ARGUMENTS
@options.output("The .bib to update  [default: output/references.bib]")
@options.config()
@options.run_options
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
@options.verbosity
def refresh(**given: Any) -> None:
    """Update the references.bib built from LISTS, asking the services only about new or edited
    list entries, preprints last checked more than --preprint-days ago (published yet?) and
    unresolved entries last tried more than --unresolved-days ago; everything else comes from
    the state file beside the bib (`<bib>.list2bib.json`).

    \b
    Examples:
      list2bib refresh README.md -o paper/references.bib --changes changes.md
      list2bib refresh README.md --check          # CI: exit 1 if the bib is out of date
    """
    run(given, refresh=True)
