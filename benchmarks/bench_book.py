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

# Runs the CLI and then says the process's own peak RSS (VmHWM: getrusage would count the
# benchmark's memory, which a forked child starts with).
_MEASURED_CLI = """
import runpy, sys
try:
    runpy.run_module("list2bib", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM"))
    print("peak", int(peak.split()[1]) / 1024, file=sys.stderr)
"""


def offline_build(
    listed: Path, output: Path, env: dict[str, str], config: Path
) -> tuple[float, float]:
    """Seconds `list2bib build --offline` took in a process of its own (which must succeed),
    and that process's peak RSS in MiB."""
    arguments = ["build", str(listed), "-o", str(output), "--offline", "--config", str(config)]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED_CLI, *arguments],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak = next(line for line in done.stderr.splitlines() if line.startswith("peak "))
    return seconds, float(peak.split()[1])


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
            seconds, rss = offline_build(listed, folder / "offline.bib", env, config_file)
            same = (folder / "offline.bib").read_text(encoding="utf-8") == written
            print(
                f"{size:>7} entries offline, warm cache  works={len(cold.references):>7} "
                f"same-as-cold={'yes' if same else 'no'}  wall={seconds:7.1f}s  "
                f"per-1k={seconds / size * 1000:5.2f}s  peak-RSS={rss:7.1f} MiB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
