"""Benchmark `list2bib build` against every local fake service with injected latency.

Prints, for a cold run (empty cache) and a warm run (same cache): HTTP requests per service, wall
seconds and peak memory, for
- the bundled example list;
- a generated list shaped like a real 100-entry awesome list (`awesome-llm-mechanism.md`: 75 arXiv
  papers, a third of them published at a venue, 16 blog and project pages, 1 OpenReview forum;
  target: about 20 requests in all, not one per entry per service);
- a generated list of arXiv ids, to show batching (target: one arXiv request per 1,000 ids);
- with --real, the real lists in ../shared/lists (the fakes do not know their papers, so every
  page is gone and searched by title: this shows the request pattern, not the results).
The services' real politeness intervals are used (arXiv: 3 s), on the real clock, unless
--no-waits (the test suite's tiny run: `--latency 0 --ids 5 --no-waits`).

    .venv/bin/python benchmarks/bench_build.py [--latency 0.15] [--ids 250] [--no-waits]
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeServices  # noqa: E402
from list2bib import pipeline  # noqa: E402
from list2bib.config import Config  # noqa: E402
from list2bib.model import RunResult  # noqa: E402
from synthetic import arxiv_id, synthetic_world, title  # noqa: E402

SHARED_LISTS = ROOT.parent / "shared" / "lists"


def measure(lists: list[Path], config: Config) -> tuple[RunResult, float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    result = pipeline.build(lists, config)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def report(
    label: str, result: RunResult, seconds: float, peak_mb: float, names: dict[str, str]
) -> None:
    hosts = ", ".join(
        f"{names.get(host, host)}={count}"
        for host, count in sorted(result.requests_by_host.items())
    )
    total = sum(result.requests_by_host.values())
    print(
        f"{label:<36} works={len(result.references):>4}  requests={total:>4} ({hosts or 'none'})  "
        f"wall={seconds:6.2f}s  peak-heap={peak_mb:6.1f} MiB"
    )


def generated_list(folder: Path, count: int) -> Path:
    path = folder / "generated.md"
    lines = ["# Generated", "", "## Papers", ""]
    lines += [
        f"Paper {n}. [[pdf](https://arxiv.org/abs/{arxiv_id(n)})] [2023.1]\n"
        for n in range(1, count + 1)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def shaped_list(folder: Path) -> Path:
    """Like awesome-llm-mechanism.md: 75 arXiv papers, 16 pages, 1 OpenReview forum."""
    path = folder / "shaped.md"
    lines = ["# Awesome Shaped", "", "## Papers", ""]
    lines += [
        f"- {title(n)}. [[pdf](https://arxiv.org/pdf/{arxiv_id(n)}.pdf)] [2023.1]"
        for n in range(1, 76)
    ]
    lines += ["", "## Blogs", ""]
    lines += [
        f"- Notes on Circuits, Part {n}. [[blog](https://blog{n}.example.org/posts/notes-{n}/)]"
        for n in range(1, 17)
    ]
    lines += ["", "## Reviewed", "", "- Let's Verify Step by Step. "
              "[[OpenReview](https://openreview.net/forum?id=v8L0pN6EOi)] [ICLR 2024]"]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds added to every answer")
    parser.add_argument("--ids", type=int, default=250, help="size of the generated arXiv list")
    parser.add_argument(
        "--real", action="store_true", help="also run the real lists in ../shared/lists (slow)"
    )
    parser.add_argument("--no-waits", action="store_true", help="no politeness intervals")
    args = parser.parse_args(argv)

    world = synthetic_world(arxiv=max(args.ids, 75), pages=16)
    with FakeServices(world, latency=args.latency) as fakes, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        names = {fakes.crossref.host: "crossref", fakes.doi.datacite.host: "datacite"}
        for name in ("arxiv", "doi", "s2", "dblp", "openreview", "acl", "web"):
            names[getattr(fakes, name).host] = "pages" if name == "web" else name
        intervals = "no intervals" if args.no_waits else "real intervals"
        print(f"every fake service with {args.latency * 1000:.0f} ms latency; {intervals}")
        services = fakes.service_configs(real_intervals=not args.no_waits)

        def config(label: str) -> Config:
            return fakes.config(
                folder, output=folder / f"{label}.bib", cache_dir=folder / label, services=services
            )

        runs = [("example list", [ROOT / "examples" / "papers.md"])]
        runs.append(("100-entry shaped list", [shaped_list(folder)]))
        runs.append((f"{args.ids} arXiv ids", [generated_list(folder, args.ids)]))
        if args.real and SHARED_LISTS.is_dir():
            runs += [(f"real: {p.stem[:24]}", [p]) for p in sorted(SHARED_LISTS.glob("*.md"))
                     if p.name != "README.md"]  # fmt: skip
        for label, lists in runs:
            result, seconds, peak = measure(lists, config(label.replace(" ", "_")))
            report(f"{label}, cold", result, seconds, peak, names)
            if not label.startswith("real"):
                report(f"{label}, warm", *measure(lists, config(label.replace(" ", "_"))), names)
            if label.endswith("arXiv ids"):
                arxiv_requests = result.requests_by_host.get(fakes.arxiv.host, 0)
                print(
                    f"arXiv: {arxiv_requests} requests for {args.ids} ids "
                    f"(target: at most one per 1,000 ids, {math.ceil(args.ids / 1000)})"
                )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
