"""The arguments and options several commands take, each declared once. A command's --help lists
its options in the order the command applies these decorators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from click.shell_completion import CompletionItem

F = TypeVar("F", bound=Callable[..., object])

LISTS = click.argument("lists", nargs=-1, required=True, type=click.Path(path_type=Path))


def _complete_files(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion offers file names for a LIST, as for a path."""
    return [CompletionItem(incomplete, type="file")]


# Text, not paths: an identifier or URL is no path (a Path would fold a URL's `//`).
LIST_ARGUMENTS = click.argument("lists", nargs=-1, required=True, shell_complete=_complete_files)
GROUP = click.option("--group", "zotero_group", help="Zotero group ID (the digits in its URL).")
MAILTO = click.option("--mailto", help="Contact address sent to the services (polite pools).")
CACHE_DIR = click.option("--cache-dir", type=click.Path(path_type=Path), help="HTTP cache folder.")


def output(text: str) -> Callable[[F], F]:
    return click.option("-o", "--output", type=click.Path(path_type=Path), help=text)


def config(text: str = "TOML config file.") -> Callable[[F], F]:
    return click.option("--config", "config_path", type=click.Path(path_type=Path), help=text)


def offline(text: str) -> Callable[[F], F]:
    return click.option("--offline", is_flag=True, default=None, help=text)


def verbosity(function: F) -> F:
    """-v and -q, last in every command that runs a build."""
    function = click.option("-q", "--quiet", is_flag=True, help="Only errors.")(function)
    return click.option("-v", "--verbose", count=True, help="More detail (-vv: every request).")(
        function
    )


# Options `build` and `refresh` share, in the order --help shows them. Each but --check,
# --changes and --json is named as the configuration key it overrides.
RUN_OPTIONS = (
    offline("Answer from the cache only."),
    click.option(
        "--strict", is_flag=True, default=None, help="Exit 3 when any entry stays unresolved."
    ),
    click.option("--ascii", is_flag=True, default=None, help="Write LaTeX escapes, not UTF-8."),
    click.option(
        "--format",
        type=click.Choice(["bibtex", "biblatex", "csl-json"]),
        help="Output dialect  [default: by the output's extension: .json CSL-JSON, else BibTeX]",
    ),
    click.option(
        "--report",
        type=click.Path(path_type=Path),
        help="Also write a review report: FILE.md, FILE.html or FILE.json.",
    ),
    MAILTO,
    CACHE_DIR,
    click.option(
        "--prune",
        is_flag=True,
        default=None,
        help="Remove entries of the output that no list produces (and list them).",
    ),
    click.option(
        "--include-links",
        is_flag=True,
        default=None,
        help="Also write listed links that are no works (people, chats, tools...) as @misc.",
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
        "--json",
        "--summary-json",
        "summary_json",
        is_flag=True,
        help="Print the result as one JSON document on stdout, instead of the summary.",
    ),
    click.option(
        "--key-pattern",
        help="Citation key pattern for new works  [default: {auth}{year}{shorttitle}]",
    ),
    click.option(
        "--deadline-per-100",
        type=click.FloatRange(min=0),
        metavar="MINUTES",
        help="Send no request after MINUTES per 100 entries asked (as much for fewer); the works"
        " not asked keep their entries, exit 5; 0: no deadline  [default: 3]",
    ),
)


def run_options(function: F) -> F:
    for option in reversed(RUN_OPTIONS):
        function = option(function)
    return function
