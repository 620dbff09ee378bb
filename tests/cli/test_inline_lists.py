"""Papers named on the command line and lists piped in, end to end through the fake services."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from list2bib.cli import main


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_three_pasted_papers_make_a_bib(env: Path) -> None:
    result = run(
        "build", "arXiv:2202.05262", "10.1109/cvpr.2016.90", "Attention is all you need",
        "-o", "refs.bib",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (env / "refs.bib").read_text(encoding="utf-8")
    keys = [line for line in text.splitlines() if line.startswith("@")]
    assert keys == [
        "@inproceedings{he2016deep,", "@inproceedings{meng2022locating,",
        "@inproceedings{vaswani2017attention,",
    ]  # fmt: skip
    assert "title = {Attention Is All You Need}" in text  # the title found by search


def test_a_list_piped_in_with_dash(env: Path) -> None:
    result = run(
        "build", "-", "-o", "refs.bib", stdin="arXiv:2202.05262\nnot a known paper at all\n"
    )
    assert result.exit_code == 0, result.output
    assert "meng2022locating" in (env / "refs.bib").read_text(encoding="utf-8")
    assert "<stdin>:2" in result.output  # the unresolved line, named as stdin's


def test_files_and_identifiers_together(env: Path) -> None:
    (env / "list.txt").write_text("10.1109/cvpr.2016.90\n", encoding="utf-8")
    result = run("build", "list.txt", "arXiv:2202.05262", "-o", "refs.bib")
    assert result.exit_code == 0, result.output
    text = (env / "refs.bib").read_text(encoding="utf-8")
    assert "meng2022locating" in text and "Deep Residual Learning" in text


def test_an_argument_that_is_neither_fails_before_any_request(env: Path) -> None:
    result = run("build", "arXiv:2202.05262", "papers.md", "-o", "refs.bib")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "list2bib: error: papers.md: no such file, and not an identifier, URL or quoted title;"
        " check the list's path"
    )
    assert not (env / "refs.bib").exists()


def test_empty_standard_input_is_bad_input(env: Path) -> None:
    result = run("refresh", "-", "-o", "refs.bib", stdin="\n \n")
    assert result.exit_code == 2
    assert "<stdin>: empty list" in result.output
