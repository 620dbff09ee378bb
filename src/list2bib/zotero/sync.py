"""Apply a plan to the group: check the key, bring the index up to date, write collections then
items in batches of ≤ 50, and re-read and re-plan when the library moved underneath."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from list2bib.model import Reference
from list2bib.zotero.access import check_access, require_write
from list2bib.zotero.client import MAX_WRITE, ZoteroClient
from list2bib.zotero.index import Index
from list2bib.zotero.items import Desired, desired, identity, syncable
from list2bib.zotero.plan import DEFAULT_ROOT, ItemWrite, Plan, make_plan

logger = logging.getLogger("list2bib")

# Re-read and re-plan at most this often when someone else writes to the group meanwhile.
MAX_ROUNDS = 4
# Per-object failures that a fresh read can cure: version conflict, missing collection, the
# loser of a race on the same key.
RETRYABLE = frozenset({412, 409, 500})


@dataclass
class SyncResult:
    plan: Plan
    dry_run: bool = False
    done: dict[str, list[str]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return len(self.done.get(action, []))


@dataclass
class _Round:
    retry: str = ""  # "" | "incremental" | "full"
    failures: list[tuple[str, int, str]] = field(default_factory=list)
    pending: list[tuple[str, int, str]] = field(default_factory=list)  # retryable ones


def wanted_from(references: Sequence[Reference]) -> tuple[list[Desired], list[str], list[str]]:
    """(items to sync, identities to keep but not write, labels of works not synced)."""
    wanted: list[Desired] = []
    keep: list[str] = []
    skipped: list[str] = []
    for ref in references:
        item = desired(ref) if syncable(ref) else None
        if item is not None:
            wanted.append(item)
            continue
        skipped.append(f"{ref.key}: {ref.status.value}, not synced")
        ident = identity(ref.record)
        if ident:
            keep.append(ident)
    return wanted, keep, skipped


def sync(
    references: Sequence[Reference],
    client: ZoteroClient,
    index_path: Path,
    *,
    root: str = DEFAULT_ROOT,
    adopt: bool = True,
    prune: bool = False,
    dry_run: bool = False,
) -> SyncResult:
    """Make the group hold `references`, filed by topic under `root`; idempotent."""
    wanted, keep, skipped = wanted_from(references)
    notes: list[str] = []
    if dry_run:
        access = check_access(client)
        if not access.read:
            require_write(client)
        if not access.write:
            notes.append(f"the key cannot write to group {client.group}: {access.problem}")
    else:
        require_write(client)
    index = Index.load(index_path, client.group)
    index.refresh(client)
    result: SyncResult | None = None
    full_read = False
    outcome = _Round()
    for _ in range(MAX_ROUNDS):
        plan = make_plan(wanted, index, root=root, adopt=adopt, prune=prune, keep=keep)
        if result is None:
            result = SyncResult(plan, dry_run, notes=notes + list(plan.notes), skipped=skipped)
        if dry_run or plan.empty:
            break
        outcome = _apply(plan, client, index, result)
        index.save(index_path)
        result.failed.extend(
            f"{label}: HTTP {code} {message}" for label, code, message in outcome.failures
        )
        if not outcome.retry:
            break
        if outcome.retry == "full" and not full_read:
            full_read = True
            index = Index(client.group)
        index.refresh(client)
    else:
        result = result or SyncResult(Plan())
        result.failed.extend(f"{label}: HTTP {code} {msg}" for label, code, msg in outcome.pending)
        result.failed.append("the group kept changing during the sync; run it again")
    index.save(index_path)
    assert result is not None
    result.failed = list(dict.fromkeys(result.failed))  # a retried round may repeat one
    return result


def _apply(plan: Plan, client: ZoteroClient, index: Index, result: SyncResult) -> _Round:
    """Collections first (items name them), parents before children, then the item writes."""
    outcome = _Round()
    bodies: list[dict[str, object]] = [
        {"key": c.key, "version": 0, "name": c.name, "parentCollection": c.parent}
        for c in plan.collections
    ]
    labels = [f"collection {c.path}" for c in plan.collections]
    if _write(
        client, index, "collections", bodies, labels, ["collection"] * len(bodies), result, outcome
    ):
        writes: list[ItemWrite] = list(plan.writes)
        bodies = [w.body() for w in writes]
        labels = [w.label for w in writes]
        _write(client, index, "items", bodies, labels, [w.action for w in writes], result, outcome)
    return outcome


def _write(
    client: ZoteroClient,
    index: Index,
    kind: str,
    bodies: list[dict[str, object]],
    labels: list[str],
    actions: list[str],
    result: SyncResult,
    outcome: _Round,
) -> bool:
    """Write in batches; False when a whole request met a conflict (re-read, then re-plan)."""
    for start in range(0, len(bodies), MAX_WRITE):
        batch = bodies[start : start + MAX_WRITE]
        report = client.write(kind, batch, index.version)
        if report.conflict:
            logger.info("zotero: %s; reading the group again", report.conflict)
            outcome.retry = outcome.retry or "incremental"
            return False
        # Only our own writes happened since index.version (the precondition held), so the
        # index is current once their answers are recorded.
        index.version = report.version
        for i, obj in report.successful.items():
            index.put(kind, obj["data"])
            result.done.setdefault(actions[start + i], []).append(labels[start + i])
        for i, failure in report.failed.items():
            if failure.code in RETRYABLE:
                # A create's 412 means the key exists though the index did not know it.
                outcome.retry = "full" if failure.code == 412 else outcome.retry or "incremental"
                logger.info("zotero: %s: %s; will re-read", labels[start + i], failure.message)
                outcome.pending.append((labels[start + i], failure.code, failure.message))
            else:
                outcome.failures.append((labels[start + i], failure.code, failure.message))
    return True
