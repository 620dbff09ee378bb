"""Only public addresses are asked: a request or redirect to a local or private address that no
configured service names is refused before anything is sent, and asking again cannot help."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes import FakeClock, FakeServer, LoggedRequest, Reply
from list2bib.config import Config
from list2bib.errors import NotAskable
from list2bib.infra.guard import AddressRefused, PublicOnly, endpoint
from list2bib.infra.http import Http, HttpSettings


class Site(FakeServer):
    """`/go` redirects to `target`; `/missing` answers 404; anything else 200."""

    def __init__(self) -> None:
        super().__init__()
        self.target = ""

    def handle(self, request: LoggedRequest) -> Reply:
        if request.path == "/go":
            return Reply(302, b"", [("Location", self.target)])
        if request.path == "/missing":
            return Reply.text(404, "Not Found")
        return Reply.text(200, "hello")


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    with Site() as service, Site() as trap:
        yield service, trap


def http_trusting(*urls: str, allow_private: bool = False) -> Http:
    settings = HttpSettings(
        user_agent=Config().user_agent,
        retries=3,
        trusted_urls=urls,
        allow_private=allow_private,
    )
    return Http(settings, clock=FakeClock())


def test_a_configured_service_is_asked_and_nothing_else(sites: tuple[Site, Site]) -> None:
    service, trap = sites
    with http_trusting(service.base_url + "/api") as http:
        assert http.get("t", f"{service.root}/ok").status == 200
        hosts = ("127.0.0.1", "localhost", "2130706433", "0x7f.1", "[::ffff:127.0.0.1]")
        for host in hosts:
            with pytest.raises(NotAskable, match=r"loopback address|this machine"):
                http.get("t", f"http://{host}:{trap.port}/ok")
    assert trap.requests == []
    assert len(service.requests) == 1


def test_a_redirect_to_a_local_address_is_not_followed(sites: tuple[Site, Site]) -> None:
    service, trap = sites
    service.target = f"{trap.root}/ok"
    with http_trusting(service.base_url) as http, pytest.raises(NotAskable, match="not asked"):
        http.get("t", f"{service.root}/go")
    assert trap.requests == []
    assert len(service.requests) == 1  # refused at once: not retried


def test_the_switch_allows_private_addresses(sites: tuple[Site, Site]) -> None:
    service, trap = sites
    service.target = f"{trap.root}/ok"
    with http_trusting(allow_private=True) as http:
        assert http.get("t", f"{service.root}/go").status == 200
    assert len(trap.requests) == 1


def test_a_name_that_resolves_to_a_private_address_is_refused() -> None:
    table = {"intranet.example.org": ["10.1.2.3"], "meta.example.org": ["fe80::1%eth0"],
             "mixed.example.org": ["93.184.216.34", "127.0.0.1"],
             "www.example.org": ["93.184.216.34", "2606:2800:220:1::1"]}  # fmt: skip
    guard = PublicOnly(resolve=lambda host, port: table.get(host, []))
    with pytest.raises(AddressRefused, match=r"resolves to 10\.1\.2\.3, a private address"):
        guard.check("https://intranet.example.org/page")
    with pytest.raises(AddressRefused, match="link-local"):
        guard.check("http://meta.example.org/latest")
    with pytest.raises(AddressRefused, match="loopback"):  # any one bad address is enough
        guard.check("http://mixed.example.org/")
    guard.check("https://www.example.org/paper")
    guard.check("https://does-not-resolve.example.org/")  # left to the connection to fail


def test_trust_is_by_host_and_port() -> None:
    guard = PublicOnly([endpoint("http://127.0.0.1:8080/mirror")], resolve=lambda h, p: [])
    guard.check("http://127.0.0.1:8080/other/path")
    with pytest.raises(AddressRefused):
        guard.check("http://127.0.0.1:8081/")
    assert endpoint("https://doi.org") == endpoint("https://DOI.org:443/10.1/x") == "doi.org:443"


def test_a_connection_that_reaches_a_local_address_sends_nothing(
    sites: tuple[Site, Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name was public when checked, this machine when connected. Here the
    check before sending is skipped; the connection itself still refuses, before any byte."""
    service, trap = sites
    monkeypatch.setattr(PublicOnly, "check", lambda self, url: None)
    with http_trusting(service.base_url) as http:
        assert http.get("t", f"{service.root}/ok").status == 200  # a trusted service connects
        with pytest.raises(NotAskable, match=r"connected to 127\.0\.0\.1, a loopback address"):
            http.get("t", f"{trap.root}/ok")
    assert trap.requests == []
    assert http.failures.count == 0


def test_the_peer_check_follows_trust_and_the_switch() -> None:
    guard = PublicOnly(["127.0.0.1:8080"])
    assert guard.check_peer("127.0.0.1", 8080, "127.0.0.1") is None
    assert guard.check_peer("example.org", 443, "93.184.216.34") is None
    assert "link-local" in (guard.check_peer("example.org", 80, "169.254.169.254") or "")
    assert PublicOnly(allow_private=True).check_peer("x.org", 80, "10.0.0.1") is None
