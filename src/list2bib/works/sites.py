"""One name per web site across the file: a page the list only linked (written with its bare host,
`lesswrong.com`) takes the name the site gives itself on the pages that were read (`LessWrong`,
from og:site_name or JSON-LD), and spellings of one name that differ in case or punctuation agree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from list2bib.model import Reference, WorkKind
from list2bib.text.identifiers import url_host

# Works written with `howpublished = {<site>}`: web pages and entries built from the list.
_SITE_KINDS = frozenset({WorkKind.WEB, WorkKind.UNRESOLVED})
_NOT_WORD = re.compile(r"[\W_]+")


def _host(ref: Reference) -> str:
    return url_host(ref.record.url or "").removeprefix("www.")


def _squash(name: str) -> str:
    return _NOT_WORD.sub("", name).casefold()


def site_names(refs: Sequence[Reference]) -> dict[str, str]:
    """host -> the name the site's read pages give most often (ties: the first in sort order)."""
    counts: dict[str, Counter[str]] = {}
    for ref in refs:
        name = ref.record.venue.get("howpublished", "").strip()
        host = _host(ref)
        if ref.record.kind is WorkKind.WEB and host and name and _squash(name) != _squash(host):
            counts.setdefault(host, Counter())[name] += 1
    return {
        host: min(names, key=lambda name: (-names[name], name)) for host, names in counts.items()
    }


def one_name_per_site(refs: Sequence[Reference]) -> list[Reference]:
    """`refs` with every site-named work of a host whose name is known under that name, when it
    has no name of its own, its bare host, or the same name spelled otherwise."""
    names = site_names(refs)
    out: list[Reference] = []
    for ref in refs:
        host = _host(ref)
        name = names.get(host)
        current = ref.record.venue.get("howpublished", "").strip()
        same = not current or _squash(current) in (_squash(host), _squash(name or ""))
        if ref.record.kind in _SITE_KINDS and name and current != name and same:
            record = replace(ref.record, venue={**ref.record.venue, "howpublished": name})
            ref = replace(ref, record=record)
        out.append(ref)
    return out
