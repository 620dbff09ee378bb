"""Large web pages: a list linking pages of many MB costs only their heads in memory and cache.

A server in a process of its own (so its memory is not counted) streams pages of `--mb` MB each:
the metadata in <head>, then filler. The pages are read as a build reads them (the page source,
through the HTTP session with its on-disk cache). `--whole` reads each page whole instead, as
list2bib did before pages were read up to their head. Prints, per run: pages, page size, bytes
kept per page, cache size, peak RSS of this process, wall seconds.

    .venv/bin/python benchmarks/bench_big_pages.py [--pages 3] [--mb 60] [--whole]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeClock  # noqa: E402
from list2bib.config import Config, ServiceConfig  # noqa: E402
from list2bib.pipeline import http_for  # noqa: E402
from list2bib.resolve.sources import page  # noqa: E402

CHUNK = b"<p>" + b"filler text " * 80 + b"</p>\n"


def serve(port_out: multiprocessing.Queue, megabytes: int) -> None:  # type: ignore[type-arg]
    size = megabytes * 2**20

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            head = f"<html><head><title>Big {self.path}</title></head><body>\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            sent = len(head)
            try:
                self.wfile.write(head)
                while sent < size:
                    part = CHUNK[: size - sent]
                    self.wfile.write(part)
                    sent += len(part)
            except OSError:
                pass  # the client stopped reading: what a head-only read does

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--mb", type=int, default=60)
    parser.add_argument("--whole", action="store_true", help="read pages whole (the old way)")
    args = parser.parse_args(argv)
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=serve, args=(ports, args.mb), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=10)}"
        with tempfile.TemporaryDirectory() as folder:
            services = {"page": ServiceConfig(base, 0.0)}
            config = Config(cache_dir=Path(folder), services=services, timeout=60.0)
            urls = [f"https://site{n}.example.org/post" for n in range(args.pages)]
            started = time.monotonic()
            kept: list[int] = []
            with http_for(config, FakeClock()) as http:
                if args.whole:
                    for url in urls:
                        mirrored = page.via_mirror(url, base)
                        answer = http.get("page", mirrored, headers=page.HEADERS)
                        kept.append(len(answer.content))
                else:
                    for url in urls:
                        mirrored = page.via_mirror(url, base)
                        answer = http.get(
                            "page", mirrored, headers=page.HEADERS, head_bytes=page.MAX_PAGE_BYTES
                        )
                        kept.append(len(answer.content))
                    found = page.fetch(http, services["page"], urls).found
                    assert len(found) == args.pages, found
            wall = time.monotonic() - started
            cache = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    finally:
        server.terminate()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    mode = "whole" if args.whole else "head"
    print(
        f"{mode}: pages={args.pages} size={args.mb} MB kept-per-page={max(kept) / 2**20:.1f} MB"
        f" cache={cache / 2**20:.1f} MB peak-RSS={peak:.0f} MiB wall={wall:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
