"""Start every local fake service (arXiv, doi.org with Crossref and DataCite behind it, Semantic
Scholar, DBLP, OpenReview, the ACL Anthology, OpenAlex, a web of pages, and optionally Zotero) and
print the environment that points list2bib at them; runs until interrupted (Ctrl-C or SIGTERM).

    .venv/bin/python benchmarks/serve_fakes.py [--latency 0.15] [--zotero-group 1234]

Run it in one terminal, paste its `export` lines into another, then run list2bib there. Pages
are served through the page mirror (`LIST2BIB_PAGE_URL`): `https://<site>/<path>` of the fixture
world's pages answers, every other page is gone (404).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakes import FakeServices, World


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    parser.add_argument("--zotero-group", default="", help="also serve a Zotero group library")
    args = parser.parse_args(argv)
    # Stop on Ctrl-C even when started with SIGINT ignored (as a background job), and on SIGTERM.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    world = World.load()
    with FakeServices(world, latency=args.latency) as fakes:
        zotero = None
        try:  # from the first line printed: whoever read it may interrupt
            for name, service in fakes.service_configs().items():
                if name != "zotero":
                    print(f"export LIST2BIB_{name.upper()}_URL={service.base_url}")
            if args.zotero_group:
                from fakes import FakeZotero

                zotero = FakeZotero(group=int(args.zotero_group)).start()
                print(f"export LIST2BIB_ZOTERO_URL={zotero.base_url}")
                print(f"export ZOTERO_API_KEY={zotero.WRITER}")
            sys.stdout.flush()
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            if zotero is not None:
                zotero.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
