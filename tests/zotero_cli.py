"""`list2bib zotero sync` run in-process against the fake services and a fake Zotero, every wait
(the services' retries, Zotero's pacing) on one fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fakes import FakeClock, FakeServices, FakeZotero
from list2bib.cli import main
from list2bib.infra.clock import Clock
from list2bib.infra.http import Http, HttpSettings

GROUP = "12345"


def cli_sync(
    folder: Path,
    services: FakeServices,
    fake: FakeZotero,
    monkeypatch: pytest.MonkeyPatch,
    lists: tuple[str, ...],
    *options: str,
    network: str = "",
) -> Result:
    """Sync `lists` (names in `folder`) to the fake group; `network`: `[network]` lines."""
    env, config = services.cli_settings(folder, network)
    env |= {"LIST2BIB_ZOTERO_URL": fake.base_url, "ZOTERO_API_KEY": FakeZotero.WRITER}
    fake_clock = FakeClock()

    def http(settings: HttpSettings, clock: Clock | None = None) -> Http:
        return Http(settings, clock=clock or fake_clock)

    monkeypatch.setattr("list2bib.cli.zotero.Http", http)
    monkeypatch.setattr("list2bib.pipeline.Http", http)
    paths = [str(folder / name) for name in lists]
    args = ["zotero", "sync", *paths, "--group", GROUP, "--config", str(config), *options]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert FakeZotero.WRITER not in result.output
    return result
