"""Command-line interface: one module per command group, all thin layers over `pipeline`.

This package is the one place that imports click, turns errors into exit codes and exits.
"""

from __future__ import annotations

from list2bib.cli import build, refresh, zotero
from list2bib.cli.app import main

__all__ = ["build", "main", "refresh", "zotero"]  # each command module registers itself on main
