"""The `list2bib` group and what its commands share: the one error boundary (errors -> one line
on stderr and an exit code), logging, the console and progress bar, and the checks run before any
request."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

from list2bib import __version__
from list2bib.config import secret_values
from list2bib.errors import (
    EXIT_BUSY,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_UNRESOLVED,
    EXIT_USAGE,
    InputError,
    Interrupted,
    List2BibError,
    OutputError,
)
from list2bib.read.arguments import InlineList, ListSource
from list2bib.text.clean import terminal_text

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Piped or redirected output (cron mail, CI logs) has no terminal width: rich would squeeze the
# summary table into 80 columns and cut topic names.
PIPED_WIDTH = 160
# ctx.meta key (shared by nested contexts): the command's -v count, for the error boundary.
VERBOSE = "list2bib.verbose"


class SafeConsole(Console):
    """A console that shows every string it renders (titles, notes, table cells) as text: no
    control or bidi character in a title reaches the terminal."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(terminal_text(text), **kwargs)


class _SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record))


def make_console(quiet: bool) -> Console:
    """The console for a command's summary on stdout."""
    width = None if sys.stdout.isatty() else PIPED_WIDTH
    return SafeConsole(quiet=quiet, highlight=False, width=width)


# Every command's --help ends with this list, and the README shows it as it is (a test compares
# them): one list, whichever command a script runs.
EXIT_CODES = (
    (EXIT_OK, "done (unresolved entries are in the bib as marked @misc)"),
    (EXIT_FAILURE, "failure; with --check: the bib would change"),
    (EXIT_USAGE, "bad usage or input (one line on stderr says where)"),
    (EXIT_UNRESOLVED, "unresolved entries with --strict"),
    (EXIT_BUSY, "another run holds the bib's lock"),
    (EXIT_PARTIAL, "partial: a service failed or time ran out; those works kept their entries"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
)


def exit_codes_text() -> str:
    """The exit codes as --help ends with them (lines kept short: never re-wrapped)."""
    return "Exit codes:\n" + "".join(f"  {code:<4} {text}\n" for code, text in EXIT_CODES)


class ExitCodesCommand(click.Command):
    """A command whose --help ends with the exit codes."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        formatter.write_paragraph()
        formatter.write(exit_codes_text())


class ExitCodesGroup(click.Group):
    """A group whose --help, and every subcommand's, ends with the exit codes."""

    command_class = ExitCodesCommand

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        formatter.write_paragraph()
        formatter.write(exit_codes_text())


ExitCodesGroup.group_class = ExitCodesGroup


class OneLineErrors(ExitCodesGroup):
    """The top-level group, and the one place errors become exit codes. click's own usage errors
    (an unknown option, a missing argument, a bad option value) become one line on stderr like
    every other error, with exit code 2; so does every error a command meets, with its own code
    (`invoke`)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # `list2bib` alone: the help is the answer
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else "list2bib"
            message = " ".join(exc.format_message().split())
            click.echo(f"list2bib: error: {message} (see '{command} --help')", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"list2bib: error: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("list2bib: interrupted; nothing was written", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        """Every error a user can cause or meet becomes one line on stderr and its exit code; `-v`
        adds a line with the underlying cause, when there is one."""
        try:
            return super().invoke(ctx)
        except Interrupted as exc:  # its message says what state the run left behind
            click.echo(f"list2bib: {exc}", err=True)
            sys.exit(exc.exit_code)
        except List2BibError as exc:
            click.echo(f"list2bib: error: {redact(' '.join(str(exc).split()))}", err=True)
            _detail(exc, ctx.meta.get(VERBOSE, 0))
            sys.exit(exc.exit_code)
        except OSError as exc:  # the file system refused something no check foresaw
            where = f"{exc.filename}: " if exc.filename else ""
            reason = exc.strerror or type(exc).__name__
            click.echo(
                f"list2bib: error: {redact(where)}{reason}; check the path and its permissions",
                err=True,
            )
            _detail(exc, ctx.meta.get(VERBOSE, 0))
            sys.exit(EXIT_FAILURE)
        except KeyboardInterrupt:
            click.echo("list2bib: interrupted; nothing was written", err=True)
            sys.exit(EXIT_INTERRUPTED)


@click.group(name="list2bib", cls=OneLineErrors, context_settings=CONTEXT)
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
        self._tasks: dict[str, TaskID] = {}
        self._totals: dict[str, int] = {}

    def add(self, total: int, description: str) -> None:
        """A stage's bar; a stage started again (new ids found) makes its bar longer."""
        self._totals[description] = self._totals.get(description, 0) + total
        task = self._tasks.get(description)
        if task is None:
            self._tasks[description] = self._bar.add_task(description, total=total)
        else:
            self._bar.update(task, total=self._totals[description])

    def advance(self, description: str, steps: int = 1) -> None:
        task = self._tasks.get(description)
        if task is not None:
            self._bar.advance(task, steps)


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


def _detail(exc: BaseException, verbose: int) -> None:
    cause = exc.__cause__ or (exc if isinstance(exc, OSError) else None)
    if verbose and cause is not None:
        click.echo(f"list2bib: detail: {type(cause).__name__}: {redact(str(cause))}", err=True)


def redact(text: str) -> str:
    """`text` without any API key held in the environment, in any URL spelling: a server may
    repeat the key it was sent in an error answer, and that answer may become a message. Also
    fit for a terminal (`terminal_text`): a message may quote a title."""
    for secret in secret_values():
        for spelling in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(spelling, "***")
    return terminal_text(text)


def check_lists(lists: Sequence[ListSource]) -> None:
    """Fail before any network use when every list is empty: the run could only write an empty
    bibliography (or, with --prune, empty an existing one). A list that cannot be read is
    reported by the reader, with its own message."""
    empty = [
        source
        for source in lists
        if (not source.text.strip() if isinstance(source, InlineList) else _is_blank(source))
    ]
    if empty and len(empty) == len(lists):
        names = ", ".join(s.name if isinstance(s, InlineList) else str(s) for s in empty)
        raise InputError(
            f"{names}: empty list (nothing but blank space); add paper entries (links,"
            " identifiers or titles) or give the right file"
        )


def _is_blank(path: Path) -> bool:
    if not path.is_file():  # a pipe (/dev/stdin) can be read only once: the reader's turn
        return False
    try:
        with path.open("rb") as fh:
            chunk = fh.read(65536).removeprefix(b"\xef\xbb\xbf")
            while chunk:
                if chunk.strip():
                    return False
                chunk = fh.read(65536)
    except OSError:
        return False
    return True


def check_writable(path: Path | None, option: str) -> None:
    """Fail before any network use when `option`'s file cannot be written: a file stands where
    a folder must be (bad usage, 2), or the folder it would go in is not writable (1)."""
    if path is None:
        return
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # missing folders are created on writing
    if not folder.is_dir():
        raise InputError(
            f"{option} {path}: {folder} is a file, not a folder; give a path in a folder"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            f"{option} {path}: cannot write in {folder} (permission denied); give a path in a"
            " writable folder"
        )


def setup_logging(verbose: int, quiet: bool) -> None:
    """list2bib's own messages on stderr; libraries' debug chatter stays off. `verbose` also
    decides whether an error's underlying cause is shown."""
    click.get_current_context().meta[VERBOSE] = verbose
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SafeFormatter("list2bib: %(message)s"))
    logger = logging.getLogger("list2bib")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
