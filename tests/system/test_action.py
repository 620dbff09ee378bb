"""The GitHub Action's script (action/list2bib_action.py), run as the action runs it, with
list2bib's services on the local fakes: annotations on the list's lines, the job summary, the
step's outputs, and list2bib's exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import FakeServices, World

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "action" / "list2bib_action.py"
LIST = """# Papers

## Editing

- Locating and Editing Factual Associations in GPT.
  [[paper](https://arxiv.org/abs/2202.05262)] [ICML 2021]
- Attention is all you need. [[paper](https://arxiv.org/abs/1512.03385)]
- A paper nobody ever wrote about quantum llamas. [2023]
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A checked-out repository with a list, and the environment the action's step gets."""
    with FakeServices(World.load()) as fakes:
        services = fakes.service_configs()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LIST2BIB_", "INPUT_"))}
        env |= {f"LIST2BIB_{name.upper()}_URL": s.base_url for name, s in services.items()}
        (tmp_path / "temp").mkdir()
        env |= {
            "LIST2BIB_CACHE_DIR": str(tmp_path / "cache"),
            "GITHUB_WORKSPACE": str(tmp_path),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "temp" / "summary.md"),
            "GITHUB_OUTPUT": str(tmp_path / "temp" / "output.txt"),
            "RUNNER_TEMP": str(tmp_path / "temp"),
            "INPUT_LISTS": '"docs/awesome list.md"',  # quoted as a shell would
            "INPUT_OUTPUT": "references.bib",
        }
        no_waits = "".join(f"[services.{name}]\nmin_interval = 0\n" for name in services)
        (tmp_path / "list2bib.toml").write_text("[network]\nretries = 1\n" + no_waits, "utf-8")
        (tmp_path / "docs").mkdir()
        (tmp_path / "docs" / "awesome list.md").write_text(LIST, encoding="utf-8")
        yield tmp_path, env


def run_step(folder: Path, env: dict[str, str], **inputs: str) -> subprocess.CompletedProcess[str]:
    env = env | {f"INPUT_{k.upper()}": v for k, v in inputs.items()}
    return subprocess.run(
        [sys.executable, str(SCRIPT)], cwd=folder, env=env, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip


def outputs(folder: Path) -> dict[str, str]:
    lines = (folder / "temp" / "output.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_check_annotates_the_lists_lines_and_fails_as_the_cli_does(
    workspace: tuple[Path, dict[str, str]],
) -> None:
    folder, env = workspace
    step = run_step(folder, env, mode="check")
    assert step.returncode == 1, step.stderr  # --check: the bib would change
    assert not (folder / "references.bib").exists()
    warnings = [line for line in step.stdout.splitlines() if line.startswith("::warning")]
    place = "file=docs/awesome list.md,line="
    assert sorted(warnings) == sorted([
        f"::warning {place}5,title=list2bib%3A finding::list says ICML 2021, sources say"
        " NeurIPS 2022",
        # A link to another paper: the entry is looked up by its own title, the link reported.
        f"::warning {place}7,title=list2bib%3A finding::links arxiv:1512.03385, which is 'Deep"
        " Residual Learning for Image Recognition'",
        f"::warning {place}8,title=list2bib%3A unresolved::unresolved paper2023 (A paper nobody"
        " ever wrote about quantum llamas): no arXiv id, DOI or other identifier in its links;"
        " title search: no service offered a candidate",
    ])  # fmt: skip
    summary = (folder / "temp" / "summary.md").read_text(encoding="utf-8")
    assert "**Exit 1**: failure; with --check: the bib would change" in summary
    assert "| `docs/awesome list.md:8` | unresolved |" in summary
    assert "### Findings on the list (2)" in summary and "### Changes (3)" in summary
    assert outputs(folder) == {
        "exit-code": "1",
        "bib": "references.bib",
        "report": str(folder / "temp" / "list2bib-review.md"),
    }
    assert "quantum llamas" in (folder / "temp" / "list2bib-review.md").read_text("utf-8")


def test_refresh_writes_the_bib_and_exits_0_then_check_passes(
    workspace: tuple[Path, dict[str, str]],
) -> None:
    folder, env = workspace
    assert run_step(folder, env, mode="refresh").returncode == 0
    assert "meng2022locating" in (folder / "references.bib").read_text(encoding="utf-8")
    again = run_step(folder, env, mode="check")
    assert again.returncode == 0, again.stderr
    assert outputs(folder)["exit-code"] == "0"


def test_strict_in_args_exits_3(workspace: tuple[Path, dict[str, str]]) -> None:
    folder, env = workspace
    assert run_step(folder, env, mode="build", args="--strict").returncode == 3


def test_an_error_goes_to_the_summary_with_its_exit_code(
    workspace: tuple[Path, dict[str, str]],
) -> None:
    folder, env = workspace
    step = run_step(folder, env, lists="missing.md")
    assert step.returncode == 2
    summary = (folder / "temp" / "summary.md").read_text(encoding="utf-8")
    assert "**Exit 2**: bad usage or input" in summary
    assert "list2bib: error: missing.md: no such file" in summary
    assert run_step(folder, env, mode="nightly").returncode == 2  # a bad input of the action


def test_action_yml_runs_this_script_and_exits_with_its_code() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert 'python "$GITHUB_ACTION_PATH/action/list2bib_action.py"' in text
    assert "using: composite" in text and "actions/upload-artifact@v4" in text
    assert 'run: exit "${CODE:-1}"' in text and "steps.run.outputs.exit-code" in text
