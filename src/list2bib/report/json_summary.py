"""The run's result as one JSON document for scripts (`--json`): counts per topic, every list
entry that needs a look with its file, line and reason, findings on the list, changes, exit code.
The README's "JSON summary" section is its schema; `SCHEMA` names its version."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from list2bib.model import RunResult, Status
from list2bib.report.changes import Change
from list2bib.report.review import STATUS_LABELS, status_of
from list2bib.report.summary import counts_by_topic

SCHEMA = "list2bib-summary/1"
# "papers.md:12: ..." -> file, line, message (a finding's own form, see resolve.settle).
_WHERE = re.compile(r"(?P<file>.+?):(?P<line>\d+): (?P<message>.*)", re.DOTALL)


def summary_document(
    result: RunResult,
    *,
    command: str,
    exit_code: int,
    changes: Sequence[Change] = (),
    removed: Sequence[str] = (),
    would_change: bool = False,
) -> dict[str, Any]:
    """The document as plain data, in the order the README's schema lists its fields."""
    totals = Counter(status_of(r) for r in result.references)
    return {
        "schema": SCHEMA,
        "command": command,
        "exit_code": exit_code,
        "output": result.output,
        "written": result.written,
        "would_change": would_change,
        "totals": {"works": len(result.references)}
        | {label: totals.get(label, 0) for label in STATUS_LABELS},
        "topics": [
            {"topic": topic, "works": row["works"]}
            | {label: row.get(label, 0) for label in STATUS_LABELS}
            for topic, row in counts_by_topic(result).items()
        ],
        "entries": _entries(result),
        "findings": [_finding(f) for f in sorted({f for r in result.references for f in r.lint})],
        "incomplete": sorted(r.key for r in result.incomplete),
        "kept": list(result.kept),
        "removed": list(removed),
        "left_out": [
            {"file": e.source, "line": e.line, "title": e.title, "reason": e.not_a_work}
            for e in result.left_out
        ],
        "changes": [
            {"kind": c.kind, "key": c.key, "detail": c.detail, "fields": list(c.fields)}
            for c in changes
        ],
        "requests": sum(result.requests_by_host.values()),
    }


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def _entries(result: RunResult) -> list[dict[str, Any]]:
    """A row per list entry of a work that is unresolved or ambiguous, or resolved with a
    warning (a link that points elsewhere): where it is listed and why it needs a look."""
    rows: list[dict[str, Any]] = []
    for ref in sorted(result.references, key=lambda r: r.key):
        if ref.status is Status.RESOLVED and not ref.problems:
            continue
        status = "warning" if ref.status is Status.RESOLVED else ref.status.value
        reason = "; ".join(ref.problems) or "not verified"
        title = ref.record.title or next((e.title for e in ref.entries if e.title), "")
        rows.extend(
            {
                "file": entry.source,
                "line": entry.line,
                "status": status,
                "key": ref.key,
                "title": title,
                "reason": reason,
                "candidates": [c.record.title for c in ref.candidates],
            }
            for entry in ref.entries
        )
    return rows


def _finding(text: str) -> dict[str, Any]:
    found = _WHERE.fullmatch(text)
    if found is None:
        return {"file": None, "line": None, "message": text}
    return {"file": found["file"], "line": int(found["line"]), "message": found["message"]}
