"""Command-line interface: one module per command group, all thin layers over `pipeline`.

This package is the one place that imports click, turns errors into exit codes and exits.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from list2bib import __version__
from list2bib.errors import List2BibError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Piped or redirected output (cron mail, CI logs) has no terminal width: rich would squeeze the
# summary table into 80 columns and cut topic names.
PIPED_WIDTH = 160


def make_console(quiet: bool) -> Console:
    """The console for a command's summary on stdout."""
    width = None if sys.stdout.isatty() else PIPED_WIDTH
    return Console(quiet=quiet, highlight=False, width=width)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="list2bib")
def main() -> None:
    """Turn curated paper lists into one clean, deduplicated references.bib.

    \b
    Example:
      list2bib build examples/papers.md -o output/references.bib
    """


class BarProgress:
    """resolve.Progress drawn as a rich bar (one task per stage)."""

    def __init__(self, bar: RichProgress) -> None:
        self._bar = bar
        self._task: int | None = None

    def add(self, total: int, description: str) -> None:
        self._task = self._bar.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, steps)  # type: ignore[arg-type]


@contextmanager
def progress_bar(quiet: bool) -> Iterator[BarProgress | None]:
    if quiet or not sys.stderr.isatty():
        yield None
        return
    bar = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        yield BarProgress(bar)


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    try:
        yield
    except List2BibError as exc:
        click.echo(f"list2bib: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("list2bib: interrupted; nothing was written", err=True)
        sys.exit(130)


def setup_logging(verbose: int, quiet: bool) -> None:
    """list2bib's own messages on stderr; libraries' debug chatter stays off."""
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("list2bib: %(message)s"))
    logger = logging.getLogger("list2bib")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


# Commands register themselves on `main` when imported.
from list2bib.cli import build as _build  # noqa: E402, F401
from list2bib.cli import refresh as _refresh  # noqa: E402, F401
from list2bib.cli import zotero as _zotero  # noqa: E402, F401
