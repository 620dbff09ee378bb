"""Every mistake a user can make on the command line ends the same way: the documented exit code
(README "Exit codes": 1 failure, 2 bad usage or input, 4 locked) and exactly one line on stderr
that names the file (with its line when there is one) or the key or option, says what to do, and
shows no traceback. `-v` may add detail lines after it, never change it.

No service is contacted: runs are offline with the cache in tmp_path, and the Zotero cases talk to
the local fake.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fakes import FakeZotero
from list2bib.cli import main
from list2bib.errors import EXIT_BUSY, EXIT_FAILURE, EXIT_USAGE
from list2bib.infra.lock import lock_path

LIST = "arXiv:2202.05262\n"


@dataclass(frozen=True)
class Case:
    """`args` run in a folder prepared by `setup`; `names` must all be in the error line and the
    `advice` pattern must match it."""

    args: tuple[str, ...]
    code: int
    names: tuple[str, ...]
    advice: str
    setup: Callable[[Path, contextlib.ExitStack], None] = lambda folder, stack: None
    env: dict[str, str] = field(default_factory=dict)
    zotero: bool = False
    needs: str = ""  # "read-only": a folder chmod can make unwritable; "proc": Linux /proc


def write(name: str, data: bytes | str) -> Callable[[Path, contextlib.ExitStack], None]:
    def setup(folder: Path, stack: contextlib.ExitStack) -> None:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    return setup


def read_only(name: str) -> Callable[[Path, contextlib.ExitStack], None]:
    def setup(folder: Path, stack: contextlib.ExitStack) -> None:
        target = folder / name
        target.mkdir()
        target.chmod(0o555)
        stack.callback(target.chmod, 0o755)

    return setup


def hold_lock(bib: str) -> Callable[[Path, contextlib.ExitStack], None]:
    def setup(folder: Path, stack: contextlib.ExitStack) -> None:
        fd = os.open(lock_path(folder / bib), os.O_RDWR | os.O_CREAT, 0o666)
        stack.callback(os.close, fd)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    return setup


BROKEN_BIB = "@article{ok,\n  title = {Fine},\n}\n\n@article{broken,\n  title = {Open,\n}\n"

CASES: dict[str, Case] = {
    # --- the lists
    "missing-list": Case(("build", "missing.md"), EXIT_USAGE, ("missing.md",), "check"),
    "folder-as-list": Case(
        ("build", "folder"), EXIT_USAGE, ("folder",), "name the list files",
        setup=lambda folder, stack: (folder / "folder").mkdir(),
    ),
    "non-utf8-list": Case(
        ("build", "bad.md"), EXIT_USAGE, ("bad.md:3", "UTF-8"), "save .* as UTF-8",
        setup=write("bad.md", b"# A\n\ntitle \xff\n"),
    ),
    "binary-list": Case(
        ("build", "nul.md"), EXIT_USAGE, ("nul.md:3", "binary"), "give a .* list",
        setup=write("nul.md", b"# A\n\nx\x00y\n"),
    ),
    "empty-list": Case(
        ("build", "empty.md"), EXIT_USAGE, ("empty.md", "empty"), "add paper entries",
        setup=write("empty.md", "\n  \n\t\n"),
    ),
    "broken-existing-bib": Case(
        ("build", "list.txt", "-o", "refs.bib"), EXIT_USAGE, ("refs.bib:5", "broken"),
        "fix|repair|correct",
        setup=write("refs.bib", BROKEN_BIB),
    ),
    # --- the output
    "output-under-a-file": Case(
        ("build", "list.txt", "-o", "blocker/refs.bib"), EXIT_USAGE, ("blocker/refs.bib",),
        "a file is in the way",
        setup=write("blocker", "a file"),
    ),
    "output-in-a-folder-that-cannot-be-made": Case(
        ("build", "list.txt", "-o", "/proc/list2bib-missing/refs.bib"), EXIT_FAILURE,
        ("/proc/list2bib-missing/refs.bib",), "writable folder", needs="proc",
    ),
    "output-in-a-read-only-folder": Case(
        ("build", "list.txt", "-o", "locked/refs.bib"), EXIT_FAILURE, ("locked/refs.bib",),
        "writable folder", setup=read_only("locked"), needs="read-only",
    ),
    "output-locked-by-another-run": Case(
        ("refresh", "list.txt", "-o", "refs.bib", "--lock-wait", "0"), EXIT_BUSY,
        ("refs.bib", "another list2bib run"), "try again later",
        setup=hold_lock("refs.bib"),
    ),
    # --- the config
    "toml-syntax-error": Case(
        ("build", "list.txt", "--config", "bad.toml"), EXIT_USAGE, ("bad.toml:3", "TOML"),
        "fix the syntax",
        setup=write("bad.toml", "[build]\nstrict = true\n[network\n"),
    ),
    "config-not-utf8": Case(
        ("build", "list.txt", "--config", "latin1.toml"), EXIT_USAGE, ("latin1.toml:2",),
        "save the file as UTF-8",
        setup=write("latin1.toml", b"[network]\nmailto = 'ren\xe9@x.org'\n"),
    ),
    "missing-config": Case(
        ("build", "list.txt", "--config", "nope.toml"), EXIT_USAGE, ("nope.toml",),
        "check the --config path",
    ),
    "unknown-config-key": Case(
        ("build", "list.txt"), EXIT_USAGE, ("list2bib.toml", "network.timout"),
        "did you mean network.timeout",
        setup=write("list2bib.toml", "[network]\ntimout = 3\n"),
    ),
    "wrong-value-type": Case(
        ("build", "list.txt"), EXIT_USAGE, ("list2bib.toml", "network.retries", "'many'"),
        "give a whole number",
        setup=write("list2bib.toml", "[network]\nretries = 'many'\n"),
    ),
    "config-path-leaves-its-folder": Case(
        ("build", "list.txt"), EXIT_USAGE, ("list2bib.toml", "build.output", "../refs.bib"),
        "on the command line",
        setup=write("list2bib.toml", '[build]\noutput = "../refs.bib"\n'),
    ),
    # --- options
    "bad-key-pattern": Case(
        ("build", "list.txt", "--key-pattern", "{author}{year}"), EXIT_USAGE,
        ("key_pattern", "{author}"), r"use \{auth\}",
    ),
    "report-under-a-file": Case(
        ("build", "list.txt", "--report", "blocker/review.md"), EXIT_USAGE,
        ("--report", "blocker/review.md"), "give a path in a folder",
        setup=write("blocker", "a file"),
    ),
    "report-in-a-read-only-folder": Case(
        ("build", "list.txt", "--report", "locked/review.md"), EXIT_FAILURE,
        ("--report", "locked/review.md"), "writable folder",
        setup=read_only("locked"), needs="read-only",
    ),
    "report-of-unknown-format": Case(
        ("build", "list.txt", "--report", "review.txt"), EXIT_USAGE, ("review.txt",),
        r"must end in one of",
    ),
    "changes-of-unknown-format": Case(
        ("build", "list.txt", "--changes", "changes.txt"), EXIT_USAGE, ("changes.txt",),
        r"give a \.md or \.json",
    ),
    "unknown-option": Case(
        ("build", "list.txt", "--bogus"), EXIT_USAGE, ("--bogus",), r"list2bib build --help",
    ),
    "missing-argument": Case(("build",), EXIT_USAGE, ("LISTS",), r"list2bib build --help"),
    "bad-option-value": Case(
        ("refresh", "list.txt", "--lock-wait", "soon"), EXIT_USAGE, ("--lock-wait", "soon"),
        r"list2bib refresh --help",
    ),
    "unknown-command": Case(("biuld",), EXIT_USAGE, ("biuld",), r"list2bib --help"),
    # --- zotero
    "zotero-group-not-a-number": Case(
        ("zotero", "sync", "list.txt", "--group", "abc"), EXIT_USAGE, ("--group", "'abc'"),
        "digits in the group's URL", env={"ZOTERO_API_KEY": FakeZotero.WRITER},
    ),
    "zotero-no-group": Case(
        ("zotero", "check",), EXIT_USAGE, ("group",), "give --group",
        env={"ZOTERO_API_KEY": FakeZotero.WRITER},
    ),
    "zotero-group-unknown-to-the-key": Case(
        ("zotero", "check", "--group", "999"), EXIT_FAILURE, ("group 999",),
        "zotero.org/settings/keys", zotero=True, env={"ZOTERO_API_KEY": FakeZotero.WRITER},
    ),
    "zotero-sync-to-a-group-unknown-to-the-key": Case(
        ("zotero", "sync", "list.txt", "--group", "999"), EXIT_FAILURE, ("group 999",),
        "zotero.org/settings/keys", zotero=True, env={"ZOTERO_API_KEY": FakeZotero.WRITER},
    ),
    "zotero-key-variable-missing": Case(
        ("zotero", "sync", "list.txt", "--group", "12345"), EXIT_USAGE, ("ZOTERO_API_KEY",),
        "set the environment variable",
    ),
    "zotero-key-variable-from-config-missing": Case(
        ("zotero", "check", "--group", "12345"), EXIT_USAGE, ("LAB_KEY",),
        "set the environment variable",
        setup=write("list2bib.toml", '[zotero]\napi_key_env = "LAB_KEY"\n'),
        env={"ZOTERO_API_KEY": FakeZotero.WRITER},
    ),
}  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return prepared(tmp_path / "run")


def prepared(folder: Path) -> Path:
    """A working folder with a good list in it."""
    folder.mkdir()
    (folder / "list.txt").write_text(LIST, encoding="utf-8")
    return folder


def run_case(case: Case, folder: Path, *extra: str) -> tuple[Result, dict[Path, bytes]]:
    """Run `case` with `folder` as the working folder; also the folder's files before the run."""
    if case.needs == "proc" and not (sys.platform.startswith("linux") and Path("/proc").is_dir()):
        pytest.skip("needs Linux /proc")
    env = {
        "LIST2BIB_OFFLINE": "1",
        "LIST2BIB_CACHE_DIR": str(folder / "cache"),
        "ZOTERO_API_KEY": "",
        **case.env,
    }
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.chdir(folder))
        case.setup(folder, stack)
        if case.needs == "read-only" and os.access(folder / "locked", os.W_OK):
            pytest.skip("the folder stays writable (running as root)")
        if case.zotero:
            fake = stack.enter_context(FakeZotero())
            env["LIST2BIB_ZOTERO_URL"] = fake.base_url
        before = files(folder)
        return CliRunner().invoke(main, [*case.args, *extra], env=env), before


