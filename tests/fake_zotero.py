"""A strict fake of the Zotero Web API v3 (group libraries) on 127.0.0.1 (../shared/zotero-api.md).

Implements: API keys and `/keys/current` with access maps, group permissions (libraryEditing),
per-object versions (each object of a write bumps the library version; `unchanged` bumps too,
failures roll back), `If-Unmodified-Since-Version` (412/428 as the server does), `If-Modified-Since-
Version` (304), write tokens (412 "Write token already used"), the 50-object limit (413),
per-object `successful/success/unchanged/failed` reports keyed by index (failures without `key`),
item/collection validation against a schema table, trash (`deleted`), `/deleted?since=`, paging
with `Link` and `Total-Results`, `format=versions|keys`, `itemKey=`/`collectionKey=`, tags, and the
schema endpoints pyzotero reads. Error bodies are HTML-escaped text, not JSON.

Every kind of `FakeServer.fail_next` / `fault_mode` is served. A write meets its fault where it
would meet it in production: "429", "429-no-retry-after", "503", "rate-exceeded-200" (the rate
limiter, maintenance or a proxy refusing) and "reset" (the connection dies on the way in) come
before the write, so nothing is committed; "timeout", "truncated", "malformed" and "html-200" (a
gateway giving up on a slow commit, an answer cut off on the way back) come after it: the objects
and the write token are stored, and only the answer is lost or garbled. Reads meet all of them.
Beyond those: `lose_reply_next(n)` (commit, then drop the connection), `backoff_next(n, seconds)`
(`Backoff` on successful answers), `fail_object_next(index, code, message)` (a per-object
failure), `crash_after_next(k)` (a partial commit, then 500), and out-of-band edits (`edit_item`)
that move versions between a client's read and write.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import sys
import threading
import time
from typing import Any, Self
from urllib.parse import urlencode

from fakes import FakeServer, LoggedRequest, Reply, _Handler, _Server

KEY_RE = re.compile(r"^[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}$")
SCHEMA_VERSION = "41"
MAX_WRITE = 50
ITEM_PROPS = {"key", "version", "parentItem", "itemType", "tags", "collections", "relations",
              "creators", "note", "deleted", "inPublications", "dateAdded", "dateModified",
              "accessDate"}  # fmt: skip
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


# Faults that reach a write only after it was carried out (see the module docstring).
COMMITTED_FAULTS = frozenset({"timeout", "truncated", "malformed", "html-200"})
# Faults that garble the real answer rather than replace it.
_GARBLING_FAULTS = frozenset({"truncated", "malformed"})


class _ZoteroServer(_Server):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (killed, or timed out) mid-answer is not the server's error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _ZoteroHandler(_Handler):
    """FakeServer's handler with replies lost after commit, faults placed before or after the
    commit as production places them, and a count of requests in flight (Zotero asks clients for
    at most 4)."""

    def _dispatch(self, method: str) -> None:
        request = self.read_request(method)
        fake = self.server.fake
        assert isinstance(fake, FakeZotero)
        fault = fake._record(request)
        writing = method not in ("GET", "HEAD")
        # The real answer is made (and a write committed) unless the fault comes before it.
        served = fault in _GARBLING_FAULTS or (writing and fault in COMMITTED_FAULTS)
        served = served or fault is None
        reply: Reply | None = None
        with fake.in_flight():
            if fake.latency:
                time.sleep(fake.latency)
            if served:
                reply = fake.handle(request)
        if fault in ("reset", "timeout") or isinstance(reply, LostReply):
            if fault == "timeout":
                time.sleep(fake.stall)  # the connection hangs, then the gateway closes it
            self.drop_connection()
            return
        if fault is not None and fault not in _GARBLING_FAULTS:
            reply = fake.fault_reply(fault)
        assert reply is not None
        self.send_reply(method, reply, fault)


class FakeZotero(FakeServer):
    """One group library (default id 12345) and its API keys. `WRITER` can write to it."""

    throttle_body = "Too many requests"
    WRITER = "WRITERkey0123456789ABCDE"
    READER = "READERkey0123456789ABCDE"
    USER = 777

    def __init__(self, group: int = 12345, *, library_editing: str = "members") -> None:
        super().__init__()
        self.group = group
        self.group_data: dict[str, Any] = {
            "id": group, "name": "Reading group", "owner": 1, "type": "Private",
            "description": "", "url": "", "libraryEditing": library_editing,
            "libraryReading": "members", "fileEditing": "admins", "admins": [],
            "members": [self.USER],
        }  # fmt: skip
        self.version = 0
        self.items: dict[str, dict[str, Any]] = {}
        self.collections: dict[str, dict[str, Any]] = {}
        self.deleted_log: list[tuple[str, str, int]] = []
        self.keys: dict[str, dict[str, Any]] = {}
        self.tokens: set[tuple[str, str]] = set()
        self._state = threading.RLock()
        self._lost = 0
        self._backoff: list[str] = []
        self._object_faults: dict[tuple[str, int], tuple[int, str]] = {}
        self._flight = 0
        self._throttled: list[int] = []
        self._crash: int | None = None
        self._hooks: list[Any] = []
        self.max_in_flight = 0
        self.add_key(self.WRITER, {str(group): {"library": True, "write": True}})
        self.add_key(self.READER, {str(group): {"library": True, "write": False}})

    # --- lifecycle (our handler knows PUT/PATCH/DELETE) --------------------------------------
    def start(self) -> Self:
        if self._server is None:
            self._server = _ZoteroServer(("127.0.0.1", 0), _ZoteroHandler)
            self._server.fake = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    @property
    def requests_in_flight(self) -> int:
        with self._lock:
            return self._flight

    @contextlib.contextmanager
    def in_flight(self) -> Any:
        with self._lock:
            self._flight += 1
            self.max_in_flight = max(self.max_in_flight, self._flight)
        try:
            yield
        finally:
            with self._lock:
                self._flight -= 1

    # --- seeding and faults ------------------------------------------------------------------
    def add_key(self, key: str, groups: dict[str, Any], user: int | None = None) -> None:
        self.keys[key] = {
            "key": key, "userID": user or self.USER, "username": "zuser",
            "displayName": "Z User", "access": {"groups": groups} if groups else {},
        }  # fmt: skip

    def lose_reply_next(self, n: int = 1) -> None:
        with self._lock:
            self._lost += n

    def backoff_next(self, n: int, seconds: int) -> None:
        with self._lock:
            self._backoff.extend([str(seconds)] * n)

    def fail_object_next(
        self, index: int, code: int = 500, message: str = "An error occurred", kind: str = "items"
    ) -> None:
        """The object at `index` of the next write of `kind` fails with `code`."""
        with self._lock:
            self._object_faults[(kind, index)] = (code, message)

    def crash_after_next(self, committed: int) -> None:
        """The next multi-object write commits its first `committed` objects, then fails with
        HTTP 500 (each object has its own transaction; the write token is not recorded)."""
        with self._lock:
            self._crash = committed

    def throttle_writes(self, n: int, retry_after: int = 2) -> None:
        """The next `n` write requests get `429` + `Retry-After` (the rate limiter runs first)."""
        with self._lock:
            self._throttled.extend([retry_after] * n)

    def before_next_write(self, action: Any) -> None:
        """Run `action(self)` just before the next write is handled: another client's edit
        landing between a client's read and its write."""
        with self._lock:
            self._hooks.append(action)

    def add_item(self, data: dict[str, Any]) -> str:
        """An item someone added by hand (server-chosen key)."""
        with self._state:
            report = self._write_objects("items", [data], header=False)
            assert not report["failed"], report["failed"]
            return str(report["success"]["0"])

    def edit_item(self, key: str, **fields: Any) -> None:
        """An edit by another client: bumps the item's and the library's version."""
        with self._state:
            current = self.items[key]
            report = self._write_objects(
                "items", [{**fields, "key": key, "version": current["version"]}], header=False
            )
            assert not report["failed"], report["failed"]

    # --- dispatch ----------------------------------------------------------------------------
    def handle(self, request: LoggedRequest) -> Reply:
        writing = request.method in ("POST", "PUT", "PATCH", "DELETE")
        with self._lock:
            wait = self._throttled.pop(0) if writing and self._throttled else None
            hook = self._hooks.pop(0) if writing and self._hooks else None
        if wait is not None:
            reply = error(429, "Request rate limit exceeded")
            reply.headers.append(("Retry-After", str(wait)))
            return reply
        with self._state:
            if hook is not None:
                hook(self)
            reply = self._route(request)
            with self._lock:
                lost = (
                    self._lost > 0 and request.method not in ("GET", "HEAD") and reply.status < 300
                )
                if lost:
                    self._lost -= 1
                if reply.status < 400 and self._backoff:
                    reply.headers.append(("Backoff", self._backoff.pop(0)))
        reply.headers.append(("Zotero-API-Version", "3"))
        reply.headers.append(("Zotero-Schema-Version", SCHEMA_VERSION))
        return LostReply(reply.status, reply.body, reply.headers) if lost else reply

    def _route(self, req: LoggedRequest) -> Reply:
        if "expect" in req.headers:
            return error(417, "Expect header is not supported")
        version = req.headers.get("zotero-api-version") or req.query.get("v") or "3"
        if version not in ("1", "2", "3"):
            return error(400, f"Invalid API version '{version}'")
        key, problem = self._api_key(req)
        if problem:
            return problem
        token = req.headers.get("zotero-write-token")
        if token is not None and req.method in ("POST", "PUT", "PATCH", "DELETE"):
            if key is None:
                return error(400, "Write token cannot be used without an API key")
            if not 5 <= len(token) <= 32:
                return error(400, "Write token must be 5-32 characters in length")
            if (key, token) in self.tokens:
                return error(412, "Write token already used")
        parts = [p for p in req.path.split("/") if p]
        if parts[:1] == ["keys"] and len(parts) == 2 and req.method == "GET":
            return self._key_reply(key, parts[1])
        if parts[:1] in (["itemTypes"], ["itemFields"], ["items"]) or parts[:1] == [
            "creatorFields"
        ]:
            return self._schema(parts, req)
        if parts[:1] != ["groups"] or len(parts) < 2:
            return error(404, "Not found")
        if not parts[1].isdigit():
            return error(400, "Invalid group ID")
        if int(parts[1]) != self.group:
            return error(404, "Group not found")
        if req.method != "GET" and req.method != "HEAD" and key is None:
            return error(403, "An API key is required for write requests.")
        if not self._can_read(key):
            return error(403, "Forbidden")
        if req.method in ("POST", "PUT", "PATCH", "DELETE") and not self._can_write(key):
            return error(403, "Write access denied")
        reply = route_library(self, req, parts[2:])
        if (
            token is not None
            and key is not None
            and reply.status < 300
            and req.method in ("POST", "PUT", "PATCH")
        ):
            self.tokens.add((key, token))
        return reply

    # --- keys and permissions ----------------------------------------------------------------
    def _api_key(self, req: LoggedRequest) -> tuple[str | None, Reply | None]:
        header = req.headers.get("zotero-api-key")
        query = req.query.get("key")
        if header and query and header != query:
            return None, error(400, "Zotero-API-Key header and 'key' parameter differ")
        key = header or query
        auth = req.headers.get("authorization", "")
        if not key and auth.lower().startswith("bearer"):
            match = re.match(r"^bearer +([a-z0-9]+)$", auth, re.I)
            if not match:
                return None, error(400, "Invalid Authorization header format")
            key = match.group(1)
        if key and key not in self.keys:
            return None, error(403, "Invalid key")
        return key, None

    def _key_reply(self, key: str | None, which: str) -> Reply:
        if which == "current":
            if key is None:
                return error(403, "Forbidden")
            return json_reply(self.keys[key])
        if which not in self.keys:
            return error(404, f"Key '{which}' not found")
        return json_reply(self.keys[which])

    def _grant(self, key: str | None) -> tuple[dict[str, Any], bool]:
        """The key's grant for this group, and whether it is an explicit one."""
        if key is None:
            return {}, False
        groups = self.keys[key]["access"].get("groups", {})
        if str(self.group) in groups:
            return groups[str(self.group)], True
        return groups.get("all", {}), False

    def _role(self, key: str) -> str:
        user = self.keys[key]["userID"]
        if user == self.group_data["owner"] or user in self.group_data["admins"]:
            return "admin"
        return "member" if user in self.group_data["members"] else ""

    def _can_read(self, key: str | None) -> bool:
        grant, explicit = self._grant(key)
        if not grant.get("library"):
            return False
        return explicit or (key is not None and self._role(key) != "")

    def _can_write(self, key: str | None) -> bool:
        grant, explicit = self._grant(key)
        if key is None or not grant.get("write"):
            return False
        if explicit:
            return True
        role = self._role(key)
        return role == "admin" or (
            role == "member" and self.group_data["libraryEditing"] == "members"
        )

    # --- schema endpoints (pyzotero's check_items / item_template) ---------------------------
    def _schema(self, parts: list[str], req: LoggedRequest) -> Reply:
        if parts == ["itemTypes"]:
            return json_reply([{"itemType": t, "localized": t} for t in ITEM_FIELDS])
        if parts == ["itemFields"]:
            names = dict.fromkeys(f for fields in ITEM_FIELDS.values() for f in fields)
            return json_reply([{"field": f, "localized": f} for f in names])
        if parts == ["creatorFields"]:
            return json_reply(
                [{"field": f, "localized": f} for f in ("firstName", "lastName", "name")]
            )
        if parts == ["items", "new"]:
            kind = req.query.get("itemType")
            if not kind:
                return error(400, "'itemType' not provided")
            if kind not in ITEM_FIELDS:
                return error(400, f"Invalid item type '{kind}'")
            fields = ITEM_FIELDS[kind]
            template: dict[str, Any] = {"itemType": kind, fields[0]: ""}
            template["creators"] = [
                {"creatorType": CREATOR_TYPES[kind][0], "firstName": "", "lastName": ""}
            ]
            template.update({f: "" for f in fields[1:]})
            template.update({"tags": [], "collections": [], "relations": {}})
            return json_reply(template)
        return error(404, "Not found")

    # --- writes (used by the routes) ---------------------------------------------------------
    def _write_objects(self, kind: str, objects: list[Any], *, header: bool) -> dict[str, Any]:
        report: dict[str, dict[str, Any]] = {
            "successful": {},
            "success": {},
            "unchanged": {},
            "failed": {},
        }
        with self._lock:
            crash, self._crash = self._crash, None
        for i, obj in enumerate(objects):
            if crash is not None and i == crash:
                raise _Crash
            before = self.version
            self.version += 1  # each object commits in its own transaction
            try:
                with self._lock:
                    forced = self._object_faults.pop((kind, i), None)
                if forced:
                    raise _ObjectError(*forced)
                outcome, value = write_one(self, kind, obj, header=header)
            except _ObjectError as exc:
                self.version = before  # the failed object's bump is rolled back
                report["failed"][str(i)] = {"code": exc.code, "message": php_escape(exc.message)}
                continue
            if outcome == "unchanged":
                report["unchanged"][str(i)] = value
            else:
                report["successful"][str(i)] = value
                report["success"][str(i)] = value["key"]
        return report

    def link_query(self, params: dict[str, str]) -> str:
        return urlencode(sorted(params.items()))


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
}  # fmt: skip
CREATOR_TYPES: dict[str, tuple[str, ...]] = {
    "preprint": ("author", "contributor", "editor", "translator", "reviewedAuthor"),
    "journalArticle": ("author", "contributor", "editor", "translator", "reviewedAuthor"),
    "conferencePaper": ("author", "contributor", "editor", "translator", "seriesEditor"),
    "bookSection": ("author", "bookAuthor", "contributor", "editor", "seriesEditor", "translator"),
    "blogPost": ("author", "commenter", "contributor", "translator"),
    "webpage": ("author", "contributor", "translator"),
    "document": ("author", "contributor", "editor", "reviewedAuthor", "translator"),
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


# --- library routes ------------------------------------------------------------------------------


def route_library(fake: FakeZotero, req: LoggedRequest, rest: list[str]) -> Reply:
    method = req.method
    if not rest and method in ("GET", "HEAD"):
        data = {**fake.group_data, "version": fake.version}
        return json_reply({"id": fake.group, "version": fake.version, "data": data})
    head, tail = (rest[0], rest[1:]) if rest else ("", [])
    if head == "deleted" and method == "GET":
        return _deleted(fake, req)
    if head == "tags" and method in ("GET", "HEAD"):
        return _read_tags(fake, req)
    if head not in ("items", "collections"):
        return error(404, "Not found")
    if tail and tail[0] not in ("top", "trash") and not KEY_RE.match(tail[0]):
        return error(404, "Not found")
    if method in ("GET", "HEAD") and head == "collections" and len(tail) >= 2:
        if tail[0] not in fake.collections:
            return error(404, "Collection not found")
        if tail[1:] in (["items"], ["items", "top"]):
            return _read(fake, req, "items", tail[2:], scope=tail[0])
        if tail[1:] == ["collections"]:
            return _read(fake, req, "collections", [], scope=tail[0])
        return error(404, "Not found")
    if method in ("GET", "HEAD"):
        return _read(fake, req, head, tail)
    if method == "POST" and not tail:
        return _post(fake, req, head)
    if method == "PATCH" and len(tail) == 1:
        return _patch(fake, req, head, tail[0])
    if method == "DELETE":
        return _delete(fake, req, head, tail)
    return error(405, "Method not allowed")


def _library_precondition(fake: FakeZotero, req: LoggedRequest) -> Reply | None:
    value = req.headers.get("if-unmodified-since-version")
    if value is None:
        return None
    if not value.isdigit():
        return error(400, "Invalid If-Unmodified-Since-Version value")
    if fake.version > int(value):
        return error(
            412,
            f"Library has been modified since specified version (expected {value}, found {fake.version})",  # noqa: E501
        )
    return None


def _post(fake: FakeZotero, req: LoggedRequest, kind: str) -> Reply:
    problem = _library_precondition(fake, req)
    if problem:
        return problem
    if not req.body:
        return error(400, "POST data not provided")
    try:
        objects = json.loads(req.body)
    except ValueError:
        return error(400, "JSON Error: Syntax error, malformed JSON")
    if not isinstance(objects, list):
        return error(400, "Uploaded data must be a JSON array")
    if len(objects) > MAX_WRITE:
        return error(413, f"Cannot add more than {MAX_WRITE} {kind} at a time")
    header = "if-unmodified-since-version" in req.headers
    try:
        report = fake._write_objects(kind, objects, header=header)
    except _Crash:
        return error(500, "An error occurred")
    return json_reply(report, headers=[("Last-Modified-Version", str(fake.version))])


def _patch(fake: FakeZotero, req: LoggedRequest, kind: str, key: str) -> Reply:
    store = fake.items if kind == "items" else fake.collections
    try:
        body = json.loads(req.body or b"null")
    except ValueError:
        return error(400, "JSON Error: Syntax error, malformed JSON")
    if not isinstance(body, dict):
        return error(400, "PATCH data not provided")
    header = req.headers.get("if-unmodified-since-version")
    given = header if header is not None else body.get("version")
    if header is not None and "version" in body and str(body["version"]) != header:
        return error(
            400,
            f"If-Unmodified-Since-Version value does not match JSON 'version' property ({header} != {body['version']})",  # noqa: E501
        )
    noun = "Item" if kind == "items" else "Collection"
    if key not in store:
        if given is None:
            return error(
                404,
                f"{noun} not found (to create, use If-Unmodified-Since-Version: 0, JSON 'version' 0, or PUT method)",  # noqa: E501
            )
        if int(given) > 0:
            return error(412, f"{noun} not found (expected version {given})")
    elif given is None:
        return error(
            428,
            "Either If-Unmodified-Since-Version or object version property must be provided for key-based writes",  # noqa: E501
        )
    elif store[key]["version"] > int(given):
        return Reply(412, php_escape(f"{noun} has been modified since specified version (expected {given}, found {store[key]['version']})").encode(),  # noqa: E501
                     [("Content-Type", "text/html; charset=UTF-8"), ("Last-Modified-Version", str(store[key]["version"]))])  # fmt: skip  # noqa: E501
    report = fake._write_objects(
        kind, [{**body, "key": key, "version": int(given or 0)}], header=False
    )
    if report["failed"]:
        failure = report["failed"]["0"]
        return Reply(
            failure["code"],
            failure["message"].encode(),
            [("Content-Type", "text/html; charset=UTF-8")],
        )
    return Reply(204, b"", [("Last-Modified-Version", str(fake.version))])


def _delete(fake: FakeZotero, req: LoggedRequest, kind: str, tail: list[str]) -> Reply:
    store = fake.items if kind == "items" else fake.collections
    header = req.headers.get("if-unmodified-since-version")
    if tail:
        key = tail[0]
        if header is None:
            return error(428, "If-Unmodified-Since-Version must be provided for delete requests")
        if key not in store:
            return error(412, f"Item not found (expected version {header})")
        if store[key]["version"] > int(header):
            return error(
                412,
                f"Item has been modified since specified version (expected {header}, found {store[key]['version']})",  # noqa: E501
            )
        keys = [key]
    else:
        problem = _library_precondition(fake, req)
        if problem:
            return problem
        param = "itemKey" if kind == "items" else "collectionKey"
        keys = [k for k in req.query.get(param, "").split(",") if KEY_RE.match(k)]
    fake.version += 1
    for key in keys:
        if store.pop(key, None) is not None:
            fake.deleted_log.append((kind, key, fake.version))
            if kind == "collections":
                for item in fake.items.values():  # memberships go without a version bump
                    item["collections"] = [c for c in item.get("collections", []) if c != key]
    return Reply(204, b"", [("Last-Modified-Version", str(fake.version))])


def _deleted(fake: FakeZotero, req: LoggedRequest) -> Reply:
    since = req.query.get("since")
    if since is None:
        return error(400, "'since' parameter must be provided")
    if not since.isdigit():
        return error(400, "Invalid value for 'since' parameter")
    body: dict[str, list[str]] = {
        "collections": [],
        "items": [],
        "searches": [],
        "tags": [],
        "settings": [],
    }
    for kind, key, version in fake.deleted_log:
        if version > int(since):
            body[kind].append(key)
    return json_reply(body, headers=[("Last-Modified-Version", str(fake.version))])


# --- one object of a write -----------------------------------------------------------------------


def write_one(fake: FakeZotero, kind: str, obj: Any, *, header: bool) -> tuple[str, Any]:
    noun = "Item" if kind == "items" else "Collection"
    if not isinstance(obj, dict):
        raise _ObjectError(
            400, f"Invalid value for index in uploaded data; expected JSON {noun.lower()} object"
        )
    if isinstance(obj.get("data"), dict):
        obj = obj["data"]
    for old, new in V2_NAMES.items():
        if old in obj:
            raise _ObjectError(400, f"'{old}' property is now '{new}'")
    store = fake.items if kind == "items" else fake.collections
    key, version = obj.get("key"), obj.get("version")
    if version is not None and key is None:
        raise _ObjectError(400, "'version' is valid only if item key is provided")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise _ObjectError(400, "'version' must be an integer")
    if key is not None:
        if not isinstance(key, str):
            raise _ObjectError(400, "'key' must be a string")
        if not KEY_RE.match(key):
            raise _ObjectError(400, f"'{key}' is not a valid {noun.lower()} key")
    exists = key in store
    if key is not None and version is None and not header:
        raise _ObjectError(
            428,
            "Either If-Unmodified-Since-Version or 'version' property must be provided for 'key'-based writes",  # noqa: E501
        )
    if version is not None:
        if exists and store[key]["version"] > version:
            raise _ObjectError(
                412,
                f"{noun} has been modified since specified version (expected {version}, found {store[key]['version']})",  # noqa: E501
            )
        if not exists and version > 0:
            raise _ObjectError(
                404, f"{noun} doesn't exist (expected version {version}; use 0 instead)"
            )
    if key is None:
        key = _new_key(fake)
    current = store.get(key)
    data = (_item if kind == "items" else _collection)(fake, obj, current)
    if current is not None and all(current.get(k) == v for k, v in data.items()):
        return "unchanged", key
    data.update(key=key, version=fake.version)
    data["dateModified"] = _stamp(fake.version)
    if kind == "items":
        data.setdefault("dateAdded", current["dateAdded"] if current else _stamp(fake.version))
    merged = {**(current or {}), **data}
    store[key] = merged
    return "successful", _render(fake, kind, merged)


def _new_key(fake: FakeZotero) -> str:
    import random

    while True:
        key = "".join(random.choice("23456789ABCDEFGHIJKLMNPQRSTUVWXYZ") for _ in range(8))
        if key not in fake.items and key not in fake.collections:
            return key


def _item(fake: FakeZotero, obj: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """The validated changes an item write makes (PATCH semantics on an existing item)."""
    kind = obj.get("itemType", current["itemType"] if current else None)
    if kind is None:
        raise _ObjectError(400, "'itemType' property not provided")
    if kind not in ITEM_FIELDS:
        raise _ObjectError(400, f"'{kind}' is not a valid itemType")
    out: dict[str, Any] = {}
    if current is not None and kind != current["itemType"]:
        # Changing the type keeps fields valid for the new type and drops the rest.
        for field in list(current):
            if field in ALL_FIELDS and field not in ITEM_FIELDS[kind]:
                out[field] = ""
    out["itemType"] = kind
    for name, value in obj.items():
        if name in ("key", "version", "itemType"):
            continue
        if name not in ITEM_PROPS and name not in ALL_FIELDS:
            raise _ObjectError(400, f"Invalid property '{name}'")
        if name in ALL_FIELDS:
            if isinstance(value, (list, dict)):
                raise _ObjectError(400, f"Unexpected array for property '{name}'")
            text = _clean("" if value is None else str(value))
            if text and name not in ITEM_FIELDS[kind]:
                raise _ObjectError(400, f"'{name}' is not a valid field for type '{kind}'")
            if len(text.encode("utf-8")) > 65535:
                raise _ObjectError(413, f"{name} field value '{text[:50]}…' too long")
            if name in ITEM_FIELDS[kind]:
                out[name] = text
        elif name == "creators":
            out["creators"] = _creators(kind, value)
        elif name == "tags":
            out["tags"] = _tags(value)
        elif name == "collections":
            if not isinstance(value, list):
                raise _ObjectError(400, "'collections' property must be an array")
            for ckey in value:
                if not isinstance(ckey, str) or not KEY_RE.match(ckey):
                    raise _ObjectError(400, f"'{ckey}' is not a valid collection key")
                if ckey not in fake.collections:
                    raise _ObjectError(409, f"Collection {ckey} not found")
            out["collections"] = list(dict.fromkeys(value))
        elif name == "deleted":
            out["deleted"] = 1 if value in (1, True, "1") else 0
        elif name == "relations":
            out["relations"] = value or {}
    if current is None:
        out.setdefault("creators", [])
        out.setdefault("tags", [])
        out.setdefault("collections", [])
        out.setdefault("relations", {})
        for field in ITEM_FIELDS[kind]:
            out.setdefault(field, "")
    if out.get("deleted") == 0:
        out.pop("deleted")
        if current is not None and current.get("deleted"):
            out["deleted"] = None
    return out


def _creators(kind: str, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _ObjectError(400, "'creators' property must be an array")
    result = []
    for creator in value:
        if not isinstance(creator, dict):
            raise _ObjectError(400, "Creator must be an object")
        ctype = creator.get("creatorType", "")
        if ctype not in CREATOR_TYPES[kind]:
            raise _ObjectError(400, f"'{ctype}' is not a valid creator type for item type '{kind}'")
        if "name" in creator and ("firstName" in creator or "lastName" in creator):
            raise _ObjectError(400, "Creator 'name' cannot be used with 'firstName' or 'lastName'")
        if "name" in creator:
            name = _clean(str(creator["name"])).strip()
            if not name:
                break  # the server stops at an empty creator: it and all later ones are dropped
            entry = {"creatorType": ctype, "name": name}
        else:
            first = _clean(str(creator.get("firstName", ""))).strip()
            last = _clean(str(creator.get("lastName", ""))).strip()
            if not first and not last:
                break
            entry = {"creatorType": ctype, "firstName": first, "lastName": last}
        if any(len(v) > 255 for k, v in entry.items() if k != "creatorType"):
            raise _ObjectError(413, "The creator name is too long to sync")
        result.append(entry)
    return result


def _tags(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _ObjectError(400, "'tags' property must be an array")
    result: list[dict[str, Any]] = []
    for tag in value:
        if not isinstance(tag, dict):
            raise _ObjectError(400, "Tag must be an object")
        for name in tag:
            if name not in ("tag", "type"):
                raise _ObjectError(400, f"Invalid tag property '{name}'")
        if "tag" not in tag:
            raise _ObjectError(400, "Tag object is empty")
        text = _clean(str(tag["tag"])).strip()
        if not text:
            continue
        if len(text) > 255:
            raise _ObjectError(413, f"Tag '{text[:50]}…' too long")
        entry: dict[str, Any] = {"tag": text}
        if int(tag.get("type", 0)):
            entry["type"] = int(tag["type"])
        if entry not in result:
            result.append(entry)
    return result


def _collection(
    fake: FakeZotero, obj: dict[str, Any], current: dict[str, Any] | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in obj:
        if name not in COLLECTION_PROPS:
            raise _ObjectError(400, f"Invalid property '{name}'")
    if "name" in obj or current is None:
        name = obj.get("name")
        if not isinstance(name, str):
            raise _ObjectError(
                400,
                "'name' must be a string"
                if name is not None
                else "Collection name cannot be empty",
            )
        name = _clean(name).strip()
        if not name:
            raise _ObjectError(400, "Collection name cannot be empty")
        if len(name) > 255:
            raise _ObjectError(413, f"Collection name '{name[:50]}…' too long")
        out["name"] = name
    if "parentCollection" in obj or current is None:
        parent = obj.get("parentCollection") or False
        if parent and parent not in fake.collections:
            raise _ObjectError(409, f"Parent collection {parent} not found")
        out["parentCollection"] = parent
    out["relations"] = obj.get("relations") or (current or {}).get("relations", {})
    return out


# --- reads ---------------------------------------------------------------------------------------


def _render(fake: FakeZotero, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    base = fake.root
    library = {"type": "group", "id": fake.group, "name": fake.group_data["name"],
               "links": {"alternate": {"href": f"https://www.zotero.org/groups/{fake.group}", "type": "text/html"}}}  # fmt: skip  # noqa: E501
    clean = {k: v for k, v in data.items() if v is not None}
    links = {
        "self": {
            "href": f"{base}/groups/{fake.group}/{kind}/{data['key']}",
            "type": "application/json",
        }
    }
    if kind == "collections":
        meta = {
            "numCollections": sum(
                1 for c in fake.collections.values() if c.get("parentCollection") == data["key"]
            ),
            "numItems": sum(
                1
                for i in fake.items.values()
                if data["key"] in i.get("collections", []) and not i.get("deleted")
            ),
        }
        body = {
            k: clean[k]
            for k in ("key", "version", "name", "parentCollection", "relations")
            if k in clean
        }
    else:
        names = [c.get("lastName") or c.get("name", "") for c in clean.get("creators", [])]
        summary = (
            names[0]
            if len(names) == 1
            else " and ".join(names)
            if len(names) == 2
            else f"{names[0]} et al."
            if names
            else ""
        )
        meta = {
            "createdByUser": {"id": fake.USER, "username": "zuser", "name": ""},
            "numChildren": 0,
        }
        if summary:
            meta["creatorSummary"] = summary
        body = clean
    return {
        "key": data["key"],
        "version": data["version"],
        "library": library,
        "links": links,
        "meta": meta,
        "data": body,
    }


def _selected(
    fake: FakeZotero, req: LoggedRequest, kind: str, tail: list[str]
) -> list[dict[str, Any]] | Reply:
    q = req.query
    trashed = q.get("includeTrashed") == "1"
    if kind == "items":
        objects = list(fake.items.values())
        if tail[:1] == ["top"]:
            objects = [o for o in objects if not o.get("parentItem")]
        if tail[:1] == ["trash"]:
            objects, trashed = [o for o in objects if o.get("deleted")], True
        if not trashed:
            objects = [o for o in objects if not o.get("deleted")]
        keys = q.get("itemKey")
    else:
        objects = list(fake.collections.values())
        if tail[:1] == ["top"]:
            objects = [o for o in objects if not o.get("parentCollection")]
        keys = q.get("collectionKey")
    if keys is not None:
        wanted = {k for k in keys.split(",") if KEY_RE.match(k)}  # invalid keys are dropped
        objects = [o for o in objects if o["key"] in wanted]
    if "since" in q:
        if not q["since"].isdigit():
            return error(400, "Invalid value for 'since' parameter")
        objects = [o for o in objects if o["version"] > int(q["since"])]
    if "itemType" in q and kind == "items":
        wanted_types = [t.strip() for t in q["itemType"].split("||")]
        negated = {t[1:] for t in wanted_types if t.startswith("-")}
        positive = {t for t in wanted_types if not t.startswith("-")}
        objects = [
            o
            for o in objects
            if o["itemType"] not in negated and (not positive or o["itemType"] in positive)
        ]
    if "tag" in q and kind == "items":
        objects = [
            o
            for o in objects
            if q["tag"].casefold() in {t["tag"].casefold() for t in o.get("tags", [])}
        ]
    if "q" in q:
        words = q["q"].casefold().split()

        def hit(o: dict[str, Any]) -> bool:
            text = " ".join(
                [
                    str(o.get("title", o.get("name", ""))),
                    *(
                        f"{c.get('firstName', '')} {c.get('lastName', c.get('name', ''))}"
                        for c in o.get("creators", [])
                    ),
                ]
            ).casefold()
            return all(w in text or w == str(o.get("date", ""))[:4] for w in words)

        objects = [o for o in objects if hit(o)]
    sort = q.get("sort", "dateModified")
    if sort not in ("dateModified", "dateAdded", "title"):
        return error(400, f"Invalid 'sort' value '{sort}'")
    direction = q.get("direction", "desc" if sort.startswith("date") else "asc")
    objects.sort(
        key=lambda o: (str(o.get(sort, o.get("name", ""))), o["version"], o["key"]),
        reverse=direction == "desc",
    )
    return objects


def _read(
    fake: FakeZotero, req: LoggedRequest, kind: str, tail: list[str], scope: str = ""
) -> Reply:
    version_header = [("Last-Modified-Version", str(fake.version))]
    if len(tail) == 1 and KEY_RE.match(tail[0]):
        store = fake.items if kind == "items" else fake.collections
        if tail[0] not in store:
            return error(404, "Not found")
        obj = store[tail[0]]
        return json_reply(
            _render(fake, kind, obj), headers=[("Last-Modified-Version", str(obj["version"]))]
        )
    since_header = req.headers.get("if-modified-since-version")
    if since_header is not None and since_header.isdigit() and fake.version <= int(since_header):
        return Reply(304, b"", version_header)
    selected = _selected(fake, req, kind, tail)
    if isinstance(selected, Reply):
        return selected
    if scope and kind == "items":
        # The collection's items (plus their children, which the fake never holds).
        selected = [o for o in selected if scope in o.get("collections", [])]
    elif scope:
        selected = [o for o in selected if o.get("parentCollection") == scope]
    fmt = req.query.get("format", "json")
    total = [("Total-Results", str(len(selected)))]
    if fmt == "versions":
        return json_reply(
            {o["key"]: o["version"] for o in selected}, headers=version_header + total
        )
    if fmt == "keys":
        body = "".join(o["key"] + "\n" for o in selected)
        return Reply(200, body.encode(), [("Content-Type", "text/plain"), *version_header, *total])
    if fmt != "json":
        return error(400, f"Invalid 'format' value '{fmt}'")
    page, links = _page(fake, req, selected)
    return json_reply(
        [_render(fake, kind, o) for o in page], headers=version_header + total + links
    )


def _page(
    fake: FakeZotero, req: LoggedRequest, objects: list[Any]
) -> tuple[list[Any], list[tuple[str, str]]]:
    q = req.query
    limit = int(q["limit"]) if q.get("limit", "").isdigit() and int(q["limit"]) > 0 else 25
    if "itemKey" in q or "collectionKey" in q:
        limit = 100
    limit = min(limit, 100)  # larger limits are clamped silently
    start = int(q["start"]) if q.get("start", "").isdigit() else 0
    total = len(objects)
    defaults = {"format": "json", "locale": "en-US", "limit": "25", "start": "0"}
    params = {k: v for k, v in q.items() if defaults.get(k) != v and k not in ("key", "start")}

    def url(at: int) -> str:
        query = {**params, **({"start": str(at)} if at > 0 else {})}
        return f"{fake.root}{req.path}" + (f"?{fake.link_query(query)}" if query else "")

    links = []
    if start > 0:
        links.append(f'<{url(0)}>; rel="first"')
        links.append(f'<{url(max(0, start - limit))}>; rel="prev"')
    if start + limit < total:
        links.append(f'<{url(start + limit)}>; rel="next"')
        last = total - (total % limit) if total % limit else total - limit
        links.append(f'<{url(last)}>; rel="last"')
    links.append(f'<https://www.zotero.org/groups/{fake.group}/items>; rel="alternate"')
    return objects[start : start + limit], [("Link", ", ".join(links))]


def _read_tags(fake: FakeZotero, req: LoggedRequest) -> Reply:
    counts: dict[tuple[str, int], int] = {}
    for item in fake.items.values():
        if not item.get("deleted"):
            for tag in item.get("tags", []):
                key = (tag["tag"], int(tag.get("type", 0)))
                counts[key] = counts.get(key, 0) + 1
    tags = [
        {"tag": t, "links": {}, "meta": {"type": kind, "numItems": n}}
        for (t, kind), n in sorted(counts.items())
    ]
    page, links = _page(fake, req, tags)
    headers = [
        ("Last-Modified-Version", str(fake.version)),
        ("Total-Results", str(len(tags))),
        *links,
    ]
    return json_reply(page, headers=headers)


# --- references for sync tests -------------------------------------------------------------------


def reference(
    key: str,
    *,
    title: str = "",
    doi: str | None = None,
    arxiv: str | None = None,
    topics: tuple[tuple[str, ...], ...] = (("Papers",),),
    tags: tuple[str, ...] = (),
    venue: str | None = None,
    kind: str = "published",
) -> Any:
    """A resolved `Reference` as `pipeline.prepare` makes it (real-looking, made up in tests)."""
    from list2bib.model import ListEntry, Person, Record, Reference, Status, WorkKind

    work_kind = WorkKind(kind)
    record = Record(
        source="doi" if doi else "arxiv",
        entry_type="inproceedings" if doi else "misc",
        title=title or f"A study of {key}",
        authors=(Person("Meng", "Kevin"), Person("Bau", "David")),
        year="2022",
        month=2,
        doi=doi or (f"10.48550/arXiv.{arxiv}" if arxiv else None),
        arxiv_id=arxiv,
        url=f"https://arxiv.org/abs/{arxiv}"
        if arxiv
        else (f"https://doi.org/{doi}" if doi else None),
        venue={"booktitle": "Advances in Neural Information Processing Systems"} if doi else {},
        kind=work_kind if doi or work_kind is not WorkKind.PUBLISHED else WorkKind.PREPRINT,
    )
    entries = tuple(
        ListEntry("papers.md", n + 1, topic, record.title, tags=tags, venue_hint=venue)
        for n, topic in enumerate(topics)
    )
    return Reference(key, record, entries, Status.RESOLVED)
