"""OpenAlex's API key (LIST2BIB_OPENALEX_API_KEY) goes to OpenAlex as `api_key=` and nowhere else:
not into the bib, the reports or the JSON summary, not onto stdout/stderr at -vv (which logs every
request's address), not into the cache (its keys, its stored addresses, the redirects an answer
came through), not into an error message, and not onward with a redirect to another host."""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

import pytest
from click.testing import CliRunner, Result

from fakes import FakeServer, FakeServices, LoggedRequest, Reply, World, make_http
from list2bib.cli import main
from list2bib.config import ServiceConfig, load_config
from list2bib.errors import ServiceError
from list2bib.resolve.sources import TitleQuery, openalex

ROOT = Path(__file__).resolve().parents[2]
LOOKALIKES = ROOT / "tests" / "data" / "lists" / "lookalikes.md"
CORE = secrets.token_hex(12)
KEY = f"OAKEY{CORE}/+="  # characters URL encoding changes


def leaks(where: str, data: bytes | str) -> list[str]:
    blob = (data if isinstance(data, bytes) else data.encode("utf-8", "replace")).lower()
    forms = {KEY, quote(KEY, safe=""), quote_plus(KEY), CORE}
    return [f"{where}: {form}" for form in forms if form.lower().encode() in blob]


def leaks_in_files(root: Path) -> list[str]:
    return [
        leak
        for path in sorted(root.rglob("*"))
        if path.is_file()
        for leak in leaks(str(path.relative_to(root)), path.read_bytes())
    ]


def sent_keys(fake: FakeServer) -> set[str]:
    return {r.query["api_key"] for r in fake.requests if "api_key" in r.query}


@pytest.fixture
def fakes() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as services:
        yield services


def build(fakes: FakeServices, tmp_path: Path, *args: str) -> Result:
    env, config = fakes.cli_settings(tmp_path, "retries = 0")
    env = {**env, "LIST2BIB_OPENALEX_API_KEY": KEY, "LIST2BIB_CACHE_DIR": str(tmp_path / "cache")}
    with contextlib.chdir(tmp_path):
        return CliRunner().invoke(main, [*args, "--config", str(config)], env=env)


def test_the_key_reaches_openalex_and_no_output_log_or_cache(
    fakes: FakeServices, tmp_path: Path
) -> None:
    for down in (fakes.s2, fakes.dblp, fakes.crossref):  # OpenAlex stands in: DOIs and titles
        down.fail_next(1000, "503")
    out = tmp_path / "out"
    result = build(fakes, tmp_path, "build", str(LOOKALIKES), "-o", f"{out}/refs.bib",
                   "--report", f"{out}/review.md", "--json", "-vv")  # fmt: skip
    assert result.exit_code in (0, 5), result.output
    assert fakes.openalex.requests and sent_keys(fakes.openalex) == {KEY}
    filters = {r.query["filter"].partition(":")[0] for r in fakes.openalex.requests}
    assert filters == {"doi", "title.search"}  # both kinds of request carried it
    assert "/works?" in result.stderr and "api_key=***" in result.stderr  # -vv logged them
    cache = tmp_path / "cache" / "http-cache.sqlite"
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM responses").fetchone()[0] > 0
    assert (out / "refs.bib").is_file() and (out / "review.md").is_file()
    found = leaks_in_files(tmp_path) + leaks("stdout", result.stdout)
    assert found + leaks("stderr", result.stderr) == []
    # A second run answers from the cache (the key is no part of a cache key) and asks nothing.
    asked = len(fakes.openalex.requests)
    fakes.s2.fail_next(1000, "503")
    again = build(fakes, tmp_path, "build", str(LOOKALIKES), "-o", f"{out}/refs.bib", "-vv")
    assert again.exit_code in (0, 5), again.output
    assert len(fakes.openalex.requests) == asked
    assert leaks("stderr", again.stderr) + leaks_in_files(tmp_path) == []


