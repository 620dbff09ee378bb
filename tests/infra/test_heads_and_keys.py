"""What the transport hands on and keeps: API keys go to the host they were meant for only (not
to another host a redirect names); a page is read and cached up to its head; an answer that may
be cut off is taken only when the same body comes again, never after one failure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_guard import Site

from fakes import FakeClock, FakeWeb, World, make_http
from list2bib.infra.adapter import CUT_HEADER
from list2bib.resolve.sources import page

KEYS = {"x-api-key": "s2-secret-key-0001", "Zotero-API-Key": "zotero-secret-0002"}


@pytest.fixture
def hops() -> Iterator[tuple[Site, Site]]:
    with Site() as first, Site() as second:
        yield first, second


def test_keys_are_not_sent_to_another_host(hops: tuple[Site, Site]) -> None:
    first, second = hops
    first.target = f"{second.root}/elsewhere"
    with make_http() as http:
        http.get("t", f"{first.root}/go", headers=KEYS)
    (asked,) = first.requests
    (followed,) = second.requests
    assert asked.headers["x-api-key"] == KEYS["x-api-key"]
    assert asked.headers["zotero-api-key"] == KEYS["Zotero-API-Key"]
    assert "x-api-key" not in followed.headers and "zotero-api-key" not in followed.headers
    assert not any(v in str(followed.headers) for v in KEYS.values())


def test_keys_stay_on_a_redirect_within_the_host(hops: tuple[Site, Site]) -> None:
    first, _ = hops
    first.target = f"{first.root}/here"
    with make_http() as http:
        http.get("t", f"{first.root}/go", headers=KEYS)
    assert [r.headers.get("x-api-key") for r in first.requests] == [KEYS["x-api-key"]] * 2


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with FakeWeb(World.load()) as fake:
        yield fake


def test_a_long_page_is_read_and_cached_up_to_its_head(web: FakeWeb, tmp_path: Path) -> None:
    head = "<html><head><title>Huge</title><meta name=citation_title content='Huge Page'></head>"
    body = head + "<body>" + "<p>filler</p>" * 400_000 + "</body></html>"  # 5.2 MB
    url = web.add_page("/huge.html", body)
    with make_http(cache_path=tmp_path / "cache.sqlite") as http:
        lookup = page.fetch(http, page.SERVICE_CONFIG, [url])
        again = http.get("page", url, headers=page.HEADERS, head_bytes=page.MAX_PAGE_BYTES)
    assert lookup.found[url].title == "Huge Page"
    assert len(web.requests) == 1  # the cut head is no doubtful answer: not asked twice
    assert again.from_cache and len(again.content) == page.MAX_PAGE_BYTES
    assert again.headers[CUT_HEADER] == str(page.MAX_PAGE_BYTES)


def test_a_short_page_is_not_marked(web: FakeWeb) -> None:
    url = web.add_page("/short.html", "<html><title>Short</title></html>")
    with make_http() as http:
        response = http.get("page", url, head_bytes=page.MAX_PAGE_BYTES)
    assert CUT_HEADER not in response.headers
    assert response.content.endswith(b"</html>")


def test_a_cut_off_page_after_a_failure_is_not_taken(web: FakeWeb) -> None:
    title = "<title>Whole Page</title><meta name=citation_title content='Whole Page'>"
    body = f"<html><head>{title}</head><body>{'<p>text</p>' * 500}</body></html>"
    url = web.add_page("/cut.html", body)
    web.fail_next(1, "503")
    web.fail_next(1, "malformed")  # half the body, as if it were all of it
    with make_http(clock=FakeClock()) as http:
        response = http.get("page", url, expect=page.not_an_error_page)
    assert len(web.requests) == 3  # 503, the cut-off body (not taken), the whole page
    assert response.content == body.encode()


def test_a_page_without_its_end_is_taken_when_it_comes_twice(web: FakeWeb) -> None:
    body = "<html><head><title>No End</title></head><body><p>text"
    url = web.add_page("/noend.html", body)
    with make_http(clock=FakeClock()) as http:
        response = http.get("page", url, expect=page.not_an_error_page)
    assert len(web.requests) == 2 and response.content == body.encode()
