"""`list2bib build` and `refresh` killed with SIGKILL at random moments never damage what they had.

The real CLI runs as a child process against the local fakes (with some latency, so the run is in
flight) over a bib from an earlier run that the user has since edited: a field changed by hand, an
entry of their own and a duplicate of a list2bib entry under another key (the new run merges it,
so a rename map appears). The list has grown since, so the old and the new files differ.

After every kill: the bib and its rename map are byte-for-byte the old file or the new one (an
uninterrupted run in another folder), the state file too (its `checked` times aside: they are the
clock time of the run); the HTTP cache opens; the lock does not block; the next run makes exactly
the new files. `benchmarks/bench_kill.py` runs the same trials with many more kill points.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import re
import shutil
import signal
import socketserver
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fakes import FakeServices, World
from list2bib.infra import http as net
from list2bib.infra.files import write_atomic

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"
)

LIST = Path(__file__).parents[1] / "data" / "lists" / "lookalikes.md"
BIB = "references.bib"
STATE = BIB + ".list2bib.json"
RENAMES = BIB + ".renames.json"
LOCK = BIB + ".lock"
OUTPUTS = (BIB, STATE, RENAMES)
CACHE = "http-cache.sqlite"
# What `write_atomic` leaves behind when killed between creating its temp file and renaming
# it over the target.
TEMP = re.compile(r"\.(?:{})\.[0-9a-f]{{8}}\.tmp".format("|".join(map(re.escape, OUTPUTS))))
COMMANDS = ("build", "refresh")
RUN_TIMEOUT = 60.0

# The user's edits to the earlier run's bib: a field changed, an entry of their own, and a second
# entry for a work list2bib already wrote (merged by the next run: `rome` becomes an alias).
HAND_EDIT = ("title = {Long Short-Term Memory}", "title = {Long Short-Term Memory (LSTM)}")
USER_ENTRIES = """
@misc{mine2020,
  title = {My Own Notes},
  author = {Doe, Jane},
  year = {2020}
}

@misc{rome,
  title = {Locating and Editing Factual Associations in GPT},
  eprint = {2202.05262},
  archiveprefix = {arXiv}
}
"""


def normalized_state(data: bytes) -> object:
    """The state file's content without its `checked` times (raises if it is not JSON)."""
    parsed = json.loads(data.decode("utf-8"))
    for work in parsed.get("works", {}).values():
        work["checked"] = ""
    return parsed


