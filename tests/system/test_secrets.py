"""API keys never leak: not into the bib, its sidecar files, the review report or the change
report, not onto stdout/stderr at any verbosity (-vv logs every request), not into error messages
or reprs, and not into any byte of the cache folder (the SQLite cache and its -wal file included).

The keys are random per run and carry characters that URL encoding changes, and every check also
looks for their URL-encoded forms and for their random core alone.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner, Result

from fakes import FakeServices, LoggedRequest, Reply, World
from fakes.zotero import FakeZotero
from fakes.zotero_schema import error
from list2bib import pipeline
from list2bib.cli import main
from list2bib.config import load_config, zotero_api_key
from list2bib.zotero.client import ZoteroClient

ROOT = Path(__file__).resolve().parents[2]
LOOKALIKES = ROOT / "tests" / "data" / "lists" / "lookalikes.md"
EXAMPLE = ROOT / "examples" / "papers.md"
S2_CORE = secrets.token_hex(12)
S2_KEY = f"S2KEY-{S2_CORE}/+="
ZOTERO_CORE = secrets.token_hex(11)
ZOTERO_KEY = f"ZK{ZOTERO_CORE}"
OTHER_ZOTERO_KEY = f"ZK{secrets.token_hex(11)}"  # a key the server does not know
SMALL_LIST = (
    "# Reading\n\nhttps://arxiv.org/abs/2202.05262\n"
    "Transformer Feed-Forward Layers Are Key-Value Memories\n"
)


def forms(secret: str, core: str) -> dict[str, bytes]:
    """Every spelling of `secret` that would count as a leak, lower-cased for the search."""
    spellings = {"raw": secret, "quoted": quote(secret, safe=""), "plus": quote_plus(secret)}
    spellings["core"] = core
    return {name: text.lower().encode() for name, text in spellings.items()}


SECRETS = {
    "S2 key": forms(S2_KEY, S2_CORE),
    "Zotero key": forms(ZOTERO_KEY, ZOTERO_CORE),
    "unknown Zotero key": forms(OTHER_ZOTERO_KEY, OTHER_ZOTERO_KEY[2:]),
}


def leaks(where: str, data: bytes | str) -> list[str]:
    blob = (data if isinstance(data, bytes) else data.encode("utf-8", "replace")).lower()
    return [
        f"{where}: {secret} ({spelling})"
        for secret, spellings in SECRETS.items()
        for spelling, text in spellings.items()
        if text in blob
    ]


def leaks_in_files(root: Path) -> list[str]:
    """Every byte of every file under `root` (outputs, reports, sidecars, cache)."""
    found: list[str] = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            found += leaks(str(path.relative_to(root)), path.read_bytes())
    return found


def leaks_in_result(name: str, result: Result) -> list[str]:
    found = leaks(f"{name} stdout", result.stdout) + leaks(f"{name} stderr", result.stderr)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text = "".join(traceback.format_exception(result.exception))
        found += leaks(f"{name} exception", text + repr(result.exception))
    return found


@pytest.fixture
def fakes() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as services:
        services.s2.api_key = S2_KEY
        yield services


@pytest.fixture
def zotero() -> Iterator[FakeZotero]:
    with FakeZotero() as fake:
        fake.add_key(ZOTERO_KEY, {"12345": {"library": True, "write": True}})
        yield fake


class Cli:
    """The real CLI with every service at its fake, both keys in the environment, the cache in
    `<tmp>/cache`, no politeness waits and no retries (failures cost no sleeping)."""

    def __init__(self, fakes: FakeServices, tmp_path: Path, zotero: FakeZotero | None = None):
        self.tmp = tmp_path
        self.env = {
            f"LIST2BIB_{name.upper()}_URL": service.base_url
            for name, service in fakes.service_configs().items()
            if name != "zotero"
        }
        if zotero is not None:
            self.env["LIST2BIB_ZOTERO_URL"] = zotero.base_url
        self.env["LIST2BIB_CACHE_DIR"] = str(tmp_path / "cache")
        self.env["LIST2BIB_S2_API_KEY"] = S2_KEY
        self.env["ZOTERO_API_KEY"] = ZOTERO_KEY
        self.config = tmp_path / "list2bib.toml"
        self.config.write_text(
            "[network]\nretries = 0\n"
            + "".join(f"[services.{name}]\nmin_interval = 0\n" for name in fakes.service_configs()),
            encoding="utf-8",
        )
        self.results: list[tuple[str, Result]] = []

    def __call__(self, *args: str, **env: str) -> Result:
        with contextlib.chdir(self.tmp):  # relative outputs land in the scanned folder
            result = CliRunner().invoke(
                main, [*args, "--config", str(self.config)], env={**self.env, **env}
            )
        self.results.append((" ".join(args[:2]), result))
        return result

    def leaks(self) -> list[str]:
        found = leaks_in_files(self.tmp)
        for name, result in self.results:
            found += leaks_in_result(name, result)
        return found


def sent_keys(requests: list[LoggedRequest], header: str) -> set[str]:
    return {r.headers[header] for r in requests if header in r.headers}


# --- build and refresh with a Semantic Scholar key -----------------------------------------------


def test_build_refresh_and_reports_never_show_the_s2_key(
    fakes: FakeServices, tmp_path: Path
) -> None:
    cli = Cli(fakes, tmp_path)
    out = tmp_path / "out"
    first = cli("build", str(LOOKALIKES), "-o", f"{out}/refs.bib", "--report",
                f"{out}/review.json", "-vv")  # fmt: skip
    assert first.exit_code in (0, 5), first.output
    assert sent_keys(fakes.s2.requests, "x-api-key") == {S2_KEY}  # the key really was used
    assert "POST http" in first.stderr  # -vv logged the requests, S2's batch among them
    cache = tmp_path / "cache" / "http-cache.sqlite"
    # An open reader keeps the WAL file (and what later runs write to it) for the scan below.
    with sqlite3.connect(cache) as reader:
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        second = cli("build", str(LOOKALIKES), str(EXAMPLE), "-o", f"{out}/refs.bib",
                     "--report", f"{out}/review.md", "-v")  # fmt: skip
        third = cli("refresh", str(LOOKALIKES), str(EXAMPLE), "-o", f"{out}/refs.bib", "--report",
                    f"{out}/review.html", "--changes", f"{out}/changes.json")  # fmt: skip
        fourth = cli("refresh", str(LOOKALIKES), "-o", f"{out}/refs.bib", "--changes",
                     f"{out}/changes.md", "--check", "-q")  # fmt: skip
        wal = cache.with_name(cache.name + "-wal")
        assert wal.is_file() and wal.stat().st_size > 0
        found = cli.leaks()
    assert second.exit_code in (0, 5) and third.exit_code in (0, 5), second.output
    assert fourth.exit_code in (0, 1, 5)
    written = {p.name for p in out.iterdir()}
    assert {"refs.bib", "refs.bib.list2bib.json", "review.json", "review.md", "review.html",
            "changes.json", "changes.md"} <= written  # fmt: skip
    assert found == []


class EchoingS2:
    """A Semantic Scholar that repeats the key it was sent in its error answer: the worst a
    misbehaving server or proxy can do."""

    def __init__(self, fakes: FakeServices, status: int) -> None:
        self.status = status
        fakes.s2.handle = self.handle  # type: ignore[method-assign]

    def handle(self, request: LoggedRequest) -> Reply:
        sent = request.headers.get("x-api-key", "")
        return Reply(
            self.status,
            f'{{"error": "key {sent} is not valid", "message": "key {sent}"}}'.encode(),
            [("Content-Type", "application/json")],
        )


# "echo-*": a server that repeats the key in its error text (net.Http removes it).
@pytest.mark.parametrize(
    "failure",
    ["503", "429", "html-200", "truncated", "malformed", "reset", "wrong-key",
     "echo-400", "echo-403"],
)  # fmt: skip
def test_s2_failures_never_show_the_key(fakes: FakeServices, tmp_path: Path, failure: str) -> None:
    if failure == "wrong-key":
        fakes.s2.api_key = "the-key-s2-expects"  # so ours is refused with 403
    elif failure.startswith("echo-"):
        EchoingS2(fakes, int(failure.removeprefix("echo-")))
    else:
        fakes.s2.fail_next(100, failure)
    cli = Cli(fakes, tmp_path)
    result = cli("build", str(LOOKALIKES), "-o", "out/refs.bib", "--report",
                 str(tmp_path / "review.json"), "-vv")  # fmt: skip
    assert result.exit_code in (0, 5), result.output
    assert fakes.s2.requests and sent_keys(fakes.s2.requests, "x-api-key") == {S2_KEY}
    report = (tmp_path / "review.json").read_text(encoding="utf-8")
    assert "s2" in report  # the failure was reported, so its message was written somewhere
    assert cli.leaks() == []


# --- zotero sync and check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "sync_exit", "check_exit"),
    [
        ("ok", 0, 0),
        ("unknown-key", 1, 1),
        ("read-only-key", 1, 1),
        ("missing-group", 1, 1),
        ("503", 1, 1),
        ("html-200", 1, 1),
        ("reset", 1, 1),
        ("echo-403", 1, 0),  # `check` reads only the key's grants; sync's error line is redacted
    ],
)
def test_zotero_sync_and_check_never_show_the_key(
    fakes: FakeServices,
    zotero: FakeZotero,
    tmp_path: Path,
    case: str,
    sync_exit: int,
    check_exit: int,
) -> None:
    cli = Cli(fakes, tmp_path, zotero)
    env: dict[str, str] = {}
    group = "12345"
    if case == "unknown-key":
        env["ZOTERO_API_KEY"] = OTHER_ZOTERO_KEY
    elif case == "read-only-key":
        zotero.add_key(ZOTERO_KEY, {"12345": {"library": True, "write": False}})
    elif case == "missing-group":
        group = "999"
    elif case == "echo-403":
        route = zotero._route

        def echo(request: LoggedRequest) -> Reply:  # the key is fine; the group answer echoes it
            if not request.path.startswith("/groups/"):
                return route(request)
            return error(403, f"Forbidden for key {request.headers.get('zotero-api-key')}")

        zotero._route = echo  # type: ignore[method-assign]
    elif case != "ok":
        zotero.fail_next(100, case)
    (tmp_path / "papers.txt").write_text(SMALL_LIST, encoding="utf-8")
    synced = cli("zotero", "sync", str(tmp_path / "papers.txt"), "--group", group, "-vv", **env)
    checked = CliRunner().invoke(
        main, ["zotero", "check", "--group", group, "--config", str(cli.config)],
        env={**cli.env, **env},
    )  # fmt: skip
    cli.results.append(("zotero check", checked))
    assert synced.exit_code == sync_exit, synced.output
    assert checked.exit_code == check_exit, checked.output
    assert zotero.requests  # the key was offered to the server
    assert sent_keys(zotero.requests, "zotero-api-key") == {env.get("ZOTERO_API_KEY", ZOTERO_KEY)}
    if case == "ok":
        assert zotero.items and (tmp_path / "cache" / "zotero").is_dir()
    assert cli.leaks() == []


# --- reprs and messages ------------------------------------------------------------------------


def test_reprs_and_messages_do_not_show_keys(tmp_path: Path) -> None:
    env = {
        "LIST2BIB_S2_API_KEY": S2_KEY,
        "ZOTERO_API_KEY": ZOTERO_KEY,
        "LIST2BIB_CACHE_DIR": str(tmp_path / "cache"),
    }
    empty = tmp_path / "list2bib.toml"
    empty.write_text("", encoding="utf-8")
    config = load_config(empty, env=env)
    assert config.service("s2").api_key == S2_KEY
    http = pipeline.http_for(config)
    client = ZoteroClient(http, "http://127.0.0.1:9", "12345", zotero_api_key(config, env))
    texts = [repr(config), str(config), repr(config.services), repr(http.settings),
             repr(client), str(client)]  # fmt: skip
    http.close()
    assert [leak for text in texts for leak in leaks("repr", text)] == []


def test_a_key_written_into_the_config_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = tmp_path / "list2bib.toml"
    cases = [
        f'[zotero]\napi_key_env = "{ZOTERO_KEY}"\n',  # the key where its variable's name goes
        f'[zotero]\napi_key = "{ZOTERO_KEY}"\n',
        f'[services.s2]\napi_key = "{S2_KEY}"\n',
    ]
    for text in cases:
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["zotero", "check", "--config", str(path)], env={})
        assert result.exit_code == 2, result.output
        assert "environment" in result.stderr and str(path) in result.stderr
        assert leaks("message", result.output) == []
