"""A Zotero Web API v3 client over `net.Http`: paged reads, version reads, and batched writes with
client-chosen keys, write tokens and `If-Unmodified-Since-Version`. Never caches an answer and
never puts the API key anywhere but the `Zotero-API-Key` header.

Every 2xx body is checked before it is used (a JSON object or array of the expected shape): a
cut-off answer, or a proxy's HTML page with status 200, is asked again by the transport. A write
is retried with its write token, so a retry after an answer lost on the way back gets
`412 Write token already used` (reported as `WriteReport.committed`), never a second commit."""

from __future__ import annotations

import html
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from list2bib.errors import ZoteroAccessError, ZoteroError
from list2bib.infra.answers import HttpResponse, expect_json
from list2bib.infra.http import Http

logger = logging.getLogger("list2bib")

SERVICE = "zotero"
# Zotero refuses more than 50 objects per write (HTTP 413) and documents 50 keys per itemKey read.
MAX_WRITE = 50
MAX_KEYS = 50
PAGE = 100  # larger limits are clamped to 100 silently
_LINK = re.compile(r'<(?P<url>[^>]+)>\s*;\s*rel="(?P<rel>\w+)"')
_KEY_PARAM = {"items": "itemKey", "collections": "collectionKey"}
# The body of a 412 that means "this very write was already carried out".
TOKEN_USED = "write token already used"


@dataclass(frozen=True, slots=True)
class Failure:
    """An object a write refused, by its index in the uploaded array: Zotero's HTTP code for it
    (412: the object changed since it was read) and its message."""

    index: int
    code: int
    message: str


@dataclass(frozen=True, slots=True)
class WriteReport:
    """A multi-object write's answer, by index in the uploaded array. `conflict` is a whole-request
    412: the library moved (someone else wrote), or, with `committed`, the write token was already
    used: this write had been carried out and only its answer was lost."""

    version: int
    successful: dict[int, dict[str, Any]] = field(default_factory=dict)
    unchanged: dict[int, str] = field(default_factory=dict)
    failed: dict[int, Failure] = field(default_factory=dict)
    conflict: str = ""
    committed: bool = False


