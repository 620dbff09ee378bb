"""Which web addresses are public: a host written as a loopback, private, link-local, multicast
or reserved IP address (in any numeric form a resolver accepts) or named `localhost` is not."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names every resolver maps to this machine, whatever DNS says (RFC 6761).
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def address_kind(ip: IPAddress) -> str | None:
    """What makes `ip` not a public address ("loopback", "private", ...), or None if it is one."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:  # ::ffff:127.0.0.1 reaches 127.0.0.1
            return address_kind(embedded)
    for kind, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("reserved", not ip.is_global),
    ):
        if flag:
            return kind
    return None


def literal_address(host: str) -> IPAddress | None:
    """`host` as an IP address when it is written as one: dotted, decimal (`2130706433`), hex or
    octal (`0x7f.1`), short (`127.1`) IPv4, or IPv6 with or without brackets."""
    host = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not host or not all(c.isalnum() or c == "." for c in host):
        return None
    try:  # the forms inet_aton accepts are the ones a resolver turns into an address
        return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except (OSError, ValueError):
        return None


def host_refusal(host: str) -> str | None:
    """Why a link to `host` is not fetched ("127.0.0.1 is a loopback address"), judged from the
    name alone, or None when only resolving it can tell."""
    name = host.strip().rstrip(".").lower()
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return f"{host} is this machine"
    ip = literal_address(name)
    if ip is None:
        return None
    kind = address_kind(ip)
    return f"{host} is {a_kind(kind)} address" if kind else None


def a_kind(kind: str) -> str:
    """`kind` with its article: "a private", "an unspecified"."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def url_refusal(url: str) -> str | None:
    """`host_refusal` for the host of `url` (None when the URL has no host)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host_refusal(host) if host else None
