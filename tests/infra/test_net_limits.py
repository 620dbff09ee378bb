"""What the HTTP layer refuses: huge answers, decompression bombs, redirects that leave the web or
drop https, non-web addresses, redirect loops, and XML with entity tricks."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
import requests

from fakes import FakeClock, FakeServer, LoggedRequest, Reply
from list2bib.config import Config, ServiceConfig
from list2bib.errors import ServiceError
from list2bib.infra.answers import HttpResponse, expect_json, expect_xml
from list2bib.infra.http import Http, HttpSettings, _Session
from list2bib.resolve.sources import arxiv, page

LIMIT = 10_000


class Scripted(FakeServer):
    """Answers each path with the reply set for it."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: dict[str, Reply] = {}

    def handle(self, request: LoggedRequest) -> Reply:
        return self.replies.get(request.path, Reply.text(404, "no"))


@pytest.fixture
def server() -> Iterator[Scripted]:
    with Scripted() as fake:
        yield fake


def http(retries: int = 3) -> Http:
    settings = HttpSettings(
        user_agent=Config().user_agent,
        retries=retries,
        max_response_bytes=LIMIT,
        allow_private=True,
    )
    return Http(settings, clock=FakeClock())


def test_an_answer_over_the_limit_is_refused_at_once(server: Scripted) -> None:
    server.replies["/big"] = Reply.text(200, "x" * (LIMIT + 1))
    with http() as client, pytest.raises(ServiceError, match="MB"):
        client.get("t", f"{server.root}/big")
    assert len(server.requests) == 1  # not retried: it would be as big again


def test_an_answer_at_the_limit_is_read(server: Scripted) -> None:
    server.replies["/fits"] = Reply.text(200, "x" * LIMIT)
    with http() as client:
        assert len(client.get("t", f"{server.root}/fits").content) == LIMIT


def test_a_decompression_bomb_is_stopped_at_the_limit(server: Scripted) -> None:
    bomb = gzip.compress(b"{" * (LIMIT * 50))
    assert len(bomb) < LIMIT
    server.replies["/bomb"] = Reply(
        200, bomb, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
    )
    with http() as client, pytest.raises(ServiceError, match="exceeds"):
        client.get("t", f"{server.root}/bomb")
    assert len(server.requests) == 1


def test_only_web_addresses_are_asked() -> None:
    with http() as client:
        for address in ("file:///etc/passwd", "ftp://example.org/x", "gopher://x"):
            with pytest.raises(ServiceError, match=r"only http\(s\)"):
                client.get("t", address)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "javascript:alert(1)", "ftp://h/x"])
def test_a_redirect_off_the_web_is_refused(server: Scripted, target: str) -> None:
    server.replies["/go"] = Reply(302, b"", [("Location", target)])
    with http() as client, pytest.raises(ServiceError, match="not followed"):
        client.get("t", f"{server.root}/go")
    assert len(server.requests) == 1


def _redirect(from_url: str, location: str) -> requests.Response:
    response = requests.Response()
    response.status_code = 302
    response.url = from_url
    response.headers["Location"] = location
    return response


def test_a_redirect_from_https_down_to_http_is_refused() -> None:
    session = _Session(backend="memory")
    with pytest.raises(requests.RequestException, match="https down to http"):
        session.get_redirect_target(_redirect("https://a.example/x", "http://b.example/y"))
    # Up to https, within https, and plain http (local mirrors) are followed.
    assert session.get_redirect_target(_redirect("http://a.example/x", "https://b.example/y"))
    assert session.get_redirect_target(_redirect("https://a.example/x", "/elsewhere"))
    assert session.get_redirect_target(_redirect("http://a.example/x", "http://b.example/y"))


def test_a_redirect_loop_ends_after_the_limit_without_retries(server: Scripted) -> None:
    server.replies["/a"] = Reply(302, b"", [("Location", "/b")])
    server.replies["/b"] = Reply(302, b"", [("Location", "/a")])
    with http() as client, pytest.raises(ServiceError, match="too many redirects"):
        client.get("t", f"{server.root}/a")
    assert len(server.requests) == 6  # the first request and 5 redirects, asked once


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol4;</title></feed>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&secret;</title></feed>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["expansion", "external"])
def test_xml_with_entity_declarations_is_refused(body: bytes) -> None:
    answer = HttpResponse(200, "https://x", {"content-type": "application/atom+xml"}, body)
    with pytest.raises(ValueError, match="not XML"):
        expect_xml(answer)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["expansion", "external"])
def test_arxiv_answering_entity_tricks_fails_the_batch(server: Scripted, body: bytes) -> None:
    server.replies["/api/query"] = Reply(200, body, [("Content-Type", "application/atom+xml")])
    service = ServiceConfig(f"{server.root}/api/query", 0.0, 100)
    with http(retries=1) as client:
        lookup = arxiv.fetch(client, service, ["2202.05262"])
    assert not lookup.found
    assert "unreadable answer" in lookup.failed["2202.05262"]
    assert len(server.requests) == 2  # asked again once, never cached


def test_expect_json_names_what_came_instead() -> None:
    page = HttpResponse(200, "https://x", {"content-type": "text/html; charset=utf-8"}, b"<html>")
    with pytest.raises(ValueError, match="not JSON: text/html"):
        expect_json(page)


def test_a_page_that_may_be_cut_off_is_asked_once_more_then_taken(server: Scripted) -> None:
    """HTML may leave out `</html>`: such a page is asked again once, then used and cached."""
    server.replies["/p"] = Reply.text(200, "<html><title>A page</title><p>text", "text/html")
    with http() as client:
        first = client.get("page", f"{server.root}/p", expect=page.not_an_error_page)
        assert b"A page" in first.content
        assert len(server.requests) == 2
        again = client.get("page", f"{server.root}/p", expect=page.not_an_error_page)
        assert again.from_cache and len(server.requests) == 2


@pytest.mark.parametrize("title", ["Just a moment...", "503 Service Unavailable", "Error"])
def test_an_error_page_in_place_of_a_page_is_never_taken(server: Scripted, title: str) -> None:
    body = f"<html><head><title>{title}</title></head><body></body></html>"
    server.replies["/p"] = Reply.text(200, body, "text/html")
    with http(retries=2) as client, pytest.raises(ServiceError, match="error page"):
        client.get("page", f"{server.root}/p", expect=page.not_an_error_page)
    assert len(server.requests) == 3
