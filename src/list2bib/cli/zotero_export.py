"""`list2bib zotero export`: a group's items (members' own included) -> references.bib, written
and merged as `build` writes, reading only what changed in the group since the last read."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from list2bib import pipeline
from list2bib.cli import options
from list2bib.cli.app import CONTEXT, check_writable, make_console, setup_logging
from list2bib.cli.zotero import _client, zotero
from list2bib.config import load_config
from list2bib.config.settings import FORMATS
from list2bib.errors import EXIT_OK
from list2bib.report import summary as report
from list2bib.zotero import export
from list2bib.zotero.index import Index


@zotero.command("export", context_settings=CONTEXT)
@options.GROUP
@click.option(
    "--collection",
    "zotero_collection",
    help="Only this collection and its subcollections: a name, or names from the top joined by"
    " ' > ' or '/'  [default: the whole group]",
)
@options.output("The .bib to write or merge into  [default: output/references.bib]")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    help="Output dialect  [default: by the output's extension: .json CSL-JSON, else BibTeX]",
)
@options.config()
@click.option(
    "--full", is_flag=True, help="Read the whole group again, not only what changed since."
)
@options.CACHE_DIR
@options.verbosity
def export_command(
    zotero_group: str | None,
    zotero_collection: str | None,
    output: Path | None,
    output_format: str | None,
    config_path: Path | None,
    full: bool,
    cache_dir: Path | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Write the items of a Zotero group (or of one collection) into a bib: every work in it,
    those members added by hand included; notes, attachments and the trash are left out.

    Keys come from each item's citation key where it has one, else from the key pattern, and a
    key once written is kept. An existing bib is merged as `build` merges (its other entries
    and your edits are kept; the file is replaced atomically). The group is read in full once,
    then only what changed since (one request when nothing did).

    \b
    Examples:
      ZOTERO_API_KEY=... list2bib zotero export --group 12345 -o references.bib
      list2bib zotero export --group 12345 --collection "Reading group > Editing" -o editing.bib
      list2bib zotero export --group 12345 -o references.json    # CSL-JSON
    """
    setup_logging(verbose, quiet)
    console = make_console(quiet)
    # --collection narrows the export; [zotero] collection is where `sync` files works.
    config = load_config(
        config_path, overrides={"output": output, "format": output_format, "cache_dir": cache_dir}
    )
    check_writable(config.output, "-o")
    client, http = _client(config, zotero_group)
    index_path = Index.path_for(config.cache_dir, client.group)
    index = Index.load(index_path, client.group)
    if full:
        index.forget_all()
    with http:
        index.refresh(client)
        requests = sum(http.requests_by_host.values())
    index.save(index_path)
    where = export.collection_key(index, zotero_collection) if zotero_collection else None
    items = export.exported_items(index, where)
    result = pipeline.build((), config, resolved=export.resolutions(index, items))
    state = "written" if result.written else "unchanged"
    scope = f", collection {zotero_collection!r}" if where else ""
    console.print(
        f"{len(items)} items of group {client.group}{scope} -> {result.output}: {state};"
        f" {requests} requests to Zotero",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    report.print_changes(result.changes, console, verbose=verbose > 0)
    sys.exit(EXIT_OK)
