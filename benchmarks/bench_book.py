"""Large identifier lists offline with a warm cache: the answer book must grow in linear time.

For each size: a list of that many arXiv links (every third published at NeurIPS by Semantic
Scholar's account, every fifth announcing a journal DOI), one cold build against the local fakes
with no politeness waits to fill the cache, then the measured run: the same build offline, every
answer from the cache, as `list2bib build --offline` in a process of its own. Prints its wall
seconds, seconds per 1,000 entries (flat when linear) and its peak RSS. Target: 100,000 entries
in linear time and under 1 GB.

    .venv/bin/python benchmarks/bench_book.py [--sizes 20000 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from bench_build import generated_list  # noqa: E402

from fakes import FakeServices  # noqa: E402
from list2bib import pipeline  # noqa: E402
from synthetic import synthetic_world  # noqa: E402


def offline_build(listed: Path, output: Path, env: dict[str, str], config: Path) -> float:
    """Seconds `list2bib build --offline` took in a process of its own (which must succeed)."""
    command = [sys.executable, "-m", "list2bib", "build", str(listed), "-o", str(output)]
    started = time.perf_counter()
    subprocess.run(
        [*command, "--offline", "--config", str(config)],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    args = parser.parse_args(argv)
    world = synthetic_world(arxiv=max(args.sizes))
    with FakeServices(world) as fakes, tempfile.TemporaryDirectory() as tmp:
        for size in sorted(args.sizes):
            folder = Path(tmp) / str(size)
            folder.mkdir()
            listed = generated_list(folder, size)
            env, config_file = fakes.cli_settings(folder)
            config = fakes.config(folder, services=fakes.service_configs(), retries=1)
            cold = pipeline.build([listed], config)  # fills the cache the offline run reads
            written = config.output.read_text(encoding="utf-8")
            seconds = offline_build(listed, folder / "offline.bib", env, config_file)
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            same = (folder / "offline.bib").read_text(encoding="utf-8") == written
            print(
                f"{size:>7} entries offline, warm cache  works={len(cold.references):>7} "
                f"same-as-cold={'yes' if same else 'no'}  wall={seconds:7.1f}s  "
                f"per-1k={seconds / size * 1000:5.2f}s  peak-RSS={rss:7.1f} MiB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
