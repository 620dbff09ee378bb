"""The fake Zotero API's reads: objects rendered as the server renders them, selection, paging
and tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakes.base import LoggedRequest, Reply
from fakes.zotero_schema import KEY_RE, error, json_reply

if TYPE_CHECKING:
    from fakes.zotero import FakeZotero


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
    fake: FakeZotero,
    req: LoggedRequest,
    kind: str,
    tail: list[str],
    scope: str = "",
    parent: str = "",
) -> Reply:
    """A multi-object read (or one object's); `scope`: a collection's, `parent`: an item's
    children."""
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
    if parent:
        selected = [o for o in selected if o.get("parentItem") == parent]
    elif scope and kind == "items":
        # The collection's items, plus their children (unless only top-level items were asked).
        members = {k for k, d in fake.items.items() if scope in d.get("collections", [])}
        selected = [o for o in selected if o["key"] in members or o.get("parentItem") in members]
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
