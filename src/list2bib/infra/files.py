"""The one atomic write: a file is replaced all at once, so a crash leaves the old file or the
new one, never half of either. Every file list2bib writes goes through `replace_file`."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import secrets
import stat
import time
from pathlib import Path

from list2bib.errors import InputError, OutputError

# A temp file older than this is a write that was killed half-way, not one in progress.
LEFTOVER_SECONDS = 3600.0


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Replace the output file `path` with `text` (UTF-8); see `replace_file`.

    Raises InputError for a symlink in the way (see `LinkInTheWay`), OutputError for any other
    failure, naming the path.
    """
    name = os.fspath(path)
    try:
        replace_file(name, text.encode("utf-8"))
    except LinkInTheWay as error:
        raise InputError(f"{name}: {error}; the old file is unchanged") from None
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise OutputError(f"{name}: cannot write ({reason}); the old file is unchanged") from error


def replace_file(
    path: str | os.PathLike[str], data: bytes, *, private: bool = False, durable: bool = True
) -> None:
    """Replace `path` with `data` all at once: a crash leaves the old file or the new one.

    Temp file `.<name>.<8 hex>.tmp` in the same folder, fsync, `os.replace`, fsync of the folder;
    the temp files of earlier writes killed half-way are swept. A symlink in the way is refused
    (`LinkInTheWay`), never followed. The file's permissions are kept (a new one gets the
    umask's); `private` makes it
    the owner's alone (a cache file). `durable=False` skips the fsyncs, for a file that is only
    a cache and is computed again if lost. Raises OSError; the temp file is never left behind.
    """
    target = Path(os.path.abspath(os.fspath(path)))
    refuse_links(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = None if private or not target.exists() else stat.S_IMODE(target.stat().st_mode)
    temp: Path | None = None
    try:
        while temp is None:
            candidate = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(
                    candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666
                )
            except FileExistsError:
                continue
            temp = candidate
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
        temp = None
        if durable:
            _fsync_folder(target.parent)
        _sweep_leftovers(target)
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()


class LinkInTheWay(OSError):
    """A symbolic link where list2bib writes (the output, its lock, state, renames, report, a
    memo), or a linked folder on the way to it inside the working folder: a cloned repository
    could point it anywhere, so it is refused, never followed."""


def refuse_links(path: str | os.PathLike[str]) -> None:
    """Raise LinkInTheWay if `path`, or a folder between the working folder and it, is a
    symbolic link. Folders above the working folder are the user's own and not judged."""
    target = Path(os.path.abspath(os.fspath(path)))
    here = Path.cwd()
    on_the_way = [target]
    if target.is_relative_to(here):
        on_the_way += [p for p in target.parents if p.is_relative_to(here) and p != here]
    for part in on_the_way:
        if part.is_symlink():
            shown = os.readlink(part)
            where = "it" if part == target else f"its folder {part}"
            raise LinkInTheWay(
                f"{where} is a symbolic link (to {shown}); list2bib does not write through"
                " links: remove the link or give another path"
            )


def check_no_link(path: str | os.PathLike[str]) -> None:
    """`refuse_links` as the one-line InputError (exit 2) a user sees, naming `path`."""
    try:
        refuse_links(path)
    except LinkInTheWay as error:
        raise InputError(f"{os.fspath(path)}: {error}; nothing was written") from None


def open_no_follow(path: str | os.PathLike[str], flags: int, mode: int = 0o666) -> int:
    """`os.open` that refuses a symbolic link as the last part (and on the way, as
    `refuse_links`) instead of following it."""
    refuse_links(path)
    try:
        return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), mode)
    except OSError as error:
        if error.errno == errno.ELOOP:  # a link planted after the check
            raise LinkInTheWay(f"{path} is a symbolic link; not followed") from None
        raise


def _sweep_leftovers(target: Path) -> None:
    """Remove the temp files of earlier writes of `target` that were killed half-way (each can be
    a whole copy of the file); they are never read, only left behind."""
    cutoff = time.time() - LEFTOVER_SECONDS
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        token = stale.name[len(target.name) + 2 : -len(".tmp")]
        with contextlib.suppress(OSError):
            if re.fullmatch(r"[0-9a-f]{8}", token) and stale.stat().st_mtime < cutoff:
                stale.unlink()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the rename itself is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
