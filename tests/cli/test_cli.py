"""The command line as a user meets it: help, version, exit codes, one-line errors, and the
summary, with the services pointed at local fakes through the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from list2bib import __version__
from list2bib.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "papers.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"]])
def test_help_has_an_example(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert "list2bib build" in result.output and "Example" in result.output


def test_build_writes_the_bib_and_a_summary(env: Path) -> None:
    result = run("build", str(EXAMPLE), "-o", "out/refs.bib")
    assert result.exit_code == 0, result.output
    text = (env / "out" / "refs.bib").read_text(encoding="utf-8")
    assert "@inproceedings{meng2022locating," in text
    assert "all works" in result.output and "unresolved" in result.output
    assert "examples/papers.md:22" in result.output  # where an unresolved entry is listed
    assert "\r" not in result.output  # no progress bar when not on a terminal


def test_default_output_and_second_run_unchanged(env: Path) -> None:
    assert run("build", str(EXAMPLE)).exit_code == 0
    written = env / "output" / "references.bib"
    before = written.read_bytes()
    again = run("build", str(EXAMPLE))
    assert again.exit_code == 0
    assert "unchanged; 0 network requests" in again.output
    assert written.read_bytes() == before


def test_strict_exits_3_when_something_is_unresolved(env: Path) -> None:
    result = run("build", str(EXAMPLE), "--strict", "-q")
    assert result.exit_code == 3
    assert "unresolved entries (--strict)" in result.output
    assert (env / "output" / "references.bib").exists()  # written all the same


def test_strict_exits_0_when_everything_resolves(env: Path) -> None:
    (env / "ok.txt").write_text("arXiv:2202.05262\n10.1162/neco.1997.9.8.1735\n", encoding="utf-8")
    assert run("build", "ok.txt", "--strict").exit_code == 0


def test_ascii_flag_writes_latex_escapes(env: Path) -> None:
    assert run("build", str(EXAMPLE), "--ascii", "-o", "a.bib").exit_code == 0
    text = (env / "a.bib").read_text(encoding="ascii")  # would raise on any non-ASCII byte
    assert r"G{\"o}del" in text


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (lambda p: (p / "bad.md").write_bytes(b"## A\n\ntitle \xff\n"), ["bad.md"], "bad.md:3"),
        (lambda p: None, ["missing.md"], "missing.md"),
        (lambda p: (p / "folder").mkdir(), ["folder"], "folder"),
        (
            lambda p: (p / "out.bib").mkdir(),
            [str(EXAMPLE), "-o", "out.bib"],
            "out.bib: is a folder",
        ),
        (
            lambda p: (p / "list2bib.toml").write_text("[network]\ntimout = 1\n"),
            [str(EXAMPLE)],
            "unknown key network.timout",
        ),
        (
            lambda p: (p / "refs.bib").write_text("@article{x,\n title = {Open,\n"),
            [str(EXAMPLE), "-o", "refs.bib"],
            "refs.bib:1",
        ),
    ],
    ids=["not-utf8", "missing", "folder-list", "folder-output", "config-key", "broken-bib"],
)
def test_bad_input_is_one_line_and_exit_2(env: Path, setup, args, message) -> None:  # type: ignore[no-untyped-def]
    setup(env)
    before = {p: p.read_bytes() for p in env.rglob("*") if p.is_file()}
    result = run("build", *args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("list2bib: error:"), result.output
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in env.rglob("*") if p.is_file()} == before


def test_output_under_a_file_is_bad_usage(env: Path) -> None:
    (env / "blocker").write_text("a file, not a folder", encoding="utf-8")
    result = run("build", str(EXAMPLE), "-o", "blocker/refs.bib")
    assert result.exit_code == 2
    assert "blocker" in result.output and "Traceback" not in result.output


def test_failed_write_exits_1_and_keeps_the_old_file(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = "@misc{kept,\n  title = {Old},\n}\n"
    (env / "refs.bib").write_text(old, encoding="utf-8")

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("list2bib.infra.files.os.replace", disk_full)
    result = run("build", str(EXAMPLE), "-o", "refs.bib")
    assert result.exit_code == 1
    assert "refs.bib" in result.output and "No space left" in result.output
    assert (env / "refs.bib").read_text(encoding="utf-8") == old
    assert sorted(p.name for p in env.iterdir()) == ["list2bib.toml", "refs.bib"]


# --- merge, refresh, --check, --changes, --prune, the lock ---------------------------------------


def test_refresh_help_names_the_exit_codes() -> None:
    result = run("refresh", "--help")
    assert result.exit_code == 0
    assert "--check" in result.output and "4    another run holds the bib's lock" in result.output
    assert "with --check: the bib would change" in result.output


def test_check_exits_1_when_the_file_would_change_and_0_when_not(env: Path) -> None:
    out = env / "refs.bib"
    assert run("build", str(EXAMPLE), "-o", "refs.bib", "--check").exit_code == 1
    assert not out.exists()
    assert run("build", str(EXAMPLE), "-o", "refs.bib").exit_code == 0
    before = out.read_bytes()
    assert run("refresh", str(EXAMPLE), "-o", "refs.bib", "--check").exit_code == 0
    (env / "more.txt").write_text("10.1162/neco.1997.9.8.1735x\n", encoding="utf-8")
    result = run("refresh", str(EXAMPLE), "more.txt", "-o", "refs.bib", "--check")
    assert result.exit_code == 1 and "would change" in result.output
    assert out.read_bytes() == before


def test_refresh_writes_changes_and_prunes(env: Path) -> None:
    (env / "refs.bib").write_text("@book{knuth1984,\n  title = {The TeXbook},\n}\n")
    result = run("refresh", str(EXAMPLE), "-o", "refs.bib", "--prune", "--changes", "changes.md")
    assert result.exit_code == 0, result.output
    assert "removed 1: knuth1984" in result.output
    assert "added " in result.output
    text = (env / "changes.md").read_text(encoding="utf-8")
    assert "## Removed (--prune) (1)" in text and "`knuth1984`" in text
    assert "knuth1984" not in (env / "refs.bib").read_text(encoding="utf-8")
    again = run("refresh", str(EXAMPLE), "-o", "refs.bib")
    assert "refresh: 0 list entries asked about" in again.output


def test_changes_with_an_unknown_extension_is_bad_usage(env: Path) -> None:
    result = run("build", str(EXAMPLE), "-o", "refs.bib", "--changes", "changes.txt")
    assert result.exit_code == 2 and ".md or .json" in result.output
    assert not (env / "refs.bib").exists()


def test_a_bad_key_pattern_is_bad_usage(env: Path) -> None:
    result = run("build", str(EXAMPLE), "--key-pattern", "{author}")
    assert result.exit_code == 2 and "unknown placeholder" in result.output


def test_a_held_lock_exits_4_with_one_line(env: Path) -> None:
    import fcntl
    import os

    lock = env / "refs.bib.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process's flock would block us the same way
    try:
        # flock locks are per open file: this test's own descriptor blocks the run's descriptor.
        result = run("refresh", str(EXAMPLE), "-o", "refs.bib", "--lock-wait", "0")
    finally:
        os.close(fd)
    assert result.exit_code == 4
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "another list2bib run" in lines[0]


def test_check_with_strict_still_fails_on_unresolved_entries(env: Path) -> None:
    assert run("build", str(EXAMPLE), "-o", "refs.bib").exit_code == 0
    assert run("build", str(EXAMPLE), "-o", "refs.bib", "--check").exit_code == 0
    strict = run("build", str(EXAMPLE), "-o", "refs.bib", "--check", "--strict")
    assert strict.exit_code == 3, strict.output
    assert "unresolved entries (--strict)" in strict.stderr
