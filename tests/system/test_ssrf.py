"""A list from a stranger cannot make list2bib ask this machine or a private network: links to
127.0.0.1, localhost, 2130706433 or [::1], and a page that redirects to a local address, send the
local server no request; each such link is a finding on the list, and its entry stays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from fakes import FakeClock, FakeServer, FakeServices, LoggedRequest, Reply, World
from list2bib import pipeline
from list2bib.bibtex.parse import read_entries


class Trap(FakeServer):
    """A local server holding a secret; it must never be asked."""

    def handle(self, request: LoggedRequest) -> Reply:
        title = "<title>Secret Instance Credentials</title>"
        return Reply.text(200, f"<html><head>{title}</head></html>", "text/html")


@pytest.fixture
def fakes() -> Iterator[tuple[FakeServices, Trap]]:
    with FakeServices(World.load()) as services, Trap() as trap:
        yield services, trap


def _list(folder: Path, trap: Trap, redirecting: str) -> Path:
    port = trap.port
    links = [
        ("Loopback Notes", f"http://127.0.0.1:{port}/latest/meta-data/"),
        ("Local Name Notes", f"http://localhost:{port}/admin"),
        ("Decimal Host Notes", f"http://2130706433:{port}/x"),
        ("Bracketed Host Notes", f"http://[::1]:{port}/x"),
        ("Metadata Endpoint Notes", "http://169.254.169.254/latest/meta-data/iam/"),
        ("Redirecting Blog Notes", redirecting),
    ]
    path = folder / "list.md"
    path.write_text(
        "# Papers\n\n" + "".join(f"- [{title}]({url})\n" for title, url in links), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("mirror", [True, False], ids=["page-mirror", "pages-direct"])
def test_a_list_cannot_reach_local_addresses(
    fakes: tuple[FakeServices, Trap], tmp_path: Path, mirror: bool
) -> None:
    services, trap = fakes
    page_path = "/blog.example.org/2024/post"
    target = f"http://127.0.0.1:{trap.port}/latest/meta-data/"
    direct = services.web.add_page(page_path, status=302, location=target)
    config = services.config(tmp_path)
    if not mirror:  # pages asked at their own address: the HTTP session's guard decides
        pages = replace(config.services["page"], base_url="")
        config = replace(config, services={**config.services, "page": pages})
    redirecting = f"https:/{page_path}" if mirror else direct
    result = pipeline.build([_list(tmp_path, trap, redirecting)], config, clock=FakeClock())

    assert trap.requests == []
    assert not any("meta-data" in r.path or "admin" in r.path for r in services.web.requests)
    written = read_entries(config.output)
    assert len(written) == 6  # every entry stays, as the list gives it
    assert "Secret" not in config.output.read_text(encoding="utf-8")
    findings = {f for ref in result.references for f in ref.lint}
    for host in (f"127.0.0.1:{trap.port}", "localhost", "2130706433", "[::1]", "169.254.169.254"):
        assert any(host in f and "not fetched" in f for f in findings), host
    assert not result.incomplete  # asking again later cannot help: not a partial run


def test_a_page_that_cannot_be_asked_is_no_partial_run(
    fakes: tuple[FakeServices, Trap], tmp_path: Path
) -> None:
    """A redirect loop or a redirect to `file:` is the page's own fault: asking again later
    cannot help, so the entry is written as the list gives it and the run is not partial."""
    services, _ = fakes
    services.web.add_page("/loop.example.org/a", status=302, location="/loop.example.org/a")
    services.web.add_page("/trap.example.org/b", status=302, location="file:///etc/passwd")
    path = tmp_path / "list.md"
    path.write_text(
        "# Papers\n\n- [Looping Blog Notes](https://loop.example.org/a)\n"
        "- [Trapped Blog Notes](https://trap.example.org/b)\n",
        encoding="utf-8",
    )
    config = services.config(tmp_path)
    result = pipeline.build([path], config, clock=FakeClock())
    assert len(read_entries(config.output)) == 2
    assert not result.incomplete
