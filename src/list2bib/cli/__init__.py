"""Command-line interface: one module per command group, all thin layers over `pipeline`.

This package is the one place that imports click, turns errors into exit codes and exits.
"""

from __future__ import annotations

from list2bib.cli import build, refresh, zotero, zotero_export
from list2bib.cli.app import main

# Each command module registers itself on main (zotero_export on the zotero group).
__all__ = ["build", "main", "refresh", "zotero", "zotero_export"]
