"""`list2bib build`: lists -> references.bib (and the review report)."""

from __future__ import annotations

from typing import Any

from list2bib.cli import options
from list2bib.cli.app import CONTEXT, main
from list2bib.cli.run import run


@main.command(context_settings=CONTEXT, short_help="Resolve paper lists into one references.bib.")
@options.LIST_ARGUMENTS
@options.output("The .bib to write  [default: output/references.bib]")
@options.config(
    "TOML config file  [default: the nearest list2bib.toml or [tool.list2bib], from here up to"
    " the repository root]"
)
@options.run_options
@options.verbosity
def build(**given: Any) -> None:
    """Resolve LISTS (Markdown lists, plain id lists, .bib files) into one references.bib.
    A LIST may also be an identifier, a URL or a quoted title (when no file has that name), or
    `-` for a list on standard input.

    \b
    Examples:
      list2bib build README.md
      list2bib build arXiv:2202.05262 10.1109/cvpr.2016.90 "Attention is all you need"
      cat papers.md | list2bib build - -o refs.bib
      list2bib build papers.md more.txt -o paper/references.bib --mailto me@uni.edu
      list2bib build README.md --strict --offline     # CI: cache only, fail on unresolved
    """
    run(given, refresh=False)
