"""What a run changed in references.bib and why: added, upgraded to published, metadata changed,
merged, hand edits kept, kept (in no list), removed (pruned); as Markdown or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from list2bib.bibtex.parse import BibEntry
from list2bib.errors import ConfigError
from list2bib.infra.files import write_atomic
from list2bib.model import Reference

KINDS = {
    "added": "Added",
    "upgraded": "Upgraded to the published version",
    "changed": "Metadata changed",
    "merged": "Merged (old keys kept as aliases)",
    "edited": "Hand edits kept",
    "kept": "Kept, not in any list",
    "removed": "Removed (--prune)",
}
FORMATS = (".md", ".json")


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # one of KINDS
    key: str
    detail: str
    fields: tuple[str, ...] = ()


def compute(
    old: Mapping[str, BibEntry],
    references: Sequence[Reference],
    new_fields: Mapping[str, Mapping[str, str]],
    new_types: Mapping[str, str],
    *,
    merged: Mapping[str, Sequence[str]] = {},
    edits: Mapping[str, Sequence[str]] = {},
    kept: Sequence[str] = (),
    removed: Sequence[BibEntry] = (),
) -> list[Change]:
    """Compare the file before (`old`, by key) with the references written now (their fields as
    read back, `new_fields`, and BibTeX types). Entries kept verbatim are not in `new_fields`."""
    found: list[Change] = []
    for ref in sorted(references, key=lambda r: r.key.casefold()):
        fields = new_fields.get(ref.key)
        if fields is None:
            continue  # written verbatim from the old file
        before = old.get(ref.key)
        aliases = merged.get(ref.key, ())
        if before is None:  # a new key for an old entry (a placeholder given its proper key)
            before = next((old[alias] for alias in aliases if alias in old), None)
        where = ", ".join(dict.fromkeys(e.where for e in ref.entries))
        why = "; ".join(ref.evidence)
        if before is None:
            found.append(Change("added", ref.key, _join(ref.record.title, f"listed at {where}")))
        elif (
            before.entry_type == "misc"
            and "eprint" in before.fields
            and new_types.get(ref.key, "misc") != "misc"
        ):
            venue = fields.get("booktitle") or fields.get("journal") or fields.get("doi", "")
            found.append(Change("upgraded", ref.key, _join(f"now {venue}", why)))
        else:
            diff = tuple(
                sorted(
                    name
                    for name in set(before.fields) | set(fields)
                    if before.fields.get(name) != fields.get(name)
                )
            )
            if diff or before.entry_type != new_types.get(ref.key, before.entry_type):
                found.append(Change("changed", ref.key, "fields: " + ", ".join(diff), diff))
        if merged.get(ref.key):
            found.append(Change("merged", ref.key, "was " + ", ".join(merged[ref.key])))
        if edits.get(ref.key):
            names = tuple(edits[ref.key])
            found.append(Change("edited", ref.key, "your " + ", ".join(names) + " kept", names))
    found += [Change("kept", key, "in no list") for key in kept]
    found += [Change("removed", e.key, e.fields.get("title", "")) for e in removed]
    order = list(KINDS)
    return sorted(found, key=lambda c: (order.index(c.kind), c.key.casefold(), c.key))


def _join(*parts: str) -> str:
    return " - ".join(p for p in parts if p)


def summary_lines(changes: Sequence[Change], limit: int = 10) -> list[str]:
    """One line per kind for the terminal: `added 2: a, b`."""
    lines: list[str] = []
    for kind in KINDS:
        keys = [c.key for c in changes if c.kind == kind]
        if keys:
            more = " ..." if len(keys) > limit else ""
            lines.append(f"{kind} {len(keys)}: {', '.join(keys[:limit])}{more}")
    return lines


def to_markdown(changes: Sequence[Change], output: str) -> str:
    lines = [f"# Changes to {output}", ""]
    if not changes:
        lines.append("Nothing changed.")
    for kind, title in KINDS.items():
        items = [c for c in changes if c.kind == kind]
        if not items:
            continue
        lines += [f"## {title} ({len(items)})", ""]
        lines += [f"- `{c.key}`" + (f": {c.detail}" if c.detail else "") for c in items]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_json(changes: Sequence[Change], output: str) -> str:
    data = {
        "output": output,
        "counts": {kind: sum(c.kind == kind for c in changes) for kind in KINDS},
        "changes": [
            {"kind": c.kind, "key": c.key, "detail": c.detail, "fields": list(c.fields)}
            for c in changes
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def check_path(path: Path) -> Path:
    if path.suffix.lower() not in FORMATS:
        raise ConfigError(f"--changes {path}: give a .md or .json file name")
    return path


def write(path: Path, changes: Sequence[Change], output: str) -> None:
    """Markdown or JSON by the file's extension, written atomically."""
    check_path(path)
    render = to_json if path.suffix.lower() == ".json" else to_markdown
    write_atomic(path, render(changes, output))
