"""The fake Zotero API's library routes and its writes: one object of a write at a time, checked
against the schema as the server checks it."""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any

from fakes.base import LoggedRequest, Reply
from fakes.zotero_children import ATTACHMENT_PROPS, child_props, children_of
from fakes.zotero_reads import _read, _read_tags, _render
from fakes.zotero_schema import (
    ALL_FIELDS,
    COLLECTION_PROPS,
    CREATOR_TYPES,
    ITEM_FIELDS,
    ITEM_PROPS,
    KEY_RE,
    MAX_WRITE,
    V2_NAMES,
    _clean,
    _Crash,
    _ObjectError,
    _stamp,
    error,
    json_reply,
    php_escape,
)

if TYPE_CHECKING:
    from fakes.zotero import FakeZotero


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
    if method in ("GET", "HEAD") and head == "items" and tail[1:] == ["children"]:
        if tail[0] not in fake.items:
            return error(404, "Not found")
        return _read(fake, req, "items", [], parent=tail[0])
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
    if kind == "items":
        keys = [*keys, *children_of(fake, keys)]
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
    out: dict[str, Any] = child_props(fake, kind, obj, current)
    if current is not None and kind != current["itemType"]:
        # Changing the type keeps fields valid for the new type and drops the rest.
        for field in list(current):
            if field in ALL_FIELDS and field not in ITEM_FIELDS[kind]:
                out[field] = ""
    out["itemType"] = kind
    for name, value in obj.items():
        if name in ("key", "version", "itemType", "parentItem", *ATTACHMENT_PROPS):
            continue  # checked and set by child_props
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
        if not out.get("parentItem"):
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
