"""One run at a time per bibliography: an OS lock on `<bib>.lock`, waited for up to `lock_wait` s.

The lock is held by the open file descriptor, so a run that is killed releases it at once. The
file is removed on release; a waiter that then holds a lock on the removed file notices (the path
no longer names its file) and tries again, so two runs never both believe they hold it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from list2bib.errors import InputError, LockBusy, OutputError
from list2bib.infra.clock import Clock, SystemClock
from list2bib.infra.files import LinkInTheWay, open_no_follow, refuse_links

POLL_SECONDS = 0.2


def lock_path(bib: Path) -> Path:
    return bib.with_name(bib.name + ".lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def locked(bib: Path, wait: float, clock: Clock | None = None) -> Iterator[Path]:
    """Hold the lock of `bib` for the block; raise LockBusy after `wait` seconds of trying."""
    clock = clock or SystemClock()
    path = lock_path(bib)
    deadline = clock.monotonic() + wait
    while True:
        try:
            refuse_links(path)  # before mkdir: a linked folder must not get a new folder
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = open_no_follow(path, os.O_RDWR | os.O_CREAT, 0o666)
        except LinkInTheWay as error:
            raise InputError(f"{bib}: its lock file {path}: {error}") from None
        except (NotADirectoryError, FileExistsError) as error:
            raise InputError(
                f"{bib}: its folder {path.parent} is not a folder (a file is in the way)"
            ) from error
        except OSError as error:
            raise OutputError(
                f"{bib}: cannot create its lock file {path} ({error.strerror or error}); "
                "check that the output folder is a writable folder"
            ) from error
        if _try_lock(fd) and _still_named(fd, path):
            break
        os.close(fd)
        left = deadline - clock.monotonic()
        if left <= 0:
            raise LockBusy(
                f"{bib}: another list2bib run is updating it (lock {path} held for more "
                f"than {wait:g} s); try again later or raise [refresh] lock_wait"
            )
        clock.sleep(min(POLL_SECONDS, left))
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # before closing: nobody can lock this path's file in between
        os.close(fd)


def _still_named(fd: int, path: Path) -> bool:
    """Whether `path` still names the locked file (the previous holder may have removed it)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False
