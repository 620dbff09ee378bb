"""No planted symbolic link makes list2bib write outside the project: a cloned repository may hold
links where list2bib writes (the lock, the bib, its state and renames, the report, the output
folder); each is refused with one line and exit 2, and the file it points to is untouched."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from list2bib.cli import main
from list2bib.errors import EXIT_USAGE
from list2bib.infra.files import LinkInTheWay, replace_file
from list2bib.infra.lock import locked
from list2bib.infra.memo import Memo

VICTIM = b"precious data\n"


def _plant(name: str) -> Callable[[Path, Path], None]:
    """A link at `name` in the repository to the victim file outside it."""

    def plant(repo: Path, victim: Path) -> None:
        link = repo / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(victim)

    return plant


def _linked_folder(repo: Path, victim: Path) -> None:
    (repo / "output").symlink_to(victim.parent, target_is_directory=True)


PLANTED: dict[str, tuple[Callable[[Path, Path], None], tuple[str, ...]]] = {
    "lock": (_plant("output/references.bib.lock"), ()),
    "bib": (_plant("output/references.bib"), ()),
    "state": (_plant("output/references.bib.list2bib.json"), ()),
    "renames": (_plant("output/references.bib.renames.json"), ()),
    "report": (_plant("review.md"), ("--report", "review.md")),
    "changes": (_plant("changes.md"), ("--changes", "changes.md")),
    "output-folder": (_linked_folder, ()),
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_a_planted_link_is_refused_and_its_target_untouched(tmp_path: Path, name: str) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_bytes(VICTIM)
    (repo / "list.txt").write_text("arXiv:2202.05262\n", encoding="utf-8")
    plant, extra = PLANTED[name]
    plant(repo, victim)
    env = {"LIST2BIB_OFFLINE": "1", "LIST2BIB_CACHE_DIR": str(tmp_path / "cache")}
    with contextlib.chdir(repo):
        result = CliRunner().invoke(main, ["build", "list.txt", *extra], env=env)
    assert result.exit_code == EXIT_USAGE, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "symbolic link" in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert victim.read_bytes() == VICTIM
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]  # nothing new out there


def test_the_lock_is_opened_without_following_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(VICTIM)
    bib = tmp_path / "references.bib"
    Path(f"{bib}.lock").symlink_to(victim)
    with pytest.raises(Exception, match="symbolic link"), locked(bib, 0.0):
        pass
    assert victim.read_bytes() == VICTIM


def test_an_atomic_write_replaces_no_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(VICTIM)
    link = tmp_path / "out.bib"
    link.symlink_to(victim)
    with pytest.raises(LinkInTheWay):
        replace_file(link, b"new")
    assert victim.read_bytes() == VICTIM and link.is_symlink()


def test_a_link_above_the_working_folder_is_the_users_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "home").symlink_to(real, target_is_directory=True)
    inside = tmp_path / "home" / "project"
    inside.mkdir()
    monkeypatch.chdir(inside)
    replace_file(inside / "out" / "references.bib", b"fine")
    assert (real / "project" / "out" / "references.bib").read_bytes() == b"fine"


def test_a_memo_link_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(VICTIM)
    listed = tmp_path / "list.txt"
    listed.write_text("x", encoding="utf-8")
    memo = Memo(tmp_path / "memo")
    slot = hashlib.sha256(os.path.abspath(listed).encode()).hexdigest()[:24]
    (tmp_path / "memo").mkdir()
    (tmp_path / "memo" / f"list-{slot}.pickle").symlink_to(victim)
    calls: list[int] = []
    for _ in range(2):
        assert memo.read("list", listed, lambda: calls.append(1) or "parsed") == "parsed"
    assert len(calls) == 2  # never taken from (or kept in) the linked file
    assert victim.read_bytes() == VICTIM