@dataclass(frozen=True, slots=True)
class Timing:
    """One uninterrupted run: seconds from start to exit, and to the moment the bib was written."""

    total: float
    written_at: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a kill left: each output's version ("old" or "new"; missing when neither), the temp
    files of interrupted writes, and every problem (the next run's included)."""

    versions: dict[str, str]
    temps: tuple[str, ...]
    problems: list[str]


class Lab:
    """A folder with the two lists, a config, the old outputs and cache (`old/`), and for each
    command the outputs of an uninterrupted run over a copy of `old/` (`new-<command>/`)."""

    def __init__(self, fakes: FakeServices, root: Path) -> None:
        self.fakes = fakes
        self.root = root
        self.old_list = root / "lists" / "old.md"
        self.new_list = root / "lists" / "new.md"
        self.config = root / "list2bib.toml"
        self.old = root / "old"
        self.timing: dict[str, Timing] = {}

    def new(self, command: str) -> Path:
        return self.root / f"new-{command}"

    # --- running the CLI ---

    def env(self, folder: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIST2BIB_")}
        env.update(
            {
                f"LIST2BIB_{name.upper()}_URL": service.base_url
                for name, service in self.fakes.service_configs().items()
                if name != "zotero"
            }
        )
        env["LIST2BIB_CACHE_DIR"] = str(folder / "cache")
        return env

    def argv(self, command: str, folder: Path, list_path: Path) -> list[str]:
        return [
            sys.executable, "-m", "list2bib", command, str(list_path),
            "-o", str(folder / "out" / BIB), "--config", str(self.config), "-q",
        ]  # fmt: skip

    def start(self, command: str, folder: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.argv(command, folder, self.new_list),
            env=self.env(folder),
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def run(self, command: str, folder: Path, list_path: Path | None = None) -> None:
        """One uninterrupted run; fails with the CLI's output unless it exits 0."""
        done = subprocess.run(
            self.argv(command, folder, list_path or self.new_list),
            env=self.env(folder),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"list2bib {command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )

    # --- setting up ---

    def prepare(self) -> None:
        """The old outputs (the list without its middle section, then edited by hand) and, per
        command, the new outputs and how long the run takes."""
        text = LIST.read_text(encoding="utf-8")
        start, end = text.index("## In-context learning"), text.index("## Blogs")
        self.new_list.parent.mkdir(parents=True)
        self.old_list.write_text(text[:start] + text[end:], encoding="utf-8")
        self.new_list.write_text(text, encoding="utf-8")
        # No politeness waits (the CLI runs on the real clock); a lock held by a killed run must
        # not make the next one wait: with lock_wait = 0 it would exit 4 at once.
        services = self.fakes.service_configs()
        self.config.write_text(
            "[refresh]\nlock_wait = 0\n"
            + "".join(f"[services.{name}]\nmin_interval = 0\n" for name in services),
            encoding="utf-8",
        )
        self.run("build", self.old, self.old_list)
        bib = self.old / "out" / BIB
        edited = bib.read_text(encoding="utf-8")
        assert HAND_EDIT[0] in edited
        bib.write_text(edited.replace(*HAND_EDIT) + USER_ENTRIES, encoding="utf-8")
        for command in COMMANDS:
            self.timing[command] = self.calibrate(command)
            for name in OUTPUTS:
                assert self.read(self.old, name) != self.read(self.new(command), name), name

    def calibrate(self, command: str) -> Timing:
        folder = self.new(command)
        shutil.copytree(self.old, folder)
        started, wall = time.monotonic(), time.time()
        self.run(command, folder)
        total = time.monotonic() - started
        written_at = (folder / "out" / BIB).stat().st_mtime - wall
        return Timing(total, min(max(written_at, 0.0), total))

    def trial(self, name: str) -> Path:
        """A fresh copy of the old outputs and cache."""
        folder = self.root / "trials" / name
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(self.old, folder)
        return folder

    @staticmethod
    def read(folder: Path, name: str) -> bytes | None:
        try:
            return (folder / "out" / name).read_bytes()
        except FileNotFoundError:
            return None

    # --- one kill ---

    def kill_at(self, command: str, folder: Path, seconds: float) -> int | None:
        """Start a run and SIGKILL it after `seconds`; its exit code if it finished first."""
        child = self.start(command, folder)
        try:
            child.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=RUN_TIMEOUT)
            return None
        return child.returncode

    def damage(self, command: str, folder: Path) -> Verdict:
        """After a kill: which version (old or new) each output is, the temp files left, and
        every problem found, the next run's included."""
        versions: dict[str, str] = {}
        problems: list[str] = []
        for name in OUTPUTS:
            version = self.version_of(command, folder, name)
            if version is None:
                problems.append(f"{name} is neither the old nor the new file")
            else:
                versions[name] = version
        out = folder / "out"
        stray = sorted(p.name for p in out.iterdir() if p.name not in (*OUTPUTS, LOCK))
        temps = tuple(name for name in stray if TEMP.fullmatch(name))
        problems += [f"unexpected file {name}" for name in stray if name not in temps]
        problems += self.cache_problems(folder)
        if _lock_held(out / LOCK):
            problems.append("the lock is still held")
        try:
            self.run(command, folder)
        except (AssertionError, subprocess.TimeoutExpired) as error:
            return Verdict(versions, temps, [*problems, f"the next run failed: {error}"])
        for name in OUTPUTS:
            if self.version_of(command, folder, name) != "new":
                problems.append(f"the next run did not write the new {name}")
        # A temp file of a killed write is ignored (nothing reads it); the next run, which was
        # not interrupted, must leave nothing of its own, its lock included.
        left = sorted(p.name for p in out.iterdir() if p.name not in (*OUTPUTS, *temps))
        problems += [f"the next run left {name}" for name in left]
        return Verdict(versions, temps, problems)

    def version_of(self, command: str, folder: Path, name: str) -> str | None:
        now, new = self.read(folder, name), self.read(self.new(command), name)
        if now == self.read(self.old, name):
            return "old"
        if now == new or (name == STATE and _same_state(now, new)):
            return "new"
        return None

    @staticmethod
    def cache_problems(folder: Path) -> list[str]:
        path = folder / "cache" / CACHE
        if not path.exists():
            return ["the HTTP cache is gone"]
        with contextlib.closing(sqlite3.connect(path)) as db:
            try:
                verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            except sqlite3.DatabaseError as error:
                return [f"the HTTP cache does not open ({error})"]
        if verdict != "ok":
            return [f"the HTTP cache fails its integrity check: {verdict}"]
        cache = net._open_cache(path)
        cache.close()
        broken = path.with_name(path.name + ".broken")
        return [f"the HTTP cache was moved to {broken.name}"] if broken.exists() else []


def _same_state(now: bytes | None, new: bytes | None) -> bool:
    if now is None or new is None:
        return now is new
    try:
        return normalized_state(now) == normalized_state(new)
    except ValueError:
        return False


def _lock_held(path: Path) -> bool:
    """Whether some process holds the lock (looked at without taking over or removing the file,
    so the next run finds it as the killed run left it)."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases the lock taken
    return False


def _quiet_error(server: socketserver.BaseServer, request: object, address: object) -> None:
    """A killed client drops its connections: not worth a traceback."""
    if not isinstance(sys.exc_info()[1], ConnectionError):
        socketserver.BaseServer.handle_error(server, request, address)  # type: ignore[arg-type]


def kill_points(rng: random.Random, timing: Timing, count: int) -> list[float]:
    """`count` moments from "just started" to "almost done": one within the first 50 ms (the
    interpreter is still starting), one in each of `count - 3` equal slices of the run, and two
    around the moment the calibration run wrote the bib (where a kill can find the outputs half
    written)."""
    spread = count - 3
    points = [rng.uniform(0.0, 0.05)]
    points += [rng.uniform(i, i + 1) * timing.total / spread for i in range(spread)]
    points += [max(0.0, timing.written_at + rng.uniform(-0.05, 0.01)) for _ in range(2)]
    return points


@contextlib.contextmanager
def lab_in(root: Path, latency: float) -> Iterator[Lab]:
    with FakeServices(World.load(), latency=latency) as fakes:
        for fake in fakes.servers():
            server = fake._server
            assert server is not None
            server.handle_error = functools.partial(_quiet_error, server)  # type: ignore[method-assign]
        lab = Lab(fakes, root)
        lab.prepare()
        yield lab


# --- the tests ----------------------------------------------------------------------------------

KILLS_PER_COMMAND = 7


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with lab_in(tmp_path_factory.mktemp("kill"), latency=0.03) as ready:
        yield ready


@pytest.mark.parametrize("command", COMMANDS)
def test_a_killed_run_leaves_the_old_or_the_new_files(lab: Lab, command: str) -> None:
    rng = random.Random(f"kill-{command}")
    seen: list[tuple[float, dict[str, str]]] = []
    for index, seconds in enumerate(kill_points(rng, lab.timing[command], KILLS_PER_COMMAND)):
        folder = lab.trial(f"{command}-{index}")
        lab.kill_at(command, folder, seconds)
        verdict = lab.damage(command, folder)
        assert verdict.problems == [], f"killed after {seconds:.3f} s: {verdict.problems}"
        seen.append((seconds, verdict.versions))
    # Killed while starting: nothing can have been written yet.
    assert seen[0][1] == dict.fromkeys(OUTPUTS, "old")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("written", [(BIB,), (BIB, STATE)])
def test_a_run_killed_between_two_writes_is_finished_by_the_next(
    lab: Lab, command: str, written: tuple[str, ...]
) -> None:
    """The outputs are written one after another (bib, state, rename map): a kill between two
    writes leaves some new and some old, a leftover lock file, perhaps a temp file. The next run
    must still make exactly the new files."""
    folder = lab.trial(f"{command}-mixed-{len(written)}")
    for name in written:
        shutil.copyfile(lab.new(command) / "out" / name, folder / "out" / name)
    (folder / "out" / LOCK).write_text("12345\n", encoding="utf-8")
    temp = folder / "out" / f".{BIB}.0123abcd.tmp"
    temp.write_text("@misc{half", encoding="utf-8")
    verdict = lab.damage(command, folder)
    assert verdict.temps == (temp.name,)
    assert verdict.problems == []
    assert [n for n in OUTPUTS if verdict.versions[n] == "new"] == list(written)


def test_temp_files_of_killed_writes_are_swept_by_the_next_write(tmp_path: Path) -> None:
    """A write killed half-way leaves `.<name>.<8 hex>.tmp`; the next write of that file removes
    such leftovers once they are old enough not to be a write in progress."""
    target = tmp_path / "refs.bib"
    old, recent = tmp_path / ".refs.bib.0123abcd.tmp", tmp_path / ".refs.bib.89abcdef.tmp"
    unrelated = tmp_path / ".other.bib.0123abcd.tmp"
    for path in (old, recent, unrelated):
        path.write_text("half", encoding="utf-8")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    os.utime(unrelated, (hours_ago, hours_ago))
    write_atomic(target, "@misc{a, title={x}}\n")
    assert not old.exists()
    assert recent.exists() and unrelated.exists()