def test_the_key_is_read_from_the_environment_only(tmp_path: Path) -> None:
    empty = tmp_path / "list2bib.toml"
    empty.write_text("", encoding="utf-8")
    config = load_config(empty, env={"OPENALEX_API_KEY": KEY})
    assert config.service("openalex").api_key == KEY
    assert leaks("repr", repr(config) + repr(config.services)) == []
    empty.write_text(f'[services.openalex]\napi_key = "{KEY}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(LOOKALIKES), "--config", str(empty)], env={})
    assert result.exit_code == 2 and "LIST2BIB_OPENALEX_API_KEY" in result.stderr
    assert leaks("message", result.output) == []


def echo(request: LoggedRequest) -> Reply:
    """An OpenAlex (or a proxy) that repeats the request it saw, key and all, in its answer."""
    sent = request.query.get("api_key", "")
    if "title.search" in request.query.get("filter", ""):
        work = {"title": f"Echo of {sent}", "doi": None, "publication_year": 2021}
        body = json.dumps({"meta": {"count": 1}, "results": [work]})
        return Reply.text(200, body, "application/json")
    return Reply.text(400, f'{{"error": "bad key {sent}", "message": "{sent}"}}', "text/json")


def test_an_answer_repeating_the_key_shows_it_nowhere(fakes: FakeServices) -> None:
    fakes.openalex.handle = echo  # type: ignore[method-assign]
    service = ServiceConfig(fakes.openalex.base_url, 0.0, 100, api_key=KEY)
    with make_http(retries=0) as http:
        (record,) = openalex.search(http, service, TitleQuery("Echo"))
        lookup = openalex.fetch(http, service, ["2107.90101"])
        with pytest.raises(ServiceError) as raised:
            http.get("openalex", f"{fakes.openalex.base_url}/works", params={"api_key": KEY})
        answer = http.get(
            "openalex", f"{fakes.openalex.base_url}/works",
            params={"filter": "title.search:echo", "api_key": KEY},
        )  # fmt: skip
    assert sent_keys(fakes.openalex) == {KEY}
    assert record.title.startswith("Echo of") and answer.content.startswith(b'{"meta"')
    messages = [str(raised.value), repr(raised.value), *lookup.failed.values()]
    shown = [record.title, answer.url, answer.content.decode(), *messages]
    assert lookup.failed and leaks("answer", " ".join(shown)) == []


class Elsewhere(FakeServer):
    """Another host, which answers every request with an empty work list."""

    def handle(self, request: LoggedRequest) -> Reply:
        return Reply.text(200, '{"meta": {"count": 0}, "results": []}', "application/json")


@pytest.mark.parametrize("keep_query", [True, False])
def test_a_redirect_to_another_host_takes_no_key_and_the_cache_keeps_none(
    fakes: FakeServices, tmp_path: Path, keep_query: bool
) -> None:
    """OpenAlex moved (or a proxy redirects): the other host is asked without the key, even when
    the redirect's Location repeats the query the key was in; the hop is cached without it."""
    with Elsewhere() as other:

        def moved(request: LoggedRequest) -> Reply:
            query = urlencode(request.query) if keep_query else "filter=doi:x"
            return Reply.text(302, "", Location=f"{other.base_url}/works?{query}")

        fakes.openalex.handle = moved  # type: ignore[method-assign]
        service = ServiceConfig(fakes.openalex.base_url, 0.0, 100, api_key=KEY)
        cache = tmp_path / "cache.sqlite"
        with make_http(retries=0, cache_path=cache) as http:
            lookup = openalex.fetch(http, service, ["2107.90101"])
        assert lookup.missing == {"2107.90101"}  # the other host answered: no such work
        assert sent_keys(fakes.openalex) == {KEY} and other.requests
        assert all("api_key" not in r.query and CORE not in r.path for r in other.requests)
        assert leaks_in_files(tmp_path) == []
