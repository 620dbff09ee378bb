"""Benchmark `list2bib build` against the local fake services with injected latency.

Prints, for a cold run (empty cache) and a warm run (same cache): HTTP requests per host, wall
seconds and peak memory. Then the same for a generated list of arXiv ids, to show batching (target:
one arXiv request per 100 ids). The services' real politeness intervals are used (arXiv: 3 s), on
the real clock.

    .venv/bin/python benchmarks/bench_build.py [--latency 0.15] [--ids 250]
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeArxiv, FakeDoi, World  # noqa: E402
from list2bib import pipeline  # noqa: E402
from list2bib.config import SERVICE_DEFAULTS, Config  # noqa: E402
from list2bib.model import RunResult  # noqa: E402


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
        f"{label:<28} works={len(result.references):>4}  requests={total:>4} ({hosts or 'none'})  "
        f"wall={seconds:6.2f}s  peak-heap={peak_mb:6.1f} MiB"
    )


def synthetic_world(count: int) -> World:
    """The fixture world plus `count` made-up arXiv works (ids 2301.00001, ...), so that a large
    generated list resolves like a real one instead of coming back empty."""
    world = World.load().copy()
    for n in range(1, count + 1):
        world.add(
            {
                "key": f"synthetic{n}",
                "title": f"A Synthetic Study Number {n} of Benchmark Lists",
                "authors": [{"given": "Ada", "family": f"Tester{n}"}],
                "exercises": "benchmark volume",
                "arxiv": {
                    "id": f"2301.{n:05d}",
                    "versions": ["2023-01-02T00:00:00Z"],
                    "primary": "cs.CL",
                    "categories": ["cs.CL"],
                },
            }
        )
    return world


def generated_list(folder: Path, count: int) -> Path:
    path = folder / "generated.md"
    lines = ["# Generated", "", "## Papers", ""]
    lines += [
        f"Paper {n}. [[pdf](https://arxiv.org/abs/2301.{n:05d})] [2023.1]\n"
        for n in range(1, count + 1)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds added to every answer")
    parser.add_argument("--ids", type=int, default=250, help="size of the generated arXiv list")
    args = parser.parse_args()

    world = synthetic_world(args.ids)
    with (
        FakeArxiv(world, latency=args.latency) as arxiv,
        FakeDoi(world, latency=args.latency) as doi,
        tempfile.TemporaryDirectory() as tmp,
    ):
        folder = Path(tmp)
        services = {
            "arxiv": replace(SERVICE_DEFAULTS["arxiv"], base_url=arxiv.base_url),
            "doi": replace(SERVICE_DEFAULTS["doi"], base_url=doi.base_url),
            "crossref": replace(SERVICE_DEFAULTS["crossref"], base_url=doi.crossref.base_url),
            "datacite": replace(SERVICE_DEFAULTS["datacite"], base_url=doi.datacite.base_url),
        }
        names = {arxiv.host: "arxiv", doi.host: "doi.org", doi.crossref.host: "crossref",
                 doi.datacite.host: "datacite"}  # fmt: skip
        print(
            f"fake services with {args.latency * 1000:.0f} ms latency; arXiv interval "
            f"{services['arxiv'].min_interval:.0f} s, doi.org {services['doi'].min_interval} s"
        )

        example = ROOT / "examples" / "papers.md"
        config = Config(
            output=folder / "example.bib", cache_dir=folder / "cache1", services=services
        )
        report("example list, cold", *measure([example], config), names)
        report("example list, warm", *measure([example], config), names)

        generated = generated_list(folder, args.ids)
        config = replace(config, output=folder / "generated.bib", cache_dir=folder / "cache2")
        result, seconds, peak = measure([generated], config)
        report(f"{args.ids} arXiv ids, cold", result, seconds, peak, names)
        arxiv_requests = result.requests_by_host.get(arxiv.host, 0)
        report(f"{args.ids} arXiv ids, warm", *measure([generated], config), names)
        print(
            f"arXiv: {arxiv_requests} requests for {args.ids} ids "
            f"(target: at most one per 100 ids, {math.ceil(args.ids / 100)})"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
