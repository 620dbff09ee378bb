"""Benchmark `zotero sync` against the local fake Zotero server (with injected latency).

Prints the requests (reads, item writes, collection writes) and wall seconds for: a first sync of
N works into an empty group, an unchanged re-sync, a re-sync after one title changed, and a first
sync whose write reply is lost after the server committed it. Targets: first sync <= 3 item-write
requests for 100 works; unchanged re-sync 0 writes and <= 3 requests in all. The test suite's
tiny run: `--works 5 --latency 0`.

    .venv/bin/python benchmarks/bench_zotero.py [--works 100] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeClock, make_http  # noqa: E402
from fakes.zotero import FakeZotero, reference  # noqa: E402
from list2bib.model import Reference  # noqa: E402
from list2bib.zotero.client import ZoteroClient  # noqa: E402
from list2bib.zotero.sync import sync  # noqa: E402


def works(n: int, changed: int | None = None) -> list[Reference]:
    topics = [("Papers",), ("Survey", "interpretability"), ("Survey", "editing")]
    return [
        reference(
            f"paper{i}",
            doi=f"10.1000/bench.{i}",
            title=("Retitled " if i == changed else "") + f"Benchmark paper {i}",
            topics=(topics[i % 3],) if i % 7 else (topics[0], topics[i % 3]),
            tags=("bench",),
        )
        for i in range(n)
    ]


def run(label: str, fake: FakeZotero, refs: list[Reference], index: Path) -> dict[str, int]:
    fake.clear_log()
    started = time.perf_counter()
    with make_http(clock=FakeClock()) as http:
        client = ZoteroClient(http, fake.base_url, "12345", FakeZotero.WRITER)
        result = sync(refs, client, index)
    seconds = time.perf_counter() - started
    log = fake.requests
    figures = {
        "requests": len(log),
        "item_writes": sum(1 for r in log if r.method != "GET" and "/items" in r.path),
        "collection_writes": sum(1 for r in log if r.method != "GET" and "/collections" in r.path),
        "items": len(fake.items),
    }
    done = ", ".join(f"{k}={len(v)}" for k, v in sorted(result.done.items())) or "nothing"
    print(
        f"{label:<34} {figures['requests']:>3} requests  {figures['item_writes']:>2} item writes"
        f"  {figures['collection_writes']:>2} collection writes  {seconds:6.2f} s"
        f"  ({done}; {figures['items']} items in the group; failed={len(result.failed)})"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "group-12345.json"
        with FakeZotero() as fake:
            fake.latency = args.latency
            first = run(f"first sync of {args.works}", fake, works(args.works), index)
            again = run("unchanged re-sync", fake, works(args.works), index)
            run("re-sync, one title changed", fake, works(args.works, changed=3), index)
            ok = first["item_writes"] <= 3 and again["item_writes"] == 0
            ok = ok and again["collection_writes"] == 0 and again["requests"] <= 3
        with FakeZotero() as fake:
            fake.latency = args.latency
            fake.lose_reply_next(1)
            lost = run(
                "first sync, a write reply lost", fake, works(args.works), Path(tmp) / "b.json"
            )
            ok = ok and lost["items"] == args.works
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
