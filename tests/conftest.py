"""Shared fixtures: no test may reach the network, and none may touch the user's real cache."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeClock, FakeServices, World, make_http
from list2bib.infra.http import Http

_LOOPBACK = ("127.", "::1", "localhost")


def _is_loopback(address: Any) -> bool:
    if isinstance(address, (str, bytes)) and not isinstance(address, tuple):
        return True  # AF_UNIX socket paths
    host = str(address[0])
    return host.startswith(_LOOPBACK)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address fails the test that made it."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not str(host).startswith(_LOOPBACK):
            raise AssertionError(f"test tried to resolve a network host: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A private cache folder and no LIST2BIB_* settings from the developer's shell."""
    import os

    for name in list(os.environ):
        if name.startswith("LIST2BIB_"):
            monkeypatch.delenv(name)
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("LIST2BIB_CACHE_DIR", str(cache))
    yield cache


@pytest.fixture(scope="module")
def world() -> World:
    """The fixture world the fake services serve (tests/data/world.json)."""
    return World.load()


@pytest.fixture(scope="module")
def services(world: World) -> Iterator[FakeServices]:
    """Every fake service, serving the fixture world, for one test module (modules that need
    other settings define their own)."""
    with FakeServices(world) as running:
        yield running


@pytest.fixture
def fakes(services: FakeServices) -> Iterator[FakeServices]:
    """The module's fakes for one test: the faults, stalls and drips it set are cleared after."""
    yield services
    services.clear_faults()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def http(clock: FakeClock) -> Iterator[Http]:
    """An Http as the CLI builds it, on the fake clock, without a disk cache."""
    with make_http(clock=clock) as client:
        yield client