def files(folder: Path) -> dict[Path, bytes]:
    """Every file but the cache's (reading a good list may be remembered there)."""
    cache = folder / "cache"
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and cache not in p.parents}


def error_line(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result.output
    return lines[0]


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_input_is_one_line_and_its_exit_code(folder: Path, name: str) -> None:
    case = CASES[name]
    result, before = run_case(case, folder)
    assert result.exit_code == case.code, result.output
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("list2bib: error: "), lines[0]
    for needed in case.names:
        assert needed in lines[0], (needed, lines[0])
    assert "Traceback" not in result.output
    if case.code == EXIT_USAGE:  # bad input is refused before anything is written
        assert files(folder) == before


@pytest.mark.parametrize("name", list(CASES))
def test_every_error_says_what_to_do(folder: Path, name: str) -> None:
    case = CASES[name]
    line = error_line(run_case(case, folder)[0])
    assert re.search(case.advice, line), line


@pytest.mark.parametrize(
    "name", [n for n, c in CASES.items() if c.args[0] in ("build", "refresh") and len(c.args) > 1]
)
def test_verbose_adds_detail_after_the_same_line(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    plain = error_line(run_case(case, prepared(tmp_path / "plain"))[0])
    verbose, _ = run_case(case, prepared(tmp_path / "verbose"), "-v")
    plain = plain.replace(str(tmp_path / "plain"), str(tmp_path / "verbose"))
    lines = [line for line in verbose.stderr.splitlines() if line.strip()]
    assert lines and lines[0] == plain, verbose.stderr
    assert all(line.startswith("list2bib: ") for line in lines)
    assert verbose.exit_code == case.code and "Traceback" not in verbose.output


def test_an_unexpected_os_error_is_one_line_too(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refusal no check foresaw (here: opening the cache) is still one line, exit 1; -v adds
    the cause."""

    def refused(path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("list2bib.infra.http._open_cache", refused)
    cache = folder / "cache"
    with contextlib.chdir(folder):
        result = CliRunner().invoke(
            main, ["build", "list.txt", "-o", "refs.bib", "-v"],
            env={"LIST2BIB_OFFLINE": "1", "LIST2BIB_CACHE_DIR": str(cache)},
        )  # fmt: skip
    assert result.exit_code == EXIT_FAILURE, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("list2bib: ")]
    errors = [line for line in lines if line.startswith("list2bib: error: ")]
    assert len(errors) == 1 and str(cache / "http-cache.sqlite") in errors[0], result.stderr
    assert "Permission denied" in errors[0] and "permissions" in errors[0]
    assert "Traceback" not in result.output
