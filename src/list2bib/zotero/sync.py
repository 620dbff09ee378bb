"""Apply a plan to the group: check the key, bring the index up to date, write collections then
items in batches of ≤ 50, and re-read and re-plan when the library moved underneath.

A write whose answer was lost (the transport's retry met `412 Write token already used`) was
carried out: the group is read again, the write's objects are counted as done when they now carry
a newer version, and the rest is planned again; such rounds make progress, so they do not use up
the rounds allowed for other clients' writes. When the transport gives up (retries or the host's
breaker exhausted), the sync stops with one line saying whether anything was written; a later run
finishes it without duplicates, because new objects have deterministic keys."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from list2bib.errors import ServiceError, ZoteroError
from list2bib.model import Record, Reference
from list2bib.text.identity import item_identity, normal_doi
from list2bib.zotero.access import check_access, require_write
from list2bib.zotero.client import MAX_WRITE, ZoteroClient
from list2bib.zotero.index import Index
from list2bib.zotero.items import Desired, desired, syncable
from list2bib.zotero.merge import base_of
from list2bib.zotero.plan import DEFAULT_ROOT, ItemWrite, Plan, make_plan

logger = logging.getLogger("list2bib")

# Re-read and re-plan at most this often when someone else writes to the group meanwhile.
MAX_ROUNDS = 4
# A bound on all rounds, those after lost answers included (each of them lands one write).
MAX_ALL_ROUNDS = 20
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
    # Works a service failed for this run: their items were left exactly as they were.
    held: list[str] = field(default_factory=list)
    # list2bib's key -> the citation key a member set on the work's item (the bib takes it).
    pinned: dict[str, str] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return len(self.done.get(action, []))


@dataclass(frozen=True, slots=True)
class _Unconfirmed:
    """One object of a write that was carried out but whose answer was lost."""

    kind: str
    key: str
    version: int  # the library version the write was made against
    action: str
    label: str
    sent: tuple[str, ...] = ()  # the fields the write sent


@dataclass
class _Round:
    retry: str = ""  # "" | "committed" (an answer was lost) | "incremental" | "full"
    failures: list[tuple[str, int, str]] = field(default_factory=list)
    pending: list[tuple[str, int, str]] = field(default_factory=list)  # retryable ones
    unconfirmed: list[_Unconfirmed] = field(default_factory=list)

    def ask(self, retry: str) -> None:
        """Raise the re-read needed to at least `retry` (a full read covers the others)."""
        order = ("", "committed", "incremental", "full")
        if order.index(retry) > order.index(self.retry):
            self.retry = retry


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the lists ask of the group this run."""

    items: list[Desired]
    keep: list[str]  # identities of works not written this run, whose items are never pruned
    skipped: list[str]  # works no service verified (unresolved, a page that did not answer)
    held: list[str]  # works a failing service left short: their items stay as they are
    lists: set[str] = field(default_factory=set)  # every list synced this run


def wanted_from(
    references: Sequence[Reference], conference: Callable[[Record], str] | None = None
) -> Wanted:
    """Split the references into what is written and what is only protected."""
    wanted = Wanted([], [], [], [])
    for ref in references:
        wanted.lists.update(e.source for e in ref.entries)
        item = desired(ref, conference) if syncable(ref) else None
        if item is not None:
            wanted.items.append(item)
            continue
        if ref.incomplete:
            title = ref.record.title[:60]
            wanted.held.append(f"{ref.key} ({title}): a service failed for it; item left as it is")
        else:
            wanted.skipped.append(f"{ref.key}: {ref.status.value}, not synced")
        # Every id the record carries: the item may have been written under any of them.
        record = ref.record
        names = [item_identity(record), f"doi:{normal_doi(record.doi)}" if record.doi else None]
        names.append(f"arxiv:{record.arxiv_id}" if record.arxiv_id else None)
        wanted.keep.extend(n for n in dict.fromkeys(names) if n)
    return wanted


def sync(
    references: Sequence[Reference],
    client: ZoteroClient,
    index_path: Path,
    *,
    root: str = DEFAULT_ROOT,
    adopt: bool = True,
    prune: bool = False,
    dry_run: bool = False,
    conference: Callable[[Record], str] | None = None,
) -> SyncResult:
    """Make the group hold `references`, filed by topic under `root`; idempotent. `conference`
    names a published record's conference from the venue table (the caller passes
    `resolve.venues.conference_name`).

    A run in which a service failed for some works writes nothing for them and trashes nothing:
    which items no list produces is only known when every work was settled."""
    asked = wanted_from(references, conference)
    notes: list[str] = []
    if asked.held and prune:
        prune = False
        notes.append(
            f"nothing trashed (--prune): a service failed for {len(asked.held)} works this run"
        )
    index = Index.load(index_path, client.group)
    try:
        if dry_run:
            access = check_access(client)
            if not access.read:
                require_write(client)
            if not access.write:
                notes.append(f"the key cannot write to group {client.group}: {access.problem}")
        else:
            require_write(client)
        index.refresh(client)
        return _rounds(asked, notes, client, index, index_path, root=root, adopt=adopt,
                       prune=prune, dry_run=dry_run)  # fmt: skip
    except ServiceError as exc:
        raise ZoteroError(_stopped(exc, client)) from None
    finally:
        # What was read or written so far is kept: the index is consistent at every step (its
        # version only moves once everything up to it is recorded).
        index.save(index_path)


