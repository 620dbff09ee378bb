"""Soak `zotero sync` under faults: many seeds of three faulty syncs in a row, and many SIGKILLs.

Uses the scenario of `tests/zotero/test_zotero_faults.py` (a ~50-work list with nested topics, a
group that already holds a user's own items and collections). Each seed runs three syncs with a
share of requests failing (every fault kind), then a clean sync; each kill seed runs `python -m
list2bib zotero sync` in child processes killed at random points, then a clean sync. Every group is
then compared with clean syncs into a fresh fake. Prints the syncs tried, those that ran out of
retries, the faults served, duplicates found and lost items (both must be 0). The test suite's tiny
run: `--seeds 1 --kill-seeds 1 --kills 1`.

    .venv/bin/python benchmarks/bench_zotero_faults.py [--seeds 30] [--kill-seeds 6] [--kills 6]
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "zotero"))

import pytest  # noqa: E402
import test_zotero_faults as scenario  # noqa: E402

from fakes import FakeServices, FakeZotero  # noqa: E402


class Tally:
    def __init__(self) -> None:
        self.syncs: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.duplicates = 0
        self.lost = 0
        self.changed_by_hand = 0
        self.problems: list[str] = []

    def check(self, label: str, fake: FakeZotero, want: dict[str, Any], mine: Any) -> None:
        """Count duplicates, intended objects missing or different, and touched user objects."""
        titles = Counter(d.get("title") for d in fake.top_items.values())
        links = Counter((d["parentItem"], d.get("url")) for d in fake.items.values()
                        if d.get("parentItem"))  # fmt: skip
        paths = Counter((c["name"], c["parentCollection"]) for c in fake.collections.values())
        dupes = sum(n - 1 for counts in (titles, links, paths) for n in counts.values() if n > 1)
        got = scenario.ours(fake)
        trashed = {k for k, d in want["items"].items() if d.get("deleted")}
        trashed |= {k for k, d in want["items"].items() if d.get("parentItem") in trashed}
        lost = sum(
            1
            for key, data in want["items"].items()
            if got["items"].get(key) != data and not (key in trashed and key not in got["items"])
        )
        lost += len(set(got["items"]) - set(want["items"]))
        lost += sum(1 for k, c in want["collections"].items() if got["collections"].get(k) != c)
        touched = sum(1 for k, v in scenario.served(fake, mine[0]).items() if mine[1][k] != v)
        self.duplicates += dupes
        self.lost += lost
        self.changed_by_hand += touched
        if dupes or lost or touched:
            self.problems.append(f"{label}: {dupes} duplicates, {lost} lost, {touched} touched")


def faulty_rounds(
    services: FakeServices, want: dict[str, Any], seeds: int, tmp: Path, tally: Tally
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        for seed in range(seeds):
            share = (0.1, 0.2, 0.3)[seed % 3]
            with FakeZotero() as fake:
                fake.stall = scenario.STALL
                objects = scenario.seed_by_hand(fake)
                mine = (objects, scenario.served(fake, objects))
                place = scenario.make_place(
                    tmp / f"seed{seed}", services, fake, retries=1,
                    timeout=scenario.CLIENT_TIMEOUT,
                )  # fmt: skip
                fake.fault_mode(share, seed=seed)
                for list_name, options in scenario.STEPS:
                    args = place.args(list_name, *options)
                    result = scenario.cli_sync(place, monkeypatch, *args)
                    tally.syncs["faulty, gave up" if result.exit_code else "faulty, completed"] += 1
                tally.faults.update(fake.faults_served)
                fake.fault_mode(0)
                last_list, last_options = scenario.STEPS[-1]
                args = place.args(last_list, *last_options)
                result = scenario.cli_sync(place, monkeypatch, *args)
                tally.syncs["clean, FAILED" if result.exit_code else "clean, completed"] += 1
                tally.check(f"faults seed {seed} (share {share})", fake, want, mine)


def killed_rounds(
    services: FakeServices, want: dict[str, Any], seeds: int, kills: int, tmp: Path, tally: Tally
) -> None:
    for seed in range(seeds):
        chance = random.Random(1000 + seed)
        with FakeZotero() as fake:
            fake.latency = scenario.LATENCY
            objects = scenario.seed_by_hand(fake)
            mine = (objects, scenario.served(fake, objects))
            place = scenario.make_place(tmp / f"kill{seed}", services, fake, retries=1, timeout=5.0)
            for _ in range(kills):
                target = len(fake.requests) + chance.randint(2, 8)
                child = scenario._child(place)
                while len(fake.requests) < target and child.poll() is None:
                    time.sleep(0.002)
                time.sleep(chance.uniform(0, 1.5 * scenario.LATENCY))
                if child.poll() is None:
                    child.send_signal(signal.SIGKILL)
                    tally.syncs["killed"] += 1
                else:
                    tally.syncs["finished before its kill"] += 1
                child.communicate(timeout=60)
                scenario._quiet(fake)
                try:
                    scenario._index_is_whole(place.index)
                except (AssertionError, ValueError) as exc:
                    tally.problems.append(f"kill seed {seed}: partial index ({exc})")
            clean = scenario._child(place)
            clean.communicate(timeout=120)
            tally.syncs["clean, completed" if clean.returncode == 0 else "clean, FAILED"] += 1
            tally.check(f"kill seed {seed}", fake, want, mine)


def intended(services: FakeServices, tmp: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, steps in (("a", scenario.STEPS[:1]), ("all", scenario.STEPS)):
            with FakeZotero() as fake:
                place = scenario.make_place(tmp / name, services, fake, retries=4, timeout=5.0)
                for list_name, options in steps:
                    result = scenario.cli_sync(place, monkeypatch, *place.args(list_name, *options))
                    assert result.exit_code == 0, result.output
                found[name] = scenario.ours(fake)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30, help="seeds of three faulty syncs")
    parser.add_argument("--kill-seeds", type=int, default=6, help="seeds of killed syncs")
    parser.add_argument("--kills", type=int, default=6, help="kills per kill seed")
    args = parser.parse_args(argv)
    tally = Tally()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as name, FakeServices(scenario.fault_world()) as services:
        tmp = Path(name)
        want = intended(services, tmp / "intended")
        faulty_rounds(services, want["all"], args.seeds, tmp / "faults", tally)
        middle = time.perf_counter()
        killed_rounds(services, want["a"], args.kill_seeds, args.kills, tmp / "kills", tally)
    ended = time.perf_counter()
    print(f"syncs tried          {sum(tally.syncs.values())}")
    for label, count in sorted(tally.syncs.items()):
        print(f"  {label:<26} {count}")
    print(f"faults served        {sum(tally.faults.values())}")
    for kind, count in sorted(tally.faults.items()):
        print(f"  {kind:<26} {count}")
    print(f"duplicates found     {tally.duplicates}")
    print(f"lost items           {tally.lost}")
    print(f"user objects changed {tally.changed_by_hand}")
    print(f"wall time            {middle - started:.1f} s faults, {ended - middle:.1f} s kills")
    for problem in tally.problems:
        print(f"PROBLEM {problem}")
    ok = not tally.problems and not tally.syncs["clean, FAILED"]
    print("all groups as intended" if ok else "PROBLEMS FOUND")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
