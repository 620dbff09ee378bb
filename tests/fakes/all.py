"""Every fake service at once, serving one world, and a Config that points every service at them.

End-to-end tests and benchmarks use this: `with FakeServices(world) as fakes: fakes.config(tmp)`.
The web fake serves pages under `fakes.web.url(path)`; a list links to those URLs.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Self

from fakes.acl import FakeAcl
from fakes.arxiv import FakeArxiv
from fakes.base import FakeServer
from fakes.clock import TEST_MAILTO
from fakes.dblp import FakeDblp
from fakes.doi import FakeDoi
from fakes.openalex import FakeOpenAlex
from fakes.openreview import FakeOpenReview
from fakes.s2 import FakeS2
from fakes.web import FakeWeb
from fakes.world import World
from list2bib.config import SERVICE_DEFAULTS, Config, ServiceConfig


class FakeServices:
    """arXiv, doi.org (with Crossref and DataCite behind it), Semantic Scholar, DBLP, OpenReview,
    the ACL Anthology, OpenAlex and a web of pages, all on 127.0.0.1."""

    def __init__(self, world: World, *, latency: float = 0.0, wire: str = "2026") -> None:
        self.world = world
        self.arxiv = FakeArxiv(world, wire=wire, latency=latency)
        self.doi = FakeDoi(world, latency=latency)
        self.s2 = FakeS2(world, latency=latency)
        self.dblp = FakeDblp(world, latency=latency)
        self.openreview = FakeOpenReview(world, latency=latency)
        self.acl = FakeAcl(world, latency=latency)
        self.web = FakeWeb(world, latency=latency)
        self.openalex = FakeOpenAlex(world, latency=latency)

    def __enter__(self) -> Self:
        for server in self.own_servers():
            server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # Each server waits up to its poll interval to stop: stop them all at once.
        stoppers = [threading.Thread(target=s.stop) for s in self.own_servers()]
        for thread in stoppers:
            thread.start()
        for thread in stoppers:
            thread.join()

    def enforce_limits(self, jitter: float = 0.0) -> None:
        """Every service throttles as it does when asked faster than its published limit
        (arXiv 1 per 3 s with a 200 `Rate exceeded.`, Semantic Scholar's anonymous pool 1/s
        without Retry-After, DBLP 1/s with Retry-After, Crossref's polite pool and OpenAlex
        10/s, Crossref 3 requests at once); latency
        varies by +-`jitter` seconds."""
        limits = {self.arxiv: (1, 3.0), self.s2: (1, 1.0), self.dblp: (1, 1.0)}
        limits[self.crossref] = limits[self.openalex] = (10, 1.0)
        for server, (count, per) in limits.items():
            server.enforce_limit(count, per)
        self.crossref.enforce_concurrency(3)  # the polite pool's x-concurrency-limit
        for server in self.servers():
            server.jitter = jitter

    def throttled(self) -> dict[str, int]:
        """Requests answered as over the service's limit, by server."""
        return {type(s).__name__: s.throttled for s in self.servers()}

    def own_servers(self) -> list[FakeServer]:
        servers = [self.arxiv, self.doi, self.s2, self.dblp, self.openreview, self.acl, self.web]
        return [*servers, self.openalex]

    def servers(self) -> list[FakeServer]:
        """Every server that answers requests, including Crossref and DataCite behind doi.org."""
        return [*self.own_servers(), *self.doi.servers]

    def stall_for(self, seconds: float) -> None:
        """How long a `timeout` fault keeps a request waiting, on every server."""
        for server in self.servers():
            server.stall = seconds

    def clear_faults(self) -> None:
        """No fault mode, no pending faults and no slow drip left on any server."""
        for server in self.servers():
            server.fault_mode(0.0)
            server._faults.clear()
            server.drip(0.0)

    @property
    def crossref(self) -> FakeServer:
        return self.doi.crossref

    def service_configs(self, *, real_intervals: bool = False) -> dict[str, ServiceConfig]:
        """Every service at its fake; politeness intervals as configured by default, or none."""
        bases = {
            "arxiv": self.arxiv.base_url,
            "doi": self.doi.base_url,
            "crossref": self.doi.crossref.base_url,
            "datacite": self.doi.datacite.base_url,
            "s2": self.s2.base_url,
            "dblp": self.dblp.base_url,
            "openreview": self.openreview.base_url,
            "acl": self.acl.base_url,
            "page": self.web.base_url,
            "openalex": self.openalex.base_url,
        }
        configs: dict[str, ServiceConfig] = {}
        for name, default in SERVICE_DEFAULTS.items():
            base = bases.get(name, default.base_url)
            configs[name] = replace(
                default,
                base_url=base,
                min_interval=default.min_interval if real_intervals else 0.0,
            )
        return configs

    def config(self, tmp_path: Path, **changes: Any) -> Config:
        """A Config for a run in `tmp_path` (output, cache) against these fakes. Intervals are the
        real ones: tests run on a fake clock, so they cost nothing and are checked. No deadline
        (the run's or a request's) unless a test sets one: a fake clock's time is the sum of
        every thread's waits, no measure of how long a run or a request took."""
        config = Config(
            output=tmp_path / "out" / "references.bib",
            cache_dir=tmp_path / "cache",
            services=self.service_configs(real_intervals=True),
            mailto=TEST_MAILTO,
            retries=2,
            request_deadline=0.0,
            deadline_per_100=0.0,
        )
        return replace(config, **changes)

    def cli_settings(self, folder: Path, network: str = "") -> tuple[dict[str, str], Path]:
        """The environment and config file that point the real CLI at these fakes, with no
        politeness waits (the CLI runs on the real clock); `network`: `[network]` lines to add."""
        env = {
            f"LIST2BIB_{name.upper()}_URL": service.base_url
            for name, service in self.service_configs().items()
            if name != "zotero"
        }
        env["LIST2BIB_CACHE_DIR"] = str(folder / "cache")
        config = folder / "list2bib.toml"
        config.write_text(
            (f"[network]\n{network}\n" if network else "")
            + "".join(f"[services.{name}]\nmin_interval = 0\n" for name in self.service_configs()),
            encoding="utf-8",
        )
        return env, config

    @staticmethod
    def page_url(path: str) -> str:
        """The real-looking address of a world page (`/<site>/<path>`): the page service's
        mirror setting sends it to the fake web."""
        return "https:/" + path

    def requests_by_server(self) -> dict[str, int]:
        return {type(s).__name__: len(s.requests) for s in self.servers() if s.requests}
