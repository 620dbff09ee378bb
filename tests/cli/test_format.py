"""`--format` and `build.format`: one run, three dialects, the same citation keys."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner, Result

from list2bib.cli import main
from system.test_latex import BIBLATEX_DOC, _assert_clean_latex_log, _compile, _need

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "papers.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _keys(text: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,]+),", text, re.MULTILINE)


def test_each_format_writes_its_dialect_with_the_same_keys(env: Path) -> None:
    assert run("build", str(EXAMPLE), "-o", "bibtex.bib").exit_code == 0
    result = run("build", str(EXAMPLE), "-o", "biblatex.bib", "--format", "biblatex")
    assert result.exit_code == 0, result.output
    assert run("build", str(EXAMPLE), "-o", "refs.json").exit_code == 0  # by the extension
    bibtex = (env / "bibtex.bib").read_text("utf-8")
    biblatex = (env / "biblatex.bib").read_text("utf-8")
    items = json.loads((env / "refs.json").read_text("utf-8"))
    assert _keys(bibtex) == _keys(biblatex) == [item["id"] for item in items]
    assert "journal = {" in bibtex and "journaltitle = {" not in bibtex
    assert "journaltitle = {" in biblatex and "eprinttype = {arxiv}" in biblatex
    assert "year = {" not in biblatex and "date = {" in biblatex
    # a second run changes nothing
    assert run("build", str(EXAMPLE), "-o", "refs.json").exit_code == 0
    assert json.loads((env / "refs.json").read_text("utf-8")) == items


def test_format_from_the_config_file_and_a_bad_one(env: Path) -> None:
    config = env / "list2bib.toml"
    config.write_text('[build]\nformat = "csl-json"\n' + config.read_text("utf-8"), "utf-8")
    assert run("build", str(EXAMPLE), "-o", "refs.txt").exit_code == 0
    assert json.loads((env / "refs.txt").read_text("utf-8"))
    config.write_text(config.read_text("utf-8").replace("csl-json", "ris"), "utf-8")
    result = run("build", str(EXAMPLE), "-o", "other.bib")
    assert result.exit_code == 2
    assert "build.format must be one of bibtex, biblatex, csl-json" in result.output
    assert not (env / "other.bib").exists()
    bad = run("build", str(EXAMPLE), "--format", "ris")
    assert bad.exit_code == 2 and "ris" in bad.output


def test_the_example_in_biblatex_passes_biber_validate_datamodel(env: Path) -> None:
    _need("pdflatex", "biber")
    assert run("build", str(EXAMPLE), "-o", "refs.bib", "--format", "biblatex").exit_code == 0
    text = (env / "refs.bib").read_text("utf-8")
    folder = env / "tex"
    folder.mkdir()
    document = BIBLATEX_DOC.replace(r"See \cite{meng2022locating}.", "")
    report, log = _compile(folder, text, document, "biber")
    assert not re.search(r"\b(WARN|ERROR)\b", report), report
    _assert_clean_latex_log(log)


def test_short_venue_names_from_the_config_file(env: Path) -> None:
    config = env / "list2bib.toml"
    config.write_text("[build]\nshort_venues = true\n" + config.read_text("utf-8"), "utf-8")
    assert run("build", str(EXAMPLE), "-o", "refs.bib").exit_code == 0
    text = (env / "refs.bib").read_text("utf-8")
    assert "booktitle = {NeurIPS}," in text
    assert "Advances in Neural Information Processing Systems" not in text
