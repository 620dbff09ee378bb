"""The GitHub Action's step (action.yml): run list2bib on the lists given, then turn its JSON
summary into a job summary and `::warning` annotations on the lists' lines; exit as list2bib did.

Reads the action's inputs from INPUT_* variables (action.yml passes them) and GitHub's files from
GITHUB_STEP_SUMMARY and GITHUB_OUTPUT; runs on its own outside GitHub too (the tests do so).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

try:  # the meanings --help lists; an older list2bib (input `version`) may not name them
    from list2bib.cli.app import EXIT_CODES
except ImportError:
    EXIT_CODES = ()

MODES = {"check": ["build", "--check"], "build": ["build"], "refresh": ["refresh"]}
MAX_ROWS = 200  # a job summary is capped at 1 MiB; a long list's rows stop here


def command(inputs: Mapping[str, str], report: Path) -> list[str]:
    """The list2bib command line the inputs ask for (always with --json and --report)."""
    mode = inputs.get("mode", "").strip() or "check"
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: give one of {', '.join(MODES)}")
    lists = shlex.split(inputs.get("lists", ""))
    if not lists:
        raise ValueError("lists: name at least one list file")
    output = inputs.get("output", "").strip()
    return [
        sys.executable, "-m", "list2bib", *MODES[mode], *lists,
        *(["-o", output] if output else []),
        "--report", str(report), "--json",
        *shlex.split(inputs.get("args", "")),
    ]  # fmt: skip


def warning_lines(document: Mapping[str, Any], workspace: Path) -> list[str]:
    """A `::warning` line per entry that needs a look and per finding on a list, placed on the
    list's line (lists given as arguments or on stdin have no file: the warning has no place)."""
    lines: list[str] = []
    for entry in document.get("entries", []):
        message = f"{entry['status']} {entry['key']}: {entry['reason']}"
        if entry.get("title"):
            message = f"{entry['status']} {entry['key']} ({entry['title']}): {entry['reason']}"
        lines.append(_warning(entry["file"], entry["line"], f"list2bib: {entry['status']}", message,
                              workspace))  # fmt: skip
    for finding in document.get("findings", []):
        lines.append(_warning(finding["file"], finding["line"], "list2bib: finding",
                              finding["message"], workspace))  # fmt: skip
    return lines


def job_summary(
    document: Mapping[str, Any] | None, code: int, argv: Sequence[str], stderr: str
) -> str:
    """The job summary in Markdown: the verdict, counts, the entries and findings, the changes;
    without a document (list2bib stopped with an error), its error lines."""
    meaning = dict(EXIT_CODES).get(code, "see list2bib --help")
    shown = " ".join(shlex.quote(a) for a in ["list2bib", *argv[3:]])
    out = ["## list2bib", "", f"`{shown}`", "", f"**Exit {code}**: {meaning}", ""]
    if document is None:
        errors = [line for line in stderr.splitlines() if line.strip()] or ["(no message)"]
        return "\n".join([*out, "```", *errors, "```", ""])
    totals = document["totals"]
    out += ["| " + " | ".join(totals) + " |", "|" + "---|" * len(totals),
            "| " + " | ".join(str(n) for n in totals.values()) + " |", ""]  # fmt: skip
    entries, findings = document.get("entries", []), document.get("findings", [])
    if entries:
        out += [f"### Entries that need a look ({len(entries)})", "",
                "| where | status | entry | reason |", "|---|---|---|---|"]  # fmt: skip
        out += [
            f"| `{e['file']}:{e['line']}` | {e['status']} | {_cell(e['title'] or e['key'])}"
            f" | {_cell(e['reason'])} |"
            for e in entries[:MAX_ROWS]
        ]
        out.append("")
    if findings:
        out += [f"### Findings on the list ({len(findings)})", ""]
        out += [f"- `{_where(f)}` {_cell(f['message'])}" for f in findings[:MAX_ROWS]]
        out.append("")
    changes = document.get("changes", [])
    if changes:
        out += [f"### Changes ({len(changes)})", ""]
        out += [f"- {c['kind']} `{c['key']}`: {_cell(c['detail'])}" for c in changes[:MAX_ROWS]]
        out.append("")
    return "\n".join(out)


def main(environ: Mapping[str, str] = os.environ) -> int:
    inputs = {
        k.removeprefix("INPUT_").lower(): v for k, v in environ.items() if k.startswith("INPUT_")
    }
    temp = Path(environ.get("RUNNER_TEMP") or ".")
    report = Path(inputs.get("report", "").strip() or temp / "list2bib-review.md")
    workspace = Path(environ.get("GITHUB_WORKSPACE") or Path.cwd())
    try:
        argv = command(inputs, report)
    except ValueError as exc:
        print(f"::error title=list2bib::{_escape(str(exc))}")
        _append(environ.get("GITHUB_OUTPUT"), "exit-code=2\n")
        return 2
    run = subprocess.run(argv, capture_output=True, text=True, check=False)
    sys.stderr.write(run.stderr)  # list2bib's own lines, as the log shows them
    try:
        document: dict[str, Any] | None = json.loads(run.stdout) if run.stdout.strip() else None
    except json.JSONDecodeError:
        document = None
    for line in warning_lines(document or {}, workspace):
        print(line)
    _append(environ.get("GITHUB_STEP_SUMMARY"), job_summary(document, run.returncode, argv,
                                                            run.stderr))  # fmt: skip
    bib = document["output"] if document else inputs.get("output", "")
    outputs = {"exit-code": str(run.returncode), "bib": bib, "report": str(report)}
    _append(environ.get("GITHUB_OUTPUT"), "".join(f"{k}={v}\n" for k, v in outputs.items()))
    return run.returncode


def _warning(file: str | None, line: int | None, title: str, message: str, workspace: Path) -> str:
    place = ""
    if file and line and not file.startswith("<"):
        path = Path(file)
        if path.is_absolute() and path.is_relative_to(workspace):
            path = path.relative_to(workspace)
        place = f"file={_escape_property(path.as_posix())},line={line},"
    return f"::warning {place}title={_escape_property(title)}::{_escape(message)}"


def _escape(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped as GitHub reads them."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _where(finding: Mapping[str, Any]) -> str:
    return f"{finding['file']}:{finding['line']}" if finding.get("file") else "(list)"


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    sys.exit(main())
