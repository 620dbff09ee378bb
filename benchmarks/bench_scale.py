"""Scale: a generated 10,000-entry list against every fake service, with latency and the
services' real politeness intervals, on the real clock.

The list (tests/synthetic.py): 7,000 arXiv links (every third paper published at NeurIPS by
Semantic Scholar's account, every fifth announcing a journal DOI), 2,800 DOI links, 100 papers by
title alone and 100 blog pages (served by a local mirror, which needs no per-site pace).

Prints, for a cold build, a warm build (same cache) and a warm `refresh` (state file present):
requests per host, wall seconds and the process's peak RSS (which includes the fakes').
Targets: at most 60 requests for the identifier part, under 500 MB, a warm refresh under 10 s
with no request. A soak variant of the fault tests runs with --faults. --no-waits drops the
politeness intervals (the test suite's tiny run: `--latency 0 --arxiv 6 --dois 3 --titles 2
--pages 2 --no-waits`).

    .venv/bin/python benchmarks/bench_scale.py [--latency 0.15] [--arxiv 7000] [--dois 2800]
        [--titles 100] [--pages 100] [--faults 0.1] [--no-waits]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeServices  # noqa: E402
from list2bib import pipeline  # noqa: E402
from list2bib.config import Config  # noqa: E402
from list2bib.model import RunResult  # noqa: E402
from synthetic import synthetic_list, synthetic_world  # noqa: E402

ID_SERVICES = ("arxiv", "s2-batch", "crossref-filter", "doi", "datacite", "openreview", "acl")


def measure(run: Callable[[], RunResult]) -> tuple[RunResult, float, float]:
    """Wall seconds and the process's peak RSS so far (tracemalloc would slow the run 3-5x)."""
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    return result, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--arxiv", type=int, default=7000)
    parser.add_argument("--dois", type=int, default=2800)
    parser.add_argument("--titles", type=int, default=100)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--faults", type=float, default=0.0, help="share of requests that fail")
    parser.add_argument("--no-waits", action="store_true", help="no politeness intervals")
    args = parser.parse_args(argv)

    world = synthetic_world(arxiv=args.arxiv + args.titles, dois=args.dois, pages=args.pages)
    with FakeServices(world, latency=args.latency) as fakes, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        listed = synthetic_list(
            folder,
            arxiv=args.arxiv + args.titles,
            dois=args.dois,
            titles=args.titles,
            pages=args.pages,
        )
        entries = args.arxiv + args.titles + args.dois + args.pages
        names = {fakes.crossref.host: "crossref", fakes.doi.datacite.host: "datacite"}
        for name in ("arxiv", "doi", "s2", "dblp", "openreview", "acl", "web"):
            names[getattr(fakes, name).host] = "pages" if name == "web" else name
        services = fakes.service_configs(real_intervals=not args.no_waits)
        services["page"] = replace(services["page"], min_interval=0.0)  # a local mirror
        config: Config = fakes.config(folder, services=services, retries=4)
        if args.faults:
            for n, server in enumerate(fakes.servers()):
                server.stall = config.timeout + 1
                server.fault_mode(args.faults, seed=n, kinds=set(FAULTS))
        print(
            f"{entries} entries ({args.arxiv} arXiv, {args.dois} DOI, {args.titles} titles only, "
            f"{args.pages} pages); {args.latency * 1000:.0f} ms latency; "
            f"{'no' if args.no_waits else 'real'} intervals; "
            f"faults {args.faults:.0%}"
        )

        def report(label: str, result: RunResult, seconds: float, peak: float) -> None:
            by_host = {names.get(h, h): n for h, n in sorted(result.requests_by_host.items())}
            total = sum(by_host.values())
            print(
                f"{label:<14} works={len(result.references):>6} requests={total:>5} "
                f"wall={seconds:7.1f}s peak-RSS={peak:6.0f} MiB  {by_host}"
            )

        cold = measure(lambda: pipeline.build([listed], config))
        report("cold build", *cold)
        searches = sum(1 for r in fakes.s2.requests if r.path.endswith("/paper/search"))
        searches += sum(1 for r in fakes.dblp.requests if "/search/" in r.path)
        searches += sum(1 for r in fakes.crossref.requests if "query.bibliographic" in r.query)
        identifier_part = sum(cold[0].requests_by_host.values()) - searches - args.pages
        print(
            f"identifier part: {identifier_part} requests (target <= 60); title searches: "
            f"{searches}; pages: {args.pages}; incomplete works: {len(cold[0].incomplete)}"
        )
        if args.faults:
            served = sum((s.faults_served for s in fakes.servers()), Counter[str]())
            print(f"faults served: {sum(served.values())} {dict(sorted(served.items()))}")
        report("warm build", *measure(lambda: pipeline.build([listed], config)))
        warm = measure(lambda: pipeline.build([listed], config, refresh=True))
        report("warm refresh", *warm)
        print(f"warm refresh: {warm[1]:.1f} s (target < 10 s), "
              f"{sum(warm[0].requests_by_host.values())} requests (target 0)")  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB (target < 500 MiB)")
    return 0


FAULTS = ("429", "429-no-retry-after", "503", "html-200", "reset", "truncated", "malformed")

if __name__ == "__main__":
    sys.exit(main())
