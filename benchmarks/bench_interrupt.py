"""Ctrl-C during a cold `list2bib build` whose services are throttling: how long until it stops.

The fakes serve a list of arXiv papers, papers by title alone and blog pages; Semantic Scholar
answers every request 429 without Retry-After and DBLP 429 with one, so the run is deep in
retries and backoff when SIGINT comes (`--after` seconds after its first request). Prints the
seconds from the signal to the exit (target: under 1 s), the exit status (130), the last line on
stderr and whether an output file appeared (it must not). The test suite's tiny run:
`--after 0.5 --latency 0 --trials 1`.

    .venv/bin/python benchmarks/bench_interrupt.py [--after 4] [--latency 0.15] [--trials 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeServices, all_requests  # noqa: E402
from synthetic import synthetic_list, synthetic_world  # noqa: E402


def interrupt(
    command: list[str], env: dict[str, str], after: float, asking: Callable[[], bool]
) -> tuple[float, int, str]:
    """Run `command`, send SIGINT `after` seconds after it started `asking` the services; the
    seconds it took to exit afterwards, its status and its last line on stderr."""
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as run:
        deadline = time.monotonic() + 60
        while not asking() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # a slow machine may still be starting Python
        time.sleep(after)
        sent = time.perf_counter()
        run.send_signal(signal.SIGINT)
        try:
            _, errors = run.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            run.kill()
            _, errors = run.communicate()
        took = time.perf_counter() - sent
    lines = [line for line in errors.splitlines() if line.strip()]
    return took, run.returncode, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after", type=float, default=4.0, help="seconds after the first request")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds added to an answer")
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args(argv)

    world = synthetic_world(arxiv=60, pages=10)
    with FakeServices(world, latency=args.latency) as fakes, tempfile.TemporaryDirectory() as tmp:
        fakes.s2.fault_mode(1.0, kinds={"429-no-retry-after"})
        fakes.dblp.fault_mode(1.0, kinds={"429"})
        worst = 0.0
        for trial in range(args.trials):
            folder = Path(tmp) / str(trial)
            folder.mkdir()
            listed = synthetic_list(folder, arxiv=60, titles=30, pages=10)
            env, config = fakes.cli_settings(folder, "retries = 4")
            config.write_text(config.read_text(encoding="utf-8").replace("min_interval = 0", ""))
            output = folder / "out" / "references.bib"
            command = [sys.executable, "-m", "list2bib", "build", str(listed), "-o", str(output)]
            before = len(all_requests(fakes.servers()))

            def asking(before: int = before) -> bool:
                return len(all_requests(fakes.servers())) > before

            took, status, last = interrupt(
                [*command, "--config", str(config)], {**os.environ, **env}, args.after, asking
            )
            worst = max(worst, took)
            print(
                f"trial {trial + 1}: Ctrl-C after {args.after:.1f}s  exited in {took:5.2f}s  "
                f"status={status}  output written: {'yes' if output.exists() else 'no'}  "
                f"stderr: {last}"
            )
        print(f"worst: {worst:.2f}s (target < 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
