"""Every --help ends with the same exit codes as the README lists, and shell completion (which
the README documents for bash, zsh and fish) works for commands and list files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from list2bib.cli import main
from list2bib.errors import EXIT_BUSY, EXIT_INTERRUPTED, EXIT_PARTIAL, EXIT_UNRESOLVED

README = Path(__file__).resolve().parents[2] / "README.md"


def command_paths(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from command_paths(command, (*path, name))
        else:
            yield (*path, name)


def exit_codes_in(text: str) -> list[str]:
    """The lines of the one `Exit codes:` block in `text`."""
    assert text.count("Exit codes:") == 1, text
    block = text.split("Exit codes:", 1)[1].splitlines()[1:]
    return block[: next((i for i, x in enumerate(block) if not x.strip()), None)]


def readme_exit_codes() -> list[str]:
    fenced = re.findall(r"```\n(Exit codes:\n.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(fenced) == 1
    return exit_codes_in(fenced[0])


@pytest.mark.parametrize("path", list(command_paths(main)), ids=" ".join)
def test_every_help_lists_the_readme_exit_codes(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert exit_codes_in(result.output) == readme_exit_codes()


def test_the_list_names_every_exit_code_the_errors_use() -> None:
    codes = [int(line.split()[0]) for line in readme_exit_codes()]
    assert codes == sorted(codes) and codes[:3] == [0, 1, 2]
    assert {EXIT_UNRESOLVED, EXIT_BUSY, EXIT_PARTIAL, EXIT_INTERRUPTED} <= set(codes)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_and_the_readme_lines(shell: str) -> None:
    variable = f"_LIST2BIB_COMPLETE={shell}_source list2bib"
    assert variable in README.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, [], env={"_LIST2BIB_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert "_list2bib_completion" in result.output


def test_completion_offers_commands_and_files_for_lists() -> None:
    commands = CliRunner().invoke(
        main, [], env={"_LIST2BIB_COMPLETE": "bash_complete", "COMP_WORDS": "list2bib re",
                       "COMP_CWORD": "1"},
    )  # fmt: skip
    assert commands.output.split() == ["plain,refresh"]
    lists = CliRunner().invoke(
        main, [], env={"_LIST2BIB_COMPLETE": "bash_complete", "COMP_WORDS": "list2bib build pa",
                       "COMP_CWORD": "2"},
    )  # fmt: skip
    assert lists.output.split() == ["file,pa"]  # the shell then completes file names


def test_the_example_workflow_lists_the_same_exit_codes() -> None:
    workflow = README.parent / "examples" / "github-actions" / "refresh.yml"
    lines = [line.removeprefix("#") for line in workflow.read_text("utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith(" Exit codes"))
    block = [line.removeprefix(" ") for line in lines[start + 1 :]]
    assert block[: len(readme_exit_codes())] == readme_exit_codes()
