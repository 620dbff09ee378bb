"""Start the local fake services (arXiv API, doi.org with Crossref and DataCite behind it) and
print the environment that points list2bib at them; runs until interrupted.

    .venv/bin/python benchmarks/serve_fakes.py [--latency 0.15]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakes import FakeArxiv, FakeDoi, World


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    args = parser.parse_args()
    world = World.load()
    with (
        FakeArxiv(world, latency=args.latency) as arxiv,
        FakeDoi(world, latency=args.latency) as doi,
    ):
        print(f"export LIST2BIB_ARXIV_URL={arxiv.base_url}")
        print(f"export LIST2BIB_DOI_URL={doi.base_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
