"""lock: one run per bibliography; a second waits `lock_wait` (on the fake clock), then gives up
with one clear line; a dead holder's lock is free at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fakes import FakeClock
from list2bib import pipeline
from list2bib.config import Config
from list2bib.errors import EXIT_BUSY, InputError, LockBusy
from list2bib.infra.lock import lock_path, locked

HOLDER = """
import sys
from pathlib import Path
from list2bib.infra.lock import locked
with locked(Path({bib!r}), 0):
    print("locked", flush=True)
    sys.stdin.read()  # hold the lock until the test closes stdin
"""


class Holder:
    """Another process holding the lock of `bib` until `release()`."""

    def __init__(self, bib: Path) -> None:
        code = textwrap.dedent(HOLDER.format(bib=str(bib)))
        self.process = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait() == 0


@pytest.fixture
def holder(tmp_path: Path):  # type: ignore[no-untyped-def]
    holders: list[Holder] = []

    def start(bib: Path) -> Holder:
        holders.append(Holder(bib))
        return holders[-1]

    yield start
    for h in holders:
        if h.process.poll() is None:
            h.process.kill()
            h.process.wait()


def test_the_lock_is_taken_and_released(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    with locked(bib, 0) as path:
        assert path == lock_path(bib) and path.exists()
    assert not path.exists()
    with locked(bib, 0):  # free again
        pass


def test_a_second_run_waits_then_gives_up_with_one_line(tmp_path: Path, holder) -> None:  # type: ignore[no-untyped-def]
    bib = tmp_path / "refs.bib"
    holder(bib)
    clock = FakeClock()
    with pytest.raises(LockBusy) as caught, locked(bib, 60.0, clock):
        pass
    assert clock.now - 1000.0 == pytest.approx(
        60.0
    )  # waited the whole lock_wait, on the fake clock
    message = str(caught.value)
    assert "\n" not in message and "another list2bib run" in message and "lock_wait" in message
    assert caught.value.exit_code == EXIT_BUSY


def test_the_lock_is_taken_once_the_holder_is_done(tmp_path: Path, holder) -> None:  # type: ignore[no-untyped-def]
    bib = tmp_path / "refs.bib"
    holder(bib).release()
    with locked(bib, 0):
        pass


def test_a_killed_holder_frees_the_lock(tmp_path: Path, holder) -> None:  # type: ignore[no-untyped-def]
    bib = tmp_path / "refs.bib"
    held = holder(bib)
    held.process.kill()
    held.process.wait()
    assert lock_path(bib).exists()  # left behind by the dead process, and harmless
    with locked(bib, 0):
        pass


def test_a_build_does_not_run_while_another_holds_the_lock(tmp_path: Path, holder) -> None:  # type: ignore[no-untyped-def]
    bib = tmp_path / "out" / "refs.bib"
    bib.parent.mkdir()
    bib.write_text("@misc{old,\n  title = {Old},\n}\n", encoding="utf-8")
    lists = tmp_path / "l.txt"
    lists.write_text("2202.05262\n", encoding="utf-8")
    config = Config(output=bib, cache_dir=tmp_path / "cache", offline=True, lock_wait=5.0)
    held = holder(bib)
    with pytest.raises(LockBusy):
        pipeline.build([lists], config, clock=FakeClock())
    assert bib.read_text(encoding="utf-8") == "@misc{old,\n  title = {Old},\n}\n"
    held.release()
    assert pipeline.build([lists], config, clock=FakeClock()).written


def test_an_output_under_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("x", encoding="utf-8")
    with (
        pytest.raises(InputError, match="is not a folder"),
        locked(tmp_path / "blocker" / "refs.bib", 0),
    ):
        pass
