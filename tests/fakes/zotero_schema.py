"""What the fake Zotero API checks and answers with: key syntax, write limits, the item schema
(zotero-schema v41, the types list2bib writes), error and JSON bodies."""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any

from fakes.base import Reply

KEY_RE = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")
SCHEMA_VERSION = "41"
MAX_WRITE = 50
ITEM_PROPS = {"key", "version", "parentItem", "itemType", "tags", "collections", "relations",
              "creators", "note", "deleted", "inPublications", "dateAdded", "dateModified",
              "accessDate", "linkMode", "contentType", "charset", "filename", "md5",
              "mtime"}  # fmt: skip
COLLECTION_PROPS = {"key", "version", "name", "parentCollection", "relations", "deleted"}
V2_NAMES = {"itemKey": "key", "itemVersion": "version", "collectionKey": "key",
            "collectionVersion": "version"}  # fmt: skip


class LostReply(Reply):
    """The request was carried out, but the connection drops before the answer is sent."""


class _Crash(Exception):
    """A server error part-way through a multi-object write."""


class _ObjectError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def php_escape(text: str) -> str:
    """PHP's htmlspecialchars with its default flags (ENT_QUOTES: ' becomes &#039;)."""
    return html.escape(text, quote=True).replace("&#x27;", "&#039;")


def error(status: int, message: str) -> Reply:
    return Reply.text(status, php_escape(message), "text/html; charset=UTF-8")


# --- schema (zotero-schema v41, the types list2bib writes) --------------------------------------

_COMMON_TAIL = (
    "DOI",
    "citationKey",
    "url",
    "accessDate",
    "shortTitle",
    "language",
    "rights",
    "extra",
)
_LIBRARY = ("archive", "archiveLocation", "libraryCatalog", "callNumber")
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "preprint": ("title", "abstractNote", "genre", "repository", "archiveID", "place", "date",
                 "series", "seriesNumber", *_COMMON_TAIL, *_LIBRARY),
    "journalArticle": ("title", "abstractNote", "publicationTitle", "publisher", "place", "date",
                       "volume", "issue", "section", "partNumber", "partTitle", "pages", "series",
                       "seriesTitle", "seriesText", "journalAbbreviation", "PMID", "PMCID", "ISSN",
                       *_COMMON_TAIL, *_LIBRARY),
    "conferencePaper": ("title", "abstractNote", "proceedingsTitle", "conferenceName", "publisher",
                        "place", "date", "eventPlace", "volume", "issue", "numberOfVolumes", "pages",  # noqa: E501
                        "series", "seriesNumber", "ISBN", "ISSN", *_COMMON_TAIL, *_LIBRARY),
    "bookSection": ("title", "abstractNote", "bookTitle", "series", "seriesNumber", "volume",
                    "numberOfVolumes", "edition", "place", "publisher", "date", "pages", "ISBN",
                    *_COMMON_TAIL, *_LIBRARY),
    "blogPost": ("title", "abstractNote", "blogTitle", "websiteType", "date", "ISSN", *_COMMON_TAIL),  # noqa: E501
    "webpage": ("title", "abstractNote", "websiteTitle", "websiteType", "date", "publisher", "place",  # noqa: E501
                *_COMMON_TAIL),
    "document": ("title", "abstractNote", "publisher", "date", *_COMMON_TAIL, *_LIBRARY),
    "attachment": ("title", "accessDate", "url"),
}  # fmt: skip
CREATOR_TYPES: dict[str, tuple[str, ...]] = {
    "preprint": ("author", "contributor", "editor", "translator", "reviewedAuthor"),
    "journalArticle": ("author", "contributor", "editor", "translator", "reviewedAuthor"),
    "conferencePaper": ("author", "contributor", "editor", "translator", "seriesEditor"),
    "bookSection": ("author", "bookAuthor", "contributor", "editor", "seriesEditor", "translator"),
    "blogPost": ("author", "commenter", "contributor", "translator"),
    "webpage": ("author", "contributor", "translator"),
    "document": ("author", "contributor", "editor", "reviewedAuthor", "translator"),
    "attachment": (),
}
ALL_FIELDS = frozenset(f for fields in ITEM_FIELDS.values() for f in fields)


def json_reply(data: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Reply:
    # The server pretty-prints with 4 spaces, unescaped slashes and unicode.
    body = json.dumps(data, indent=4, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, [("Content-Type", "application/json"), *(headers or [])])


def _stamp(version: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_780_000_000 + version * 7))


def _clean(value: str) -> str:
    """Control characters are stripped from every decoded string."""
    return "".join(ch for ch in value if ch in "\n\t" or ord(ch) >= 32)
