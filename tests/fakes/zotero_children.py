"""Child items in the fake Zotero: linked-URL (and other) attachments under a parent item, as the
dataserver checks them (parent exists and is a regular item, no collections, a valid link mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakes.zotero_schema import KEY_RE, _ObjectError

if TYPE_CHECKING:
    from fakes.zotero import FakeZotero

ATTACHMENT_PROPS = ("linkMode", "contentType", "charset", "filename", "md5", "mtime")
LINK_MODES = ("imported_file", "imported_url", "linked_file", "linked_url", "embedded_image")
CHILD_TYPES = ("attachment", "note")


def child_props(
    fake: FakeZotero, kind: str, obj: dict[str, Any], current: dict[str, Any] | None
) -> dict[str, Any]:
    """The parent and attachment properties a write sets (checked), for `_item` to store."""
    out: dict[str, Any] = {}
    for name in ATTACHMENT_PROPS:
        if name in obj and kind != "attachment":
            raise _ObjectError(400, f"Invalid property '{name}'")
    parent = obj.get("parentItem", (current or {}).get("parentItem"))
    if parent:
        if kind not in CHILD_TYPES:
            raise _ObjectError(400, "Only notes and attachments can be child items")
        if not isinstance(parent, str) or not KEY_RE.match(parent):
            raise _ObjectError(400, f"'{parent}' is not a valid item key")
        if parent not in fake.items:
            raise _ObjectError(409, f"Parent item {parent} not found")
        if fake.items[parent]["itemType"] in CHILD_TYPES:
            raise _ObjectError(409, "Parent item cannot be a note or attachment")
        if obj.get("collections"):
            raise _ObjectError(400, "Child items cannot be assigned to collections")
        out["parentItem"] = parent
    if kind == "attachment":
        mode = obj.get("linkMode", (current or {}).get("linkMode"))
        if mode is None:
            raise _ObjectError(400, "'linkMode' property not provided")
        if mode not in LINK_MODES:
            raise _ObjectError(400, f"Invalid linkMode '{mode}'")
        out["linkMode"] = mode
        for name in ATTACHMENT_PROPS[1:]:
            if name in obj or current is None:
                out[name] = str(obj.get(name) or "")
    return out


def children_of(fake: FakeZotero, keys: list[str]) -> list[str]:
    """Every child item of the items `keys` (deleting an item deletes its children too)."""
    return [k for k, d in fake.items.items() if d.get("parentItem") in set(keys)]
