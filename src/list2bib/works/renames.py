"""The rename map `<bib>.renames.json`: old key -> the key that now carries the work, so a
`\\cite{oldkey}` can be fixed by hand or by script. Keys only ever join it; chains are followed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from list2bib.errors import InputError
from list2bib.infra.files import write_atomic
from list2bib.works.merge import MergePlan


def renames_path(bib: Path) -> Path:
    return bib.with_name(bib.name + ".renames.json")


def load_renames(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a rename map ({error}); fix or delete it") from error
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InputError(f'{path}: a rename map is one JSON object {{"old key": "new key"}}')
    return dict(data)


def renamed_this_run(merged: MergePlan, keys: Mapping[str, str]) -> dict[str, str]:
    """Every alias of a work (an old key, a replaced placeholder's key) -> the work's key now."""
    return {
        alias: keys[work_id]
        for work_id, names in merged.aliases.items()
        for alias in names
        if alias != keys[work_id]
    }


def merged_this_run(merged: MergePlan, keys: Mapping[str, str]) -> dict[str, list[str]]:
    """A work's key now -> the keys of the file's entries merged into it on this run."""
    return {
        keys[work_id]: [k for k in names if k != keys[work_id]]
        for work_id, names in merged.merged.items()
    }


def updated_renames(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """`old` plus `new`, chains followed (a -> b, b -> c gives a -> c), sorted by old key."""
    combined = {**old, **new}
    result: dict[str, str] = {}
    for start in combined:
        target, seen = combined[start], {start}
        while target in combined and target not in seen:
            seen.add(target)
            target = combined[target]
        if target != start:
            result[start] = target
    return dict(sorted(result.items(), key=lambda item: (item[0].casefold(), item[0])))


def save_renames(path: Path, renames: Mapping[str, str]) -> bool:
    """Write the map when it has entries and differs from the file; True when written."""
    if not renames:
        return False
    text = json.dumps(dict(renames), ensure_ascii=False, indent=1) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    write_atomic(path, text)
    return True
