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
import re
import sys
import threading
import time
from typing import Any, Self
from urllib.parse import urlencode

from fakes.base import FakeServer, LoggedRequest, Reply, _Handler, _Server
from fakes.zotero_schema import (
    CREATOR_TYPES,
    ITEM_FIELDS,
    SCHEMA_VERSION,
    LostReply,
    _Crash,
    _ObjectError,
    error,
    json_reply,
    php_escape,
)
from fakes.zotero_writes import route_library, write_one

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
    # Another member of the group, editing in their own client with their own key.
    MEMBER = "MEMBERkey0123456789ABCDE"
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
        self.add_key(self.MEMBER, {str(group): {"library": True, "write": True}}, user=778)

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

    @property
    def top_items(self) -> dict[str, dict[str, Any]]:
        """The items that are no child (attachment or note) of another."""
        return {k: d for k, d in self.items.items() if not d.get("parentItem")}

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
