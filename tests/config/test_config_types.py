"""TOML has its own booleans and numbers: a config file that writes `"yes"` or `"3"` is told so;
only environment variables, which are text, spell them as words or digits."""

from __future__ import annotations

from pathlib import Path

import pytest

from list2bib.config import load_config
from list2bib.errors import ConfigError


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ('strict = "yes"', "build.strict", "true or false"),
        ('strict = "true"', "build.strict", "true or false"),
        ("strict = 1", "build.strict", "true or false"),
        ('retries = "3"', "network.retries", "whole number"),
        ('timeout = "30"', "network.timeout", "number"),
    ],
)
def test_a_quoted_value_is_not_a_boolean_or_number(
    tmp_path: Path, line: str, key: str, expected: str
) -> None:
    section = key.split(".")[0]
    path = tmp_path / "list2bib.toml"
    path.write_text(f"[{section}]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{key}.*give .*{expected}"):
        load_config(path, env={})


def test_typed_values_and_environment_words_are_read(tmp_path: Path) -> None:
    path = tmp_path / "list2bib.toml"
    path.write_text("[build]\nstrict = true\n[network]\nretries = 3\ntimeout = 2.5\n", "utf-8")
    config = load_config(path, env={"LIST2BIB_OFFLINE": "yes"})
    assert config.strict is True and config.retries == 3 and config.timeout == 2.5
    assert config.offline is True
