"""What the command-line tests share: every fake service behind the environment, a working
folder with a config without waits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import FakeServices, World


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Every fake service behind LIST2BIB_*_URL, a config without waits, tmp_path as the
    working folder."""
    with FakeServices(World.load()) as fakes:
        services = fakes.service_configs()
        for name, service in services.items():
            monkeypatch.setenv(f"LIST2BIB_{name.upper()}_URL", service.base_url)
        monkeypatch.chdir(tmp_path)
        no_waits = "".join(f"[services.{name}]\nmin_interval = 0\n" for name in services)
        (tmp_path / "list2bib.toml").write_text(
            "[network]\nretries = 1\n" + no_waits, encoding="utf-8"
        )
        yield tmp_path
