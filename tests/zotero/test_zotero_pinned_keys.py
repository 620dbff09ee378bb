"""A citation key a member pins in Zotero becomes the work's key in the bib `zotero sync -o` writes,
and later builds keep it; list2bib's key stays an `ids` alias that documents still compile with.
A pinned key another work holds is refused and named."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fakes import FakeServices, FakeZotero, World
from list2bib.cli import main
from zotero_cli import cli_sync

zotero = pytest.importorskip("pyzotero.zotero")
GROUP = "12345"
LIST = """# Reading

## Editing

- [Locating and Editing Factual Associations in GPT](https://arxiv.org/abs/2202.05262)
- [LoRA: Low-Rank Adaptation of Large Language Models](https://arxiv.org/abs/2106.09685)
"""


@pytest.fixture(scope="module")
def services() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as fakes:
        yield fakes


class Lab:
    """A list, its bib, the fake group and a member's pyzotero client."""

    def __init__(
        self, services: FakeServices, fake: FakeZotero, folder: Path, mp: pytest.MonkeyPatch
    ) -> None:
        self.services, self.fake, self.folder, self.mp = services, fake, folder, mp
        (folder / "papers.md").write_text(LIST, encoding="utf-8")
        self.bib = folder / "refs.bib"
        self.member = zotero.Zotero(GROUP, "group", FakeZotero.MEMBER)
        self.member.endpoint = fake.base_url

    def sync(self, *options: str) -> Result:
        result = cli_sync(self.folder, self.services, self.fake, self.mp, ("papers.md",), *options)
        assert result.exit_code == 0, result.output
        return result

    def build(self) -> Result:
        env, config = self.services.cli_settings(self.folder)
        args = ["build", str(self.folder / "papers.md"), "-o", str(self.bib), "--config",
                str(config)]  # fmt: skip
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    def pin(self, key: str, pinned: str, *, extra: bool = False) -> None:
        """A member sets an item's citation key in their own client (`extra`: as clients before
        Zotero 7 did, a `Citation Key:` line in Extra)."""
        items = [i["data"] for i in self.member.everything(self.member.top())]
        data = next(d for d in items if d["citationKey"] == key)
        edit = {"extra": f"{data['extra']}\nCitation Key: {pinned}"} if extra else {}
        assert self.member.update_item({**data, **(edit or {"citationKey": pinned})})

    def bib_keys(self) -> list[str]:
        return re.findall(r"^@\w+\{([^,]+),", self.bib.read_text(encoding="utf-8"), re.M)

    def key(self, author: str) -> str:
        (key,) = [k for k in self.bib_keys() if k.startswith(author)]
        return key

    def ids(self, key: str) -> str:
        text = self.bib.read_text(encoding="utf-8")
        entry = text[text.index("{" + key + ",") :].split("\n}", 1)[0]
        found = re.search(r"ids = \{([^}]*)\}", entry)
        return found.group(1) if found else ""


@pytest.fixture
def lab(services: FakeServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    with FakeZotero() as fake:
        yield Lab(services, fake, tmp_path, monkeypatch)


def test_a_pinned_key_becomes_the_bib_key_and_stays(lab: Lab) -> None:
    lab.build()
    meng, hu = lab.key("meng"), lab.key("hu")
    lab.sync("-o", str(lab.bib))
    before = lab.bib.read_text(encoding="utf-8")  # nothing pinned yet: the bib is as built
    lab.pin(meng, "Meng2022Rome")

    result = lab.sync("-o", str(lab.bib))
    assert f"{meng} is Meng2022Rome now" in " ".join(result.output.split())
    assert sorted(lab.bib_keys()) == sorted([hu, "Meng2022Rome"])
    assert lab.ids("Meng2022Rome") == meng and lab.ids(hu) == ""
    renames = json.loads(Path(f"{lab.bib}.renames.json").read_text(encoding="utf-8"))
    assert renames == {meng: "Meng2022Rome"}
    assert before != lab.bib.read_text(encoding="utf-8")
    text = lab.bib.read_text(encoding="utf-8")

    # Later builds and syncs keep it: the bib, its state and the group agree.
    lab.build()
    assert lab.bib.read_text(encoding="utf-8") == text
    lab.fake.clear_log()
    again = lab.sync("-o", str(lab.bib))
    assert "nothing to write" in again.output and "now" not in again.output
    assert lab.bib.read_text(encoding="utf-8") == text
    items = [i["data"] for i in lab.member.everything(lab.member.top())]
    assert sorted(d["citationKey"] for d in items) == sorted([hu, "Meng2022Rome"])
    _compiles_citing(lab.folder, [meng, "Meng2022Rome", hu])


def test_a_key_pinned_in_extra_is_taken_too(lab: Lab) -> None:
    lab.build()
    hu = lab.key("hu")
    lab.sync("-o", str(lab.bib))
    lab.pin(hu, "Hu2021LoRA", extra=True)
    lab.sync("-o", str(lab.bib))
    assert "Hu2021LoRA" in lab.bib_keys() and lab.ids("Hu2021LoRA") == hu


def test_without_o_or_on_a_dry_run_the_bib_is_left_alone(lab: Lab) -> None:
    lab.build()
    text = lab.bib.read_text(encoding="utf-8")
    key = lab.key("meng")
    lab.sync("-o", str(lab.bib))
    lab.pin(key, "Meng2022Rome")
    lab.sync("-o", str(lab.bib), "--dry-run")
    lab.mp.chdir(lab.folder)
    lab.sync()  # the bib `-o` names by default (output/references.bib) is not written either
    assert lab.bib.read_text(encoding="utf-8") == text
    assert not (lab.folder / "output").exists()


def test_a_pinned_key_another_work_holds_is_refused(lab: Lab) -> None:
    lab.build()
    meng, hu = lab.key("meng"), lab.key("hu")
    text = lab.bib.read_text(encoding="utf-8")
    lab.sync("-o", str(lab.bib))
    lab.pin(meng, hu.upper())  # BibTeX compares keys case-blind: still the other work's key

    result = lab.sync("-o", str(lab.bib))
    said = " ".join(result.output.split())  # the console wraps long lines
    assert f"{meng}: the key {hu.upper()} set in Zotero is another work's; kept {meng}" in said
    assert lab.bib.read_text(encoding="utf-8") == text
    assert not Path(f"{lab.bib}.renames.json").exists()


def _compiles_citing(folder: Path, keys: list[str]) -> None:
    """biblatex with biber: every key, the alias included, is a defined citation."""
    if not all(shutil.which(tool) for tool in ("pdflatex", "biber")):
        pytest.skip("pdflatex or biber is not installed")
    doc = (
        "\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n"
        f"\\addbibresource{{{folder / 'refs.bib'}}}\n\\begin{{document}}\n"
        f"\\cite{{{','.join(keys)}}}\n\\printbibliography\n\\end{{document}}\n"
    )
    (folder / "doc.tex").write_text(doc, encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-draftmode", "doc"]
    for args in (latex, ["biber", "doc"], latex, latex):
        done = subprocess.run(args, cwd=folder, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-3000:]
    log = (folder / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert not re.findall(r".*undefined.*", log), log[-3000:]