class ZoteroClient:
    """One group library. All requests go one at a time (Zotero asks for at most 4 in flight)."""

    def __init__(self, http: Http, base_url: str, group: str, api_key: str) -> None:
        if not group.isdigit():
            raise ZoteroError(
                f"zotero: group must be a number (the digits in its URL), got {group!r}"
            )
        self._http = http
        self._base = base_url.rstrip("/")
        self.group = group
        self._api_key = api_key
        # Write requests sent (whatever became of them): tells "nothing written" from "part-way".
        self.writes_sent = 0

    def __repr__(self) -> str:  # the key stays out of reprs and tracebacks
        return f"ZoteroClient(group={self.group})"

    @property
    def prefix(self) -> str:
        return f"{self._base}/groups/{self.group}"

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {
            "Zotero-API-Version": "3",
            "Zotero-API-Key": self._api_key,
            # Answers depend on the key and change with every write: never cache them.
            "Cache-Control": "no-store",
        }
        headers.update(extra or {})
        return headers

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        accept: Sequence[int] = (),
        expect: Callable[[HttpResponse], object] = expect_json,
    ) -> HttpResponse:
        response = self._http.request(
            method,
            SERVICE,
            url,
            params=params,
            headers=self._headers(headers),
            json_body=body,
            accept_status=(403, 404, *accept),
            expect=expect,
        )
        if response.status == 403:
            text = html.unescape(response.text.strip())[:200] or "Forbidden"
            where = f"{method} {urlsplit(url).path}"
            raise ZoteroAccessError(
                f"zotero: {text} for group {self.group} ({where});"
                " check the key's group permissions at https://www.zotero.org/settings/keys"
            )
        if response.status == 404 and 404 not in accept:
            raise ZoteroError(
                f"zotero: not found: {urlsplit(url).path} (is group {self.group} right, and can"
                " the key read it?)"
            )
        return response

    # --- key and group ---------------------------------------------------------------------
    def key_info(self) -> dict[str, Any] | None:
        """`/keys/current`, or None when Zotero does not know the key."""
        response = self._send("GET", f"{self._base}/keys/current", accept=(404,), expect=_object)
        # The 404 body repeats the key: it is never read.
        return None if response.status == 404 else dict(response.json())

    def group_info(self) -> dict[str, Any]:
        return dict(self._send("GET", self.prefix, expect=_object).json())

    # --- reads -----------------------------------------------------------------------------
    def versions(self, kind: str, since: int) -> tuple[dict[str, int] | None, int]:
        """`{key: version}` of objects changed after `since` (trash included), and the library
        version; None when nothing changed (304 to `If-Modified-Since-Version`)."""
        params = {"since": str(since), "format": "versions"}
        if kind == "items":
            params["includeTrashed"] = "1"
        response = self._send(
            "GET",
            f"{self.prefix}/{kind}",
            params=params,
            headers={"If-Modified-Since-Version": str(since)},
            accept=(304,),
            expect=_versions,
        )
        version = _library_version(response, since)
        if response.status == 304:
            return None, version
        return {str(k): int(v) for k, v in response.json().items()}, version

    def deleted(self, since: int) -> dict[str, list[str]]:
        response = self._send(
            "GET", f"{self.prefix}/deleted", params={"since": str(since)}, expect=_deleted
        )
        return {str(k): list(v) for k, v in response.json().items()}

    def fetch(self, kind: str, keys: Iterable[str]) -> list[dict[str, Any]]:
        """Full objects for `keys`, trashed ones too, ≤ 50 keys per request."""
        wanted = sorted(set(keys))
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), MAX_KEYS):
            params = {_KEY_PARAM[kind]: ",".join(wanted[start : start + MAX_KEYS])}
            if kind == "items":
                params["includeTrashed"] = "1"
            found.extend(self.read_all(f"{self.prefix}/{kind}", params))
        return found

    def read_all(self, url: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """Every page of a multi-object read, following `Link: rel="next"`."""
        query: Mapping[str, str] | None = {**params, "limit": str(PAGE)}
        results: list[dict[str, Any]] = []
        total = None
        next_url: str | None = url
        while next_url:
            response = self._send("GET", next_url, params=query, expect=_objects)
            results.extend(response.json())
            total = response.headers.get("total-results", total)
            next_url, query = _next_page(response, self._base)
        if total is not None and int(total) != len(results):
            logger.info("zotero: read %d of %s objects (the library changed)", len(results), total)
        return results

    # --- writes ----------------------------------------------------------------------------
    def write(self, kind: str, objects: Sequence[Mapping[str, Any]], version: int) -> WriteReport:
        """POST ≤ 50 objects with `If-Unmodified-Since-Version: version` and one write token, kept
        across the transport's retries: a retry after a lost or garbled reply gets 412, never a
        duplicate."""
        if not 0 < len(objects) <= MAX_WRITE:
            raise ValueError(f"a Zotero write takes 1-{MAX_WRITE} objects, not {len(objects)}")
        self.writes_sent += 1
        headers = {
            "If-Unmodified-Since-Version": str(version),
            "Zotero-Write-Token": secrets.token_hex(16),
            "Content-Type": "application/json",
        }
        response = self._send(
            "POST",
            f"{self.prefix}/{kind}",
            headers=headers,
            body=list(objects),
            accept=(412,),
            expect=_write_report,
        )
        if response.status == 412:
            text = html.unescape(response.text.strip())[:200]
            return WriteReport(version, conflict=text, committed=TOKEN_USED in text.lower())
        body = response.json()
        failed = {
            int(i): Failure(int(i), int(f.get("code", 0)), html.unescape(str(f.get("message", ""))))
            for i, f in body.get("failed", {}).items()
        }
        return WriteReport(
            version=_library_version(response, version),
            successful={int(i): obj for i, obj in body.get("successful", {}).items()},
            unchanged={int(i): str(k) for i, k in body.get("unchanged", {}).items()},
            failed=failed,
        )

    def delete_collections(self, keys: Sequence[str], version: int) -> int | None:
        """DELETE ≤ 50 collections (their items stay in the library) if the library is still at
        `version`. Returns the library's new version, or None when it moved (412)."""
        if not 0 < len(keys) <= MAX_WRITE:
            raise ValueError(f"a Zotero delete takes 1-{MAX_WRITE} keys, not {len(keys)}")
        self.writes_sent += 1
        response = self._send(
            "DELETE",
            f"{self.prefix}/collections",
            params={"collectionKey": ",".join(keys)},
            headers={"If-Unmodified-Since-Version": str(version)},
            accept=(412,),
            expect=_no_body,
        )
        if response.status == 412:
            return None
        return _library_version(response, version)


# Body checks for `Http.request(expect=...)`: each raises ValueError on an answer it cannot use.
def _no_body(response: HttpResponse) -> None:
    """A 204: nothing to check."""


def _object(response: HttpResponse) -> dict[str, Any]:
    body = expect_json(response)
    if not isinstance(body, dict):
        raise ValueError(f"not a JSON object: {type(body).__name__}")
    return body


def _objects(response: HttpResponse) -> list[Any]:
    """A page of a multi-object read: a list of objects, each with its `data`."""
    body = expect_json(response)
    if not isinstance(body, list) or not all(
        isinstance(o, dict) and isinstance(o.get("data"), dict) for o in body
    ):
        raise ValueError("not a list of Zotero objects")
    return body


def _versions(response: HttpResponse) -> dict[str, Any]:
    body = _object(response)
    if not all(isinstance(v, int) for v in body.values()):
        raise ValueError("not a {key: version} map")
    return body


def _deleted(response: HttpResponse) -> dict[str, Any]:
    body = _object(response)
    if not all(isinstance(v, list) for v in body.values()):
        raise ValueError("not a deletion log")
    return body


def _write_report(response: HttpResponse) -> dict[str, Any]:
    body = _object(response)
    if not any(name in body for name in ("successful", "success", "unchanged", "failed")):
        raise ValueError("not a write report")
    return body


def _library_version(response: HttpResponse, default: int) -> int:
    value = response.headers.get("last-modified-version", "")
    return int(value) if value.isdigit() else default


def _next_page(response: HttpResponse, base: str) -> tuple[str | None, Mapping[str, str] | None]:
    """The next page's URL re-based on our own base URL (only its path and query are used)."""
    for match in _LINK.finditer(response.headers.get("link", "")):
        if match["rel"] == "next":
            parts, root = urlsplit(match["url"]), urlsplit(base)
            url = f"{root.scheme}://{root.netloc}{parts.path}"
            return url, dict(parse_qsl(parts.query, keep_blank_values=True))
    return None, None
