"""What reading an input file gave, kept in the cache folder so an unchanged file is not parsed
again: a scheduled refresh of a 10,000-entry list spends most of its time reading it otherwise.

An answer is reused only for the same path, the same bytes and the same list2bib code (a digest
of the package's source), so it is exactly what reading the file again would give. A missing,
stale or unreadable memo is simply computed again; failing to save one is not an error. The files
are pickles, like the HTTP cache's entries: the cache folder must be the user's own.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from list2bib.infra.files import LinkInTheWay, open_no_follow, replace_file

logger = logging.getLogger("list2bib")

T = TypeVar("T")


@cache
def code_digest() -> bytes:
    """A digest of list2bib's own source: any change to the code invalidates every memo."""
    digest = hashlib.sha256()
    package = Path(__file__).parents[1]  # list2bib, not only this folder
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.digest()


class Memo:
    """Results of reading input files, one memo file per (kind, path) in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, kind: str, path: str | os.PathLike[str], compute: Callable[[], T]) -> T:
        """`compute()` (which reads `path`), or its earlier result if the file is unchanged."""
        name = os.fspath(path)
        before = _digest(kind, name)
        if before is None:  # unreadable: let `compute` say why
            return compute()
        slot = hashlib.sha256(os.path.abspath(name).encode()).hexdigest()[:24]
        where = self.folder / f"{kind}-{slot}.pickle"
        with contextlib.suppress(Exception):  # any damage to a memo only means reading again
            stored, value = pickle.loads(_read_own(where))
            if stored == before:
                return value  # type: ignore[no-any-return]
        value = compute()
        if _digest(kind, name) == before:  # not changed while it was read
            _save(where, (before, value))
        return value


def _digest(kind: str, name: str) -> bytes | None:
    try:
        data = Path(name).read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(code_digest())
    for part in (kind.encode(), name.encode(), data):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def _read_own(where: Path) -> bytes:
    """A memo file's bytes; a symbolic link there is refused (OSError), never followed."""
    with os.fdopen(open_no_follow(where, os.O_RDONLY), "rb") as file:
        return file.read()


def _save(where: Path, payload: object) -> None:
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        # Only a cache: computed again if lost, so not worth an fsync.
        replace_file(where, data, private=True, durable=False)
    except LinkInTheWay as exc:
        logger.warning("%s: %s; the memo is not kept", where, exc)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        logger.debug("could not keep %s (%s)", where, exc)
