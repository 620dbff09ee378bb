"""A list link whose host name only resolving shows to be private (an intranet wiki, a name a
stranger pointed at 10.x) is a finding on the list, like a link written as 127.0.0.1: not asked,
named with the address it resolves to, its entry written as the list gives it."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.bibtex.parse import read_entries

PRIVATE = {"wiki.intranet.example": "10.1.2.3", "notes.corp.example": "fd00::7"}


def test_a_link_to_a_name_that_resolves_to_a_private_address_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = socket.getaddrinfo  # the suite's own: it refuses every non-local name

    def resolving(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        address = PRIVATE.get(str(host))
        if address is None:
            return checked(host, port, *args, **kwargs)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    listed = tmp_path / "list.md"
    listed.write_text(
        "# Papers\n\n- [Wiki Notes On Probing](http://wiki.intranet.example/probing)\n"
        "- [Corp Notes On Steering](https://notes.corp.example/steering)\n",
        encoding="utf-8",
    )
    with FakeServices(World.load()) as services:
        config = services.config(tmp_path)
        direct = replace(config.services["page"], base_url="")  # each page from its own site
        config = replace(config, services={**config.services, "page": direct})
        result = pipeline.build([listed], config, clock=FakeClock())
        assert not services.web.requests
    findings = {f for ref in result.references for f in ref.lint}
    assert findings == {
        f"{listed}:3: http://wiki.intranet.example/probing is not fetched"
        " (wiki.intranet.example resolves to 10.1.2.3, a private address)",
        f"{listed}:4: https://notes.corp.example/steering is not fetched"
        " (notes.corp.example resolves to fd00::7, a private address)",
    }
    assert len(read_entries(config.output)) == 2  # both entries stay, as the list gives them
    assert not result.incomplete  # asking again later cannot help: not a partial run
