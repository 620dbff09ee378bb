"""RunResult -> what the user reads: a summary table per topic and the entries that need a look."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from list2bib.model import Reference, RunResult, Status
from list2bib.report.changes import Change, summary_lines
from list2bib.report.review import status_of

COLUMNS = ("works", "published", "preprint", "web", "ambiguous", "unresolved")
MAX_LINES = 30  # entries listed without -v


def category(reference: Reference) -> str:
    """One of COLUMNS[1:]: how the work was settled (the review report's statuses)."""
    return status_of(reference)


def counts_by_topic(result: RunResult) -> dict[str, Counter[str]]:
    """topic path -> counts per column; a work listed under two topics counts in both."""
    table: dict[str, Counter[str]] = {}
    for ref in result.references:
        for topic in ref.topics or ("(no topic)",):
            row = table.setdefault(topic, Counter())
            row[category(ref)] += 1
            row["works"] += 1
    return table


def summary_table(result: RunResult) -> Table:
    table = Table(title=f"{len(result.references)} works -> {result.output}")
    table.add_column("topic")
    for column in COLUMNS:
        table.add_column(column, justify="right")
    for topic, row in counts_by_topic(result).items():
        table.add_row(topic, *(str(row[c]) for c in COLUMNS))
    totals = Counter(category(ref) for ref in result.references)
    totals["works"] = len(result.references)
    table.add_section()
    table.add_row("all works", *(str(totals[c]) for c in COLUMNS), style="bold")
    return table


def needs_attention(result: RunResult) -> list[str]:
    """A line per unresolved work (where listed, why), then per resolved work with warnings."""
    lines: list[str] = []
    for ref in sorted(result.references, key=lambda r: r.key):
        where = ", ".join(e.where for e in ref.entries)
        label = ref.record.title or (ref.record.url or ref.key)
        if ref.status is not Status.RESOLVED:
            why = "; ".join(ref.problems) or "not verified"
            lines.append(f"{ref.status.value} {ref.key} ({where}): {label} - {why}")
    for ref in sorted(result.references, key=lambda r: r.key):
        if ref.status is Status.RESOLVED and ref.problems:
            where = ", ".join(e.where for e in ref.entries)
            lines.append(f"warning {ref.key} ({where}): {'; '.join(ref.problems)}")
    return lines


def service_failures(result: RunResult) -> list[str]:
    """Failures shared by several unresolved entries ('arxiv: rate limited ...'), most common
    first, so an outage reads as one line rather than one per entry."""
    counts: Counter[str] = Counter()
    for ref in result.references:
        if ref.status is Status.RESOLVED:
            continue
        for problem in ref.problems:
            # "arxiv:2202.05262: arxiv: rate limited (HTTP 429 after 5 attempts)"
            _, _, cause = problem.partition(": ")
            if ":" in problem.split(" ", 1)[0] and ": " in cause:
                counts[cause] += 1
    return [f"{n} entries: {cause}" for cause, n in counts.most_common() if n > 1]


def left_out_line(result: RunResult) -> str:
    """`left out 4 listed links that are not works (3 chat invites, 1 tool page); ...`."""
    reasons = Counter(_kind_of(e.not_a_work or "") for e in result.left_out)
    kinds = ", ".join(f"{n} × {why}" for why, n in reasons.most_common())
    count = len(result.left_out)
    return (
        f"left out {count} listed {'link' if count == 1 else 'links'} that "
        f"{'is' if count == 1 else 'are'} not works ({kinds}); --include-links writes them, "
        "--report lists them"
    )


def _kind_of(reason: str) -> str:
    """`a chat invite (discord.gg)` -> `a chat invite`: the count is per kind, not per site."""
    return reason.split(" (", 1)[0]


def print_summary(result: RunResult, console: Console, *, verbose: bool = False) -> None:
    console.print(summary_table(result))
    for line in service_failures(result):
        console.print(f"service failure, {line}", markup=False, highlight=False, soft_wrap=True)
    attention = needs_attention(result)
    shown = attention if verbose else attention[:MAX_LINES]
    for line in shown:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    hidden = len(attention) - len(shown)
    if hidden > 0:
        console.print(f"... and {hidden} more (use -v to see all)", markup=False)
    if result.kept:
        console.print(
            f"kept {len(result.kept)} {'entry' if len(result.kept) == 1 else 'entries'} of "
            f"{result.output} that no list produces: "
            + ", ".join(result.kept[:10])
            + (" ..." if len(result.kept) > 10 else ""),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if result.left_out:
        console.print(left_out_line(result), markup=False, highlight=False, soft_wrap=True)
    findings = sorted({finding for ref in result.references for finding in ref.lint})
    if findings:
        console.print(
            f"{len(findings)} findings on the list itself (wrong venue or year hints, ...)"
            + ("" if verbose else "; -v or --report shows them"),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        for finding in findings if verbose else ():
            console.print(f"finding {finding}", markup=False, highlight=False, soft_wrap=True)
    requests = sum(result.requests_by_host.values())
    state = "written" if result.written else "unchanged"
    console.print(
        f"{result.output}: {state}; {requests} network requests", markup=False, highlight=False
    )


def print_changes(changes: Sequence[Change], console: Console, *, verbose: bool = False) -> None:
    """One line per kind of change (added, upgraded, changed, merged, edited, kept, removed) with
    the keys concerned; `verbose` lists every key and why."""
    if verbose:
        for change in changes:
            line = f"{change.kind} {change.key}" + (f": {change.detail}" if change.detail else "")
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        return
    for line in summary_lines([c for c in changes if c.kind != "kept"]):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
