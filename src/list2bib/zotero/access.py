"""Can the API key write to the group? Read from `/keys/current` and, for an "all groups" grant,
the group's own editing rule (a key may say `write` while the group lets only admins edit)."""

from __future__ import annotations

from dataclasses import dataclass

from list2bib.errors import ZoteroAccessError
from list2bib.zotero.client import ZoteroClient

KEYS_PAGE = "https://www.zotero.org/settings/keys"


@dataclass(frozen=True, slots=True)
class Access:
    read: bool
    write: bool
    problem: str = ""


def check_access(client: ZoteroClient) -> Access:
    """What the key may do in the client's group, and, when it cannot write, exactly why."""
    group = client.group
    try:
        info = client.key_info()
    except ZoteroAccessError:
        info = None  # 403 "Invalid key"
    if info is None:
        return Access(
            False,
            False,
            f"Zotero does not know this API key (revoked or mistyped); create one at {KEYS_PAGE}",
        )
    groups = info.get("access", {}).get("groups", {})
    explicit = groups.get(group)
    everything = groups.get("all")
    if explicit is None and everything is None:
        return Access(
            False,
            False,
            f"the key has no access to group {group}; at {KEYS_PAGE} edit the key and give it"
            " Read/Write access to this group",
        )
    grant = explicit if explicit is not None else everything or {}
    read, write = bool(grant.get("library")), bool(grant.get("write"))
    if not read:
        return Access(
            False, False, f"the key may not read group {group}; allow Read/Write at {KEYS_PAGE}"
        )
    if not write:
        return Access(
            True,
            False,
            f"the key may read group {group} but not write to it; allow Read/Write at {KEYS_PAGE}",
        )
    if explicit is not None:
        return Access(True, True)
    # An "all groups" write grant holds only where the user's role may edit the library.
    data = client.group_info().get("data", {})
    user = info.get("userID")
    admins = {data.get("owner"), *data.get("admins", [])}
    if user in admins:
        return Access(True, True)
    if user in data.get("members", []) and data.get("libraryEditing") == "members":
        return Access(True, True)
    return Access(
        True,
        False,
        f"group {group} lets only its admins edit the library and this key's user is not one;"
        " ask an admin to allow editing by all members, or use an admin's key",
    )


def require_write(client: ZoteroClient) -> None:
    """Stop before the first write when the key cannot write to the group."""
    access = check_access(client)
    if not access.write:
        raise ZoteroAccessError(f"zotero: cannot write to group {client.group}: {access.problem}")
