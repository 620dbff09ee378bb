"""A link target as a person reads it: the URL inside a nested or doubly bracketed target, an
identifier written as the target (`arXiv:2403.19521`), a URL without its scheme, stray escapes.
"""

from __future__ import annotations

import re

from list2bib.model import IdKind
from list2bib.text.identifiers import arxiv_abs_url, doi_url, parse_identifier

_URL_NOISE = re.compile(r"[\t\n\r]")
# A URL inside a mangled target: `%5B10.48550/arXiv.x%5D(http://…)`, `(https://…)`.
_INNER_URL = re.compile(r"https?://[^\s()\[\]<>\"']+(?:\([^\s()]*\)[^\s()\[\]<>\"']*)*", re.I)
# An escaped line break glued to a URL ends it (`…/2305.13172%5Cn`, `….pdf%5Cnhttp://…`: what
# follows is the next line of a pasted list); so do escaped spaces left at the end.
_GLUED_BREAK = re.compile(r"%5c[nrt]|\\[nrt]|%0a|%0d", re.I)
_GLUED_TAIL = re.compile(r"(?:%20|%09)+$", re.I)
_SCHEMELESS = re.compile(r"(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*", re.I)


def repair_href(value: str) -> str:
    """The URL a reader would follow for the link target `value`.

    Tabs and line breaks are dropped and outer spaces trimmed (as browsers do). A target that is
    no http(s) URL but holds one (a link nested in a link, `((url))`) gives that URL; an arXiv id
    or DOI written as the target gives its URL; `arxiv.org/abs/…` gains `https://`. Anything else
    (anchors, relative paths, mailto) is returned as it is.
    """
    href = _URL_NOISE.sub("", value).strip()
    if not re.match(r"https?://", href, re.I):
        decoded = re.sub(r"%5b", "[", re.sub(r"%5d", "]", href, flags=re.I), flags=re.I)
        if m := _INNER_URL.search(decoded):
            href = m[0]
        elif found := _identifier_url(href):
            href = found
        elif _SCHEMELESS.fullmatch(href):
            href = "https://" + href
    return _GLUED_TAIL.sub("", _GLUED_BREAK.split(href, maxsplit=1)[0])


def _identifier_url(text: str) -> str | None:
    ident = parse_identifier(text.strip("[]() "))
    if ident is not None and ident.kind is IdKind.ARXIV:
        return arxiv_abs_url(ident.value)
    if ident is not None and ident.kind is IdKind.DOI:
        return doi_url(ident.value)
    return None