def _rounds(
    asked: Wanted,
    notes: list[str],
    client: ZoteroClient,
    index: Index,
    index_path: Path,
    *,
    root: str,
    adopt: bool,
    prune: bool,
    dry_run: bool,
) -> SyncResult:
    """Plan, write, and re-read and re-plan while a write met a conflict or lost its answer."""
    result: SyncResult | None = None
    full_read = False
    contended = 0
    for _ in range(MAX_ALL_ROUNDS):
        plan = make_plan(asked.items, index, root=root, adopt=adopt, prune=prune,
                         keep=asked.keep, lists=asked.lists)  # fmt: skip
        if result is None:
            result = SyncResult(
                plan, dry_run, notes=notes + list(plan.notes), skipped=asked.skipped,
                held=asked.held,
            )  # fmt: skip
        result.pinned = dict(plan.pinned)
        if dry_run:
            break
        for key, fields in plan.agreed.items():
            index.wrote(key, fields)
        index.owned.update(plan.owned)  # intent, kept before writing: a re-plan reads it
        if plan.empty:
            break
        outcome = _apply(plan, client, index, result)
        index.save(index_path)
        result.failed.extend(
            f"{label}: HTTP {code} {message}" for label, code, message in outcome.failures
        )
        if not outcome.retry:
            break
        if outcome.retry != "committed":
            contended += 1
            if contended >= MAX_ROUNDS:
                _give_up(result, outcome)
                break
        if outcome.retry == "full" and not full_read:
            full_read = True
            index.forget_all()
        index.refresh(client)
        _confirm(outcome.unconfirmed, index, result)
    else:
        assert result is not None
        _give_up(result, _Round())
    assert result is not None
    result.failed = list(dict.fromkeys(result.failed))  # a retried round may repeat one
    return result


def _give_up(result: SyncResult, outcome: _Round) -> None:
    result.failed.extend(f"{label}: HTTP {code} {msg}" for label, code, msg in outcome.pending)
    result.failed.append("the group kept changing during the sync; run it again")


def _confirm(unconfirmed: Sequence[_Unconfirmed], index: Index, result: SyncResult) -> None:
    """Count the objects of a write whose answer was lost as done when the group, read again,
    holds them at a version newer than the one the write was made against."""
    for obj in unconfirmed:
        store = index.items if obj.kind == "items" else index.collections
        if int(store.get(obj.key, {}).get("version", 0)) > obj.version:
            result.done.setdefault(obj.action, []).append(obj.label)
            if obj.kind == "items":
                index.wrote(obj.key, base_of(store[obj.key], obj.sent))


def _stopped(exc: ServiceError, client: ZoteroClient) -> str:
    """One line for a sync the transport gave up on: why, and what the group is left with."""
    reason = str(exc).removeprefix("zotero: ")
    if not client.writes_sent:
        return f"zotero: {reason}; nothing was written to group {client.group}; try again later"
    return (
        f"zotero: {reason}; the sync of group {client.group} stopped part-way: run it again to"
        " finish (nothing is duplicated)"
    )


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
        actions = [w.action for w in writes]
        written = _write(client, index, "items", bodies, labels, actions, result, outcome)
        if written and not outcome.pending and not outcome.failures:
            _remove(plan.removals, client, index, result, outcome)
    return outcome


def _remove(
    removals: Sequence[tuple[str, str]],
    client: ZoteroClient,
    index: Index,
    result: SyncResult,
    outcome: _Round,
) -> None:
    """Delete the empty collections no list files into, once the items have moved out."""
    for start in range(0, len(removals), MAX_WRITE):
        batch = removals[start : start + MAX_WRITE]
        version = client.delete_collections([key for key, _ in batch], index.version)
        if version is None:
            outcome.ask("incremental")  # the group moved: read it again and plan again
            return
        index.version = version
        for key, path in batch:
            index.collections.pop(key, None)
            result.done.setdefault("remove", []).append(f"collection {path}")


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
        if report.committed:
            # Carried out, but its answer was lost: what it did is read back from the group.
            logger.info("zotero: a write's answer was lost; reading the group again")
            outcome.ask("committed")
            outcome.unconfirmed.extend(
                _Unconfirmed(kind, str(body["key"]), index.version, actions[start + i],
                             labels[start + i], tuple(body))
                for i, body in enumerate(batch)
            )  # fmt: skip
            return False
        if report.conflict:
            logger.info("zotero: %s; reading the group again", report.conflict)
            outcome.ask("incremental")
            return False
        # Only our own writes happened since index.version (the precondition held), so the
        # index is current once their answers are recorded.
        index.version = report.version
        for i, obj in report.successful.items():
            index.put(kind, obj["data"])
            if kind == "items":
                index.wrote(str(obj["data"]["key"]), base_of(obj["data"], batch[i]))
            result.done.setdefault(actions[start + i], []).append(labels[start + i])
        for i, failure in report.failed.items():
            if failure.code in RETRYABLE:
                # A create's 412 means the key exists though the index did not know it.
                outcome.ask("full" if failure.code == 412 else "incremental")
                logger.info("zotero: %s: %s; will re-read", labels[start + i], failure.message)
                outcome.pending.append((labels[start + i], failure.code, failure.message))
            else:
                outcome.failures.append((labels[start + i], failure.code, failure.message))
    return True
