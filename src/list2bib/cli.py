"""Command-line interface: options -> Config -> pipeline; the one error -> exit-code boundary."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from list2bib import __version__, pipeline, report
from list2bib.config import load_config
from list2bib.errors import EXIT_OK, EXIT_UNRESOLVED, List2BibError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="list2bib")
def main() -> None:
    """Turn curated paper lists into one clean, deduplicated references.bib.

    \b
    Example:
      list2bib build examples/papers.md -o output/references.bib
    """


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
@click.option("--mailto", help="Contact address sent to the services (polite pools).")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="HTTP cache folder.")
@click.option("-v", "--verbose", count=True, help="More detail (-vv: every request).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def build(
    lists: tuple[Path, ...],
    output: Path | None,
    config_path: Path | None,
    offline: bool | None,
    strict: bool | None,
    ascii_: bool | None,
    mailto: str | None,
    cache_dir: Path | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Resolve LISTS (Markdown lists, plain id lists, .bib files) into one references.bib.

    \b
    Examples:
      list2bib build README.md
      list2bib build papers.md more.txt -o paper/references.bib --mailto me@uni.edu
      list2bib build README.md --strict --offline     # CI: cache only, fail on unresolved

    Exit codes: 0 ok, 1 failure, 2 bad usage or input, 3 unresolved entries with --strict.
    """
    _setup_logging(verbose, quiet)
    console = Console(quiet=quiet, highlight=False)
    with _errors_to_exit_codes():
        config = load_config(config_path).with_overrides(
            output=output,
            offline=offline,
            strict=strict,
            ascii=ascii_,
            mailto=mailto,
            cache_dir=cache_dir,
        )
        with _progress(quiet) as progress:
            result = pipeline.build(lists, config, progress=progress)
        report.print_summary(result, console, verbose=verbose > 0)
        if config.strict and result.unresolved:
            click.echo(
                f"list2bib: {len(result.unresolved)} unresolved entries (--strict)", err=True
            )
            sys.exit(EXIT_UNRESOLVED)
    sys.exit(EXIT_OK)


class _BarProgress:
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
def _progress(quiet: bool) -> Iterator[_BarProgress | None]:
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
        yield _BarProgress(bar)


@contextmanager
def _errors_to_exit_codes() -> Iterator[None]:
    try:
        yield
    except List2BibError as exc:
        click.echo(f"list2bib: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("list2bib: interrupted; nothing was written", err=True)
        sys.exit(130)


def _setup_logging(verbose: int, quiet: bool) -> None:
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
