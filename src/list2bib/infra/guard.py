"""Public web addresses only: a request (and every redirect hop) to a host that is, or resolves
to, a loopback, private, link-local, multicast or reserved address is refused before it is sent,
unless the host is one the configuration names as a service (a self-hosted mirror)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection, Iterable
from urllib.parse import urlsplit

import requests

from list2bib.text.addresses import a_kind, address_kind, host_refusal

_DEFAULT_PORTS = {"http": 80, "https": 443}


class AddressRefused(requests.RequestException):
    """A request to a non-public address that no configured service names: not sent.
    `reason` says which address ("intranet.example resolves to 10.0.0.5, a private address")."""

    def __init__(self, reason: str) -> None:
        super().__init__(_refused(reason))
        self.reason = reason


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to; none when it does not resolve (the connection attempt
    then fails with the resolver's own message)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def endpoint(url: str) -> str:
    """`host:port` of `url`, the port filled in from the scheme: what a trusted host is."""
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    except ValueError:
        port = 0
    return f"{(parts.hostname or '').lower()}:{port}"


class PublicOnly:
    """Checks a URL before it is sent; `trusted` are `endpoint`s of configured service URLs,
    `allow_private` lets every address through (a switch the user sets for an intranet)."""

    def __init__(
        self,
        trusted: Iterable[str] = (),
        *,
        allow_private: bool = False,
        resolve: Callable[[str, int], Collection[str]] = resolve_host,
    ) -> None:
        self._trusted = frozenset(trusted)
        self._allow_private = allow_private
        self._resolve = resolve

    def check(self, url: str) -> None:
        """Raise AddressRefused when `url` must not be asked."""
        if self._allow_private or endpoint(url) in self._trusted:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        reason = host_refusal(host)
        if reason is None:
            host_port = endpoint(url).rpartition(":")
            for address in self._resolve(host, int(host_port[2] or 0)):
                kind = address_kind(ipaddress.ip_address(address.split("%")[0]))
                if kind is not None:
                    reason = f"{host} resolves to {address}, {a_kind(kind)} address"
                    break
        if reason is not None:
            raise AddressRefused(reason)

    def check_peer(self, host: str, port: int, address: str) -> str | None:
        """Why a connection to `host` that reached `address` must be dropped before anything is
        sent (a name that resolved to a public address when checked and to this machine when
        connecting: DNS rebinding), or None."""
        if self._allow_private or f"{host.lower()}:{port}" in self._trusted:
            return None
        kind = address_kind(ipaddress.ip_address(address.split("%")[0]))
        if kind is None:
            return None
        return f"{host} connected to {address}, {a_kind(kind)} address"


def _refused(reason: str) -> str:
    return (
        f"{reason}: not asked (only public web addresses are; name a self-hosted service as its"
        " base_url, or set [network] allow_private_addresses)"
    )
