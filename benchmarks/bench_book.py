"""Large identifier lists offline with a warm cache: the answer book must grow in linear time.

For each size: a list of that many arXiv links (every third published at NeurIPS by Semantic
Scholar's account, every fifth announcing a journal DOI), one cold build against the local fakes
with no politeness waits to fill the cache, then the measured run: the same build offline, every
answer from the cache. Prints wall seconds, seconds per 1,000 entries (flat when linear) and the
peak heap of the offline run. Target: 100,000 entries in linear time and under 1 GB.

    .venv/bin/python benchmarks/bench_book.py [--sizes 20000 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from bench_build import generated_list, measure  # noqa: E402

from fakes import FakeServices  # noqa: E402
from list2bib import pipeline  # noqa: E402
from synthetic import synthetic_world  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    args = parser.parse_args(argv)
    world = synthetic_world(arxiv=max(args.sizes))
    with FakeServices(world) as fakes, tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            listed = generated_list(folder, size)
            config = fakes.config(
                folder, services=fakes.service_configs(real_intervals=False), retries=1
            )
            cold = pipeline.build([listed], config)
            result, seconds, peak = measure([listed], replace(config, offline=True))
            print(
                f"{size:>7} entries offline, warm cache  works={len(result.references):>7} "
                f"requests={sum(result.requests_by_host.values())} (cold: "
                f"{sum(cold.requests_by_host.values())})  wall={seconds:7.1f}s  "
                f"per-1k={seconds / size * 1000:5.2f}s  peak-heap={peak:7.1f} MiB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
