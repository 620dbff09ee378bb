"""Cold runs through fakes that enforce each service's published rate limit, with real latency.

Each fake answers a request over its service's limit the way that service does (arXiv: 200
`Rate exceeded.` past 1 per 3 s; Semantic Scholar: 429 JSON without Retry-After past 1/s; DBLP:
429 HTML with Retry-After past 1/s; Crossref: 429 past 10/s), and every answer takes the
latency +- the jitter. Every 429 (or `Rate exceeded.`) a run earns is a pacing bug. Rows:
- a seed list shaped like `awesome-llm-mechanism.md` (75 arXiv papers, 16 pages, 1 OpenReview,
  and 15 ICLR papers whose year Semantic Scholar takes from the preprint: DBLP is asked);
- a Google Scholar `.bib` of 82 arXiv papers (`journal = {arXiv preprint arXiv:…}`);
- a list of classics: 215 papers, 75 of them by title alone;
- with --large, a list of 460 papers, 160 of them by title alone;
- with --proceedings-urls, the seed list again with `proceedings_urls` on: DBLP is also asked
  about its 20 NeurIPS papers without DOI whose year is not in doubt (their proceedings page).
Prints, per run: requests, 429s earned, wall seconds, peak heap. The test suite's tiny run:
`--latency 0 --small --no-waits` (no politeness intervals and no limits enforced).

    .venv/bin/python benchmarks/bench_pacing.py [--latency 0.15] [--jitter 0.06] [--large]
        [--proceedings-urls]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from bench_build import measure  # noqa: E402

from fakes import FakeServices  # noqa: E402
from list2bib.config import Config  # noqa: E402
from synthetic import (  # noqa: E402
    ICLR_OFFSET,
    arxiv_id,
    iclr_arxiv_id,
    synthetic_list,
    synthetic_world,
    title,
)

PROCEEDINGS_URLS = " +proc. urls"  # the label's end on the row run with `proceedings_urls` on


def seed_list(folder: Path, papers: int, pages: int, iclr: int = 0) -> Path:
    """Like awesome-llm-mechanism.md: arXiv papers, blog pages, one OpenReview forum, ICLR papers
    whose year is in doubt."""
    path = folder / "seed.md"
    lines = ["# Awesome Seed", "", "## Papers", ""]
    lines += [
        f"- {title(n)}. [[pdf](https://arxiv.org/pdf/{arxiv_id(n)}.pdf)] [2023.1]"
        for n in range(1, papers + 1)
    ]
    lines += ["", "## Blogs", ""]
    lines += [
        f"- Notes on Circuits, Part {n}. [[blog](https://blog{n}.example.org/posts/notes-{n}/)]"
        for n in range(1, pages + 1)
    ]
    lines += ["", "## Reviewed", "", "- Let's Verify Step by Step. "
              "[[OpenReview](https://openreview.net/forum?id=v8L0pN6EOi)] [ICLR 2024]"]  # fmt: skip
    lines += [
        f"- {title(ICLR_OFFSET + n)}. [[arXiv](https://arxiv.org/abs/{iclr_arxiv_id(n)})]"
        for n in range(1, iclr + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scholar_bib(folder: Path, papers: int) -> Path:
    """A Google Scholar export: the arXiv id only inside `journal`, no eprint, no URL."""
    path = folder / "scholar.bib"
    entries = [
        f"@article{{tester{n}2023paper,\n  title={{{title(n)}}},\n"
        f"  author={{Tester{n}, Ada}},\n  journal={{arXiv preprint arXiv:{arxiv_id(n)}}},\n"
        f"  year={{2023}}\n}}\n"
        for n in range(1, papers + 1)
    ]
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds added to an answer")
    parser.add_argument("--jitter", type=float, default=0.06, help="+- seconds on the latency")
    parser.add_argument("--small", action="store_true", help="a few entries per row")
    parser.add_argument("--large", action="store_true", help="also the 460-paper list")
    parser.add_argument(
        "--no-waits", action="store_true", help="no politeness intervals, no limits enforced"
    )
    parser.add_argument(
        "--proceedings-urls", action="store_true", help="the seed list again, proceedings_urls on"
    )
    args = parser.parse_args(argv)
    scale = 0.05 if args.small else 1.0

    def n(count: int) -> int:
        return max(1, round(count * scale))

    world = synthetic_world(arxiv=max(n(460), n(215)), pages=n(16), iclr=n(15))
    with FakeServices(world, latency=args.latency) as fakes, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        services = fakes.service_configs(real_intervals=not args.no_waits)
        services["page"] = replace(services["page"], min_interval=0.0)  # a local mirror
        print(
            f"services' limits {'not ' if args.no_waits else ''}enforced; latency "
            f"{args.latency * 1000:.0f} +- {args.jitter * 1000:.0f} ms"
        )
        seed = seed_list(folder, n(75), n(16), n(15))
        seed_label = f"seed list, {n(75) + n(16) + 1 + n(15)} entries"
        rows = [(seed_label, seed)]
        if args.proceedings_urls:
            rows.append((seed_label + PROCEEDINGS_URLS, seed))
        rows.append((f"Scholar .bib, {n(82)} arXiv papers", scholar_bib(folder, n(82))))
        classics = synthetic_list(folder, arxiv=n(215), titles=n(75))
        rows.append((f"{n(215)} classics, {n(75)} title only", classics))
        if args.large:
            big = folder / "large"
            big.mkdir()
            rows.append(
                (f"{n(460)} papers, {n(160)} title only",
                 synthetic_list(big, arxiv=n(460), titles=n(160)))
            )  # fmt: skip
        for row, (label, listed) in enumerate(rows):
            config: Config = fakes.config(
                folder,
                output=folder / f"out{row}.bib",
                cache_dir=folder / f"cache{row}",
                services=services,
                retries=4,
                proceedings_urls=label.endswith(PROCEEDINGS_URLS),
            )
            if not args.no_waits:  # each row a run of its own, a while after the last one
                fakes.enforce_limits(jitter=args.jitter)
            throttled_before = Counter(fakes.throttled())
            result, seconds, peak = measure([listed], config)
            requests = sum(result.requests_by_host.values())
            dblp = result.requests_by_host.get(fakes.dblp.host, 0)
            throttled = Counter(fakes.throttled()) - throttled_before
            print(
                f"{label:<36} works={len(result.references):>4} requests={requests:>4} "
                f"dblp={dblp:>3} "
                f"429s={throttled.total():>3} wall={seconds:6.1f}s peak-heap={peak:6.1f} MiB"
                + (f"  429s from {dict(throttled)}" if throttled else "")
            )
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
