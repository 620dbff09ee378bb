"""Benchmark merging into a large references.bib, and a warm refresh.

1. A generated 20,000-entry .bib (1,000 entries list2bib wrote for a 1,000-entry list, 200 of them
   also present a second time under another key, and 18,800 entries of the user's own) is merged
   and deduplicated with the list: `build` (answers from the warm HTTP cache) and `refresh`
   (answers from the state file). Wall time and peak heap are printed next to bibtexparser's own
   parse + write of the same file in the same run (target: at most 1.5x).
2. A refresh of a 100-entry list with everything warm: requests made (target 0) and wall time
   (target under a second).

Uses the local fakes from tests/fakes/ with no latency or waits (no network). The test suite's
tiny run: `--entries 40 --list 10 --small 5`.

    .venv/bin/python benchmarks/bench_merge.py [--entries 20000] [--list 1000] [--small 100]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bibtexparser  # noqa: E402
from bench_build import generated_list  # noqa: E402
from bibtexparser.writer import BibtexFormat  # noqa: E402

from fakes import FakeArxiv, FakeClock, FakeDoi  # noqa: E402
from list2bib import pipeline  # noqa: E402
from list2bib.config import SERVICE_DEFAULTS, Config  # noqa: E402
from synthetic import arxiv_id, synthetic_world, title  # noqa: E402


def timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, peak heap MiB): timed without tracemalloc, then measured with it."""
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def own_entries(count: int, duplicates: list[tuple[str, str]]) -> str:
    """`count` entries of the user's own, the first ones repeating list works under other keys."""
    blocks = []
    for n in range(count):
        if n < len(duplicates):
            arxiv_id, title = duplicates[n]
            blocks.append(
                f"@misc{{dup{n},\n  title = {{{title}}},\n  eprint = {{{arxiv_id}}},\n"
                f"  archivePrefix = {{arXiv}},\n}}\n"
            )
            continue
        blocks.append(
            f"@article{{own{n},\n  author = {{Writer{n}, Ann and Other, Bob}},\n"
            f"  title = {{A Hand-Written Entry Number {n} about {{BERT}}}},\n"
            f"  journal = {{Journal of Tests}},\n  volume = {{{n % 40}}},\n"
            f"  pages = {{{n}--{n + 9}}},\n  year = {{{1990 + n % 35}}},\n"
            f"  doi = {{10.9999/own.{n}}},\n}}\n"
        )
    return "\n".join(blocks)


def bibtexparser_roundtrip(path: Path) -> Callable[[], str]:
    def run() -> str:
        library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
        layout = BibtexFormat()  # type: ignore[no-untyped-call]
        layout.indent = "  "
        text: str = bibtexparser.write_string(library, bibtex_format=layout)
        return text

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20000, help="entries in the generated .bib")
    parser.add_argument("--list", type=int, default=1000, help="entries in the list")
    parser.add_argument("--small", type=int, default=100, help="entries in the warm refresh")
    args = parser.parse_args(argv)

    world = synthetic_world(arxiv=max(args.list, args.small))
    with FakeArxiv(world) as arxiv, FakeDoi(world) as doi, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        no_wait = {"min_interval": 0.0}
        services = {
            "arxiv": replace(SERVICE_DEFAULTS["arxiv"], base_url=arxiv.base_url, **no_wait),
            "doi": replace(SERVICE_DEFAULTS["doi"], base_url=doi.base_url, **no_wait),
            "crossref": replace(
                SERVICE_DEFAULTS["crossref"], base_url=doi.crossref.base_url, **no_wait
            ),
            "datacite": replace(
                SERVICE_DEFAULTS["datacite"], base_url=doi.datacite.base_url, **no_wait
            ),
        }
        lists = [generated_list(folder, args.list)]
        config = Config(output=folder / "big.bib", cache_dir=folder / "cache", services=services)
        pipeline.build(lists, config, clock=FakeClock())  # list2bib's 1,000 entries, cache warm
        duplicates = [(arxiv_id(n), title(n)) for n in range(1, min(200, args.list) + 1)]
        mine = own_entries(args.entries - args.list, duplicates)
        text = config.output.read_text(encoding="utf-8") + "\n" + mine
        original = folder / "original.bib"
        original.write_text(text, encoding="utf-8")
        state = config.output.with_name(config.output.name + ".list2bib.json")
        saved_state = folder / "state.json"
        shutil.copy(state, saved_state)
        print(
            f"generated .bib: {text.count(chr(10) + '@') + 1} entries, {len(text) / 2**20:.1f} MiB"
        )

        _, base_s, base_mb = timed(bibtexparser_roundtrip(original))
        print(f"{'bibtexparser parse+write':<34} wall={base_s:6.2f}s  peak-heap={base_mb:6.1f} MiB")

        def merge(refresh: bool) -> Callable[[], pipeline.BuildResult]:
            def run() -> pipeline.BuildResult:
                shutil.copy(original, config.output)
                shutil.copy(saved_state, state)
                return pipeline.build(lists, config, clock=FakeClock(), refresh=refresh)

            return run

        for label, refresh in (("merge: build (warm cache)", False), ("merge: refresh", True)):
            result, seconds, peak = timed(merge(refresh))
            merged = sum(c.kind == "merged" for c in result.changes)
            requests = sum(result.requests_by_host.values())
            print(
                f"{label:<34} wall={seconds:6.2f}s  peak-heap={peak:6.1f} MiB  "
                f"ratio={seconds / base_s:4.2f}x (target <= 1.5x)  merged={merged}  "
                f"kept={len(result.kept)}  requests={requests}"
            )

        (folder / "small").mkdir()
        small = [generated_list(folder / "small", args.small)]
        small_config = replace(config, output=folder / "small.bib")
        pipeline.build(small, small_config, clock=FakeClock(), refresh=True)

        def warm() -> pipeline.BuildResult:
            return pipeline.build(small, small_config, clock=FakeClock(), refresh=True)

        result, seconds, peak = timed(warm)
        requests = sum(result.requests_by_host.values())
        label = f"refresh of {args.small} entries, warm"
        print(
            f"{label:<34} wall={seconds:6.2f}s  peak-heap={peak:6.1f} MiB"
            f"  requests={requests} (target 0)  asked={result.asked}  "
            f"{'under' if seconds < 1 else 'OVER'} a second"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
