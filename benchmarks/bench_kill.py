"""Soak test: SIGKILL `list2bib build` and `refresh` at many seeded random moments.

The trials of `tests/system/test_kill.py` with many more kill points: each run is killed, the
outputs checked (old or new file, never partial; the HTTP cache opens; the lock does not block) and
the next run must write exactly the new files. Half the kill points are spread over the whole run,
half home in on the moment the outputs are written. Prints how many kills were tried, what they left
(old or new files, temp files of interrupted writes) and how many left damage (should be 0). The
test suite's tiny run: `--kills 1 --latency 0`.

    .venv/bin/python benchmarks/bench_kill.py [--kills 100] [--seed 1] [--latency 0.03]
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "system"))

from test_kill import BIB, COMMANDS, OUTPUTS, Lab, lab_in  # noqa: E402


class Staircase:
    """Kill points that home in on the moment the outputs are written (which varies from run to
    run): a kill that found the old bib moves the next point later, one that found the new bib
    moves it earlier."""

    def __init__(self, start: float, step: float = 0.02) -> None:
        self.at, self.step = start, step

    def next(self, rng: random.Random) -> float:
        return max(0.0, self.at + rng.uniform(-2 * self.step, 2 * self.step))

    def saw(self, bib: str | None) -> None:
        self.at = max(0.0, self.at + (self.step if bib == "old" else -self.step))


def soak(lab: Lab, command: str, rng: random.Random, kills: int) -> int:
    """Kill `kills` runs of `command` (every other one at a uniformly random moment, the rest
    on the staircase); print what they left; return how many left damage."""
    timing = lab.timing[command]
    stairs = Staircase(timing.written_at)
    left: Counter[str] = Counter()
    temps = finished = damaged = 0
    started = time.perf_counter()
    for index in range(kills):
        on_stairs = index % 2 == 1
        seconds = stairs.next(rng) if on_stairs else rng.uniform(0.0, timing.total)
        folder = lab.trial(f"{command}-{index}")
        if lab.kill_at(command, folder, seconds) is not None:
            finished += 1
        verdict = lab.damage(command, folder)
        if on_stairs:
            stairs.saw(verdict.versions.get(BIB))
        left["+".join(verdict.versions.get(name, "?") for name in OUTPUTS)] += 1
        temps += bool(verdict.temps)
        if verdict.problems:
            damaged += 1
            print(f"  {command} killed after {seconds:.3f} s: {'; '.join(verdict.problems)}")
        shutil.rmtree(folder)
    shapes = ", ".join(f"{shape}={count}" for shape, count in sorted(left.items()))
    print(
        f"{command:<8} run={timing.total:.2f}s (bib written at {timing.written_at:.2f}s)  "
        f"kills={kills} (finished first: {finished})  damaged={damaged}  "
        f"left a temp file: {temps}  wall={time.perf_counter() - started:.0f}s"
    )
    print(f"{'':<8} left (bib+state+renames): {shapes}")
    return damaged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=100, help="kill points per command")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.03, help="seconds per fake answer")
    args = parser.parse_args(argv)
    if sys.platform == "win32" or not hasattr(signal, "SIGKILL"):
        sys.exit("bench_kill: this platform has no SIGKILL")
    rng = random.Random(args.seed)
    damaged = 0
    with tempfile.TemporaryDirectory() as root, lab_in(Path(root), args.latency) as lab:
        for command in COMMANDS:
            damaged += soak(lab, command, rng, args.kills)
    print(f"total: kills={args.kills * len(COMMANDS)} damaged={damaged}")
    return 1 if damaged else 0


if __name__ == "__main__":
    sys.exit(main())
