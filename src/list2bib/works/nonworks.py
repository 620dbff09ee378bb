"""Links and pages that are no works (people, products, courses, chat invites): they stay out
of the bib unless `include_links`, and are named in the summary and the review report."""

from __future__ import annotations

from collections.abc import Sequence, Sized
from dataclasses import replace

from list2bib.errors import InputError
from list2bib.model import ListEntry, Resolution


def works_only(
    entries: list[ListEntry], include_links: bool
) -> tuple[list[ListEntry], tuple[ListEntry, ...]]:
    """The entries to resolve, and the listed links that are no works (`ListEntry.not_a_work`),
    which stay out of the bib unless `include_links`."""
    if include_links:
        return entries, ()
    works = [e for e in entries if not e.not_a_work]
    _refuse_only(works, [e for e in entries if e.not_a_work], "links")
    return works, tuple(e for e in entries if e.not_a_work)


def declared_non_works(
    resolutions: list[Resolution], include_links: bool
) -> tuple[list[Resolution], tuple[ListEntry, ...]]:
    """The resolutions to write, and the entries whose record is a web page that declares itself
    no work (`Record.not_a_work`: a profile, an app, a course), left out like the links a list
    shows are none unless `include_links`."""
    if include_links:
        return resolutions, ()
    kept = [r for r in resolutions if r.record is None or not r.record.not_a_work]
    out = tuple(
        replace(r.entry, not_a_work=r.record.not_a_work)
        for r in resolutions
        if r.record is not None and r.record.not_a_work
    )
    _refuse_only(kept, out, "pages")
    return kept, out


def _refuse_only(kept: Sized, out: Sequence[ListEntry], what: str) -> None:
    """Only no-works left: going on would write an empty bibliography."""
    if out and not kept:
        raise InputError(
            f"{out[0].where}: the lists hold only {what} that are not works ({out[0].not_a_work}, "
            "...); give --include-links to write them as @misc"
        )
