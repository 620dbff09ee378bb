"""The review report written beside the bib (`--report FILE`): per topic, every work's status, the
record chosen and the evidence for it, the candidates of ambiguous titles, and findings on the list.

One data structure (`report_data`, also the JSON format) rendered as Markdown or HTML.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from list2bib.errors import ConfigError
from list2bib.infra.files import write_atomic
from list2bib.model import Reference, RunResult, Status, WorkKind

FORMATS = (".md", ".html", ".json")
STATUS_LABELS = {
    "published": "published",
    "preprint": "preprint only",
    "web": "web page",
    "ambiguous": "ambiguous",
    "unresolved": "unresolved",
}
NO_TOPIC = "(no topic)"
LEFT_OUT = "Links left out (not works; --include-links writes them)"


def status_of(reference: Reference) -> str:
    """One of STATUS_LABELS: how the work was settled, as a reader of the list cares."""
    if reference.status is Status.AMBIGUOUS:
        return "ambiguous"
    if reference.status is Status.UNRESOLVED:
        return "unresolved"
    kind = reference.record.kind
    if kind is WorkKind.PUBLISHED:
        return "published"
    return "web" if kind is WorkKind.WEB else "preprint"


def counts(result: RunResult) -> Counter[str]:
    return Counter(status_of(r) for r in result.references)


def _work(reference: Reference) -> dict[str, Any]:
    record = reference.record
    venue = record.venue.get("booktitle") or record.venue.get("journal") or ""
    return {
        "key": reference.key,
        "status": status_of(reference),
        "incomplete": reference.incomplete,
        "title": record.title,
        "authors": [p.family for p in record.authors][:3]
        + (["et al."] * (len(record.authors) > 3)),
        "year": record.year,
        "venue": venue or record.venue.get("howpublished", ""),
        "doi": record.doi,
        "arxiv": record.arxiv_id,
        "url": record.url,
        "listed_at": [e.where for e in reference.entries],
        "list_titles": sorted({e.title for e in reference.entries if e.title}),
        "evidence": list(reference.evidence),
        "problems": list(reference.problems),
        "lint": list(reference.lint),
        "candidates": [
            {
                "title": c.record.title,
                "source": c.record.source,
                "score": round(c.score, 1),
                "year": c.record.year,
                "doi": c.record.doi,
                "arxiv": c.record.arxiv_id,
                "reason": c.reason,
            }
            for c in reference.candidates
        ],
    }


def report_data(result: RunResult) -> dict[str, Any]:
    """The report as plain data: totals, then topics in list order, each with its works."""
    topics: dict[str, list[dict[str, Any]]] = {}
    for reference in result.references:
        for topic in reference.topics or (NO_TOPIC,):
            topics.setdefault(topic, []).append(_work(reference))
    return {
        "output": result.output,
        "totals": {label: counts(result).get(label, 0) for label in STATUS_LABELS},
        # Works a failing service kept from a full check: the run was partial (exit 5).
        "incomplete": sorted(r.key for r in result.incomplete),
        "requests_by_host": dict(sorted(result.requests_by_host.items())),
        "lint": sorted({f for r in result.references for f in r.lint}),
        "topics": [{"topic": name, "works": works} for name, works in topics.items()],
        # Listed links that are no works, kept out of the bib (`--include-links` writes them).
        "left_out": [
            {
                "title": e.title,
                "url": e.links[0].url if e.links else "",
                "listed_at": e.where,
                "topic": e.topic_path,
                "reason": e.not_a_work,
            }
            for e in result.left_out
        ],
    }


def render_markdown(data: dict[str, Any]) -> str:
    totals = ", ".join(f"{n} {STATUS_LABELS[k]}" for k, n in data["totals"].items() if n)
    lines = [f"# Review of {data['output']}", "", f"{totals or 'no works'}.", ""]
    if data["incomplete"]:
        keys = ", ".join(f"`{k}`" for k in data["incomplete"])
        lines += [
            f"Partial run: a service failed for {len(data['incomplete'])} works, which kept "
            f"their previous entries (or were written as far as they could be checked): {keys}.",
            "",
        ]
    if data["lint"]:
        lines += ["## Findings on the list", "", *(f"- {_md(f)}" for f in data["lint"]), ""]
    if data["left_out"]:
        lines += [f"## {LEFT_OUT}", ""]
        lines += [f"- {_left_out(link, _md)}" for link in data["left_out"]]
        lines.append("")
    for topic in data["topics"]:
        lines += [f"## {_md(topic['topic'])}", ""]
        for work in topic["works"]:
            flag = " (incomplete: a service failed)" if work["incomplete"] else ""
            lines.append(
                f"- **{STATUS_LABELS[work['status']]}**{flag} `{work['key']}`: {_md(_cite(work))}"
            )
            lines.append(f"  - listed at {', '.join(work['listed_at'])}")
            for label, items in (
                ("evidence", work["evidence"]),
                ("problem", work["problems"]),
                ("finding", work["lint"]),
            ):
                lines += [f"  - {label}: {_md(item)}" for item in items]
            for c in work["candidates"]:
                lines.append(
                    f"  - candidate ({c['source']}, {c['score']}): {_md(c['title'])}"
                    f" [{c['year'] or 'n.d.'}] — {_md(c['reason'])}"
                )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cite(work: dict[str, Any]) -> str:
    parts = [work["title"] or work["url"] or "(untitled)"]
    if work["venue"]:
        parts.append(work["venue"])
    if work["year"]:
        parts.append(str(work["year"]))
    ident = (
        f"doi:{work['doi']}" if work["doi"] else (f"arXiv:{work['arxiv']}" if work["arxiv"] else "")
    )
    return ". ".join(parts) + (f" ({ident})" if ident else "")


def _left_out(
    link: dict[str, str], escape: Callable[[str], str], code: tuple[str, str] = ("", "")
) -> str:
    """One link left out as no work: what it is, why, where the list has it, and where it goes."""
    return (
        f"{escape(link['title'] or link['url'])}: {escape(link['reason'])}, "
        f"listed at {escape(link['listed_at'])} ({code[0]}{escape(link['url'])}{code[1]})"
    )


def _md(text: str) -> str:
    """Text safe inside a Markdown list item: no accidental emphasis, links or line breaks."""
    out = " ".join(str(text).split())
    for char in "\\`*_[]<>|":
        out = out.replace(char, "\\" + char)
    return out


def render_html(data: dict[str, Any]) -> str:
    e = html.escape
    totals = ", ".join(f"{n} {STATUS_LABELS[k]}" for k, n in data["totals"].items() if n)
    body = [f"<h1>Review of {e(data['output'])}</h1>", f"<p>{e(totals or 'no works')}.</p>"]
    if data["lint"]:
        body.append("<h2>Findings on the list</h2><ul>")
        body += [f"<li>{e(f)}</li>" for f in data["lint"]]
        body.append("</ul>")
    if data["left_out"]:
        body.append(f"<h2>{e(LEFT_OUT)}</h2><ul>")
        code = ("<code>", "</code>")
        body += [f"<li>{_left_out(link, e, code)}</li>" for link in data["left_out"]]
        body.append("</ul>")
    for topic in data["topics"]:
        body.append(f"<h2>{e(topic['topic'])}</h2><ul>")
        for work in topic["works"]:
            status = work["status"]
            body.append(
                f'<li class="{status}"><b>{e(STATUS_LABELS[status])}</b> '
                f"<code>{e(work['key'])}</code>: {e(_cite(work))}<ul>"
                f"<li>listed at {e(', '.join(work['listed_at']))}</li>"
            )
            for label, items in (
                ("evidence", work["evidence"]),
                ("problem", work["problems"]),
                ("finding", work["lint"]),
            ):
                body += [f"<li>{label}: {e(item)}</li>" for item in items]
            body += [
                f"<li>candidate ({e(c['source'])}, {c['score']}): {e(c['title'])} "
                f"[{e(str(c['year'] or 'n.d.'))}] — {e(c['reason'])}</li>"
                for c in work["candidates"]
            ]
            body.append("</ul></li>")
        body.append("</ul>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:auto}"
        ".ambiguous,.unresolved{color:#a00}.web{color:#555}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Review of {e(data['output'])}</title><style>{style}</style></head>"
        "<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def check_report_path(path: Path | None) -> None:
    """Fail before any network use when the report cannot be written in a known format."""
    if path is None:
        return
    if path.suffix.lower() not in FORMATS:
        raise ConfigError(f"{path}: a report must end in one of {', '.join(FORMATS)}")
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; give a report file name")


def write_report(path: Path, result: RunResult) -> None:
    """Write the report in the format its extension names (atomically, like the bib)."""
    check_report_path(path)
    suffix = path.suffix.lower()
    data = report_data(result)
    if suffix == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif suffix == ".html":
        text = render_html(data)
    else:
        text = render_markdown(data)
    write_atomic(path, text)
