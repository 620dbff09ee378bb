"""Config: defaults, TOML files, [tool.list2bib], environment, CLI overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from list2bib.config import SERVICE_DEFAULTS, find_config_file, load_config
from list2bib.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path: Path) -> None:
    config = load_config(None, env={}) if find_config_file(tmp_path) is None else None
    assert config is not None
    assert config.service("arxiv").base_url == SERVICE_DEFAULTS["arxiv"].base_url
    assert config.service("arxiv").min_interval == 3.0
    assert config.output == Path("output/references.bib")
    assert "list2bib/" in config.user_agent and "mailto" not in config.user_agent


def test_file_values_and_services(tmp_path: Path) -> None:
    path = write(
        tmp_path / "list2bib.toml",
        """
[build]
output = "paper/refs.bib"
strict = true
[network]
mailto = "me@uni.edu"
retries = 2
[services.arxiv]
base_url = "http://127.0.0.1:9/api/query"
batch_size = 50
""",
    )
    config = load_config(path, env={})
    assert config.output == Path("paper/refs.bib")
    assert config.strict is True and config.retries == 2
    assert config.service("arxiv").base_url == "http://127.0.0.1:9/api/query"
    assert config.service("arxiv").batch_size == 50
    assert config.service("arxiv").min_interval == 3.0  # untouched keys keep their defaults
    assert "mailto:me@uni.edu" in config.user_agent


def test_env_overrides_file_and_cli_overrides_env(tmp_path: Path) -> None:
    path = write(tmp_path / "list2bib.toml", '[network]\nmailto = "file@x.org"\n')
    env = {"LIST2BIB_MAILTO": "env@x.org", "LIST2BIB_DOI_URL": "http://127.0.0.1:1"}
    config = load_config(path, env=env)
    assert config.mailto == "env@x.org"
    assert config.service("doi").base_url == "http://127.0.0.1:1"
    assert config.with_overrides(mailto="cli@x.org", strict=None).mailto == "cli@x.org"


def test_pyproject_table_is_found(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname="x"\n[tool.list2bib.build]\nascii = true\n')
    found = find_config_file(tmp_path)
    assert found == tmp_path / "pyproject.toml"
    assert load_config(found, env={}).ascii is True


def test_pyproject_without_table_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname="x"\n')
    assert find_config_file(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[network]\ntimout = 3\n", "unknown key network.timout"),
        ("[bild]\n", "unknown section [bild]"),
        ("[network]\nretries = -1\n", "bad value for network.retries"),
        ("[build]\nstrict = 'maybe'\n", "bad value for build.strict"),
        ("[services.arxiv]\nbase_url = 'ftp://x'\n", "arxiv.base_url must be an http(s) URL"),
        ("[services.arxiv]\nspeed = 1\n", "unknown key services.arxiv.speed"),
        ("[services.nosuch]\nmin_interval = 1\n", "unknown service [services.nosuch]"),
        ("[network\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "list2bib.toml", text)
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_config_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path, env={})


def test_bad_env_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="LIST2BIB_ARXIV_URL"):
        load_config(None, env={"LIST2BIB_ARXIV_URL": "not-a-url"})


def test_example_config_is_valid_and_complete() -> None:
    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    config = load_config(example, env={})
    text = example.read_text(encoding="utf-8")
    for key in (
        "output",
        "strict",
        "ascii",
        "mailto",
        "offline",
        "cache_dir",
        "cache_days",
        "timeout",
        "retries",
        "base_url",
        "min_interval",
        "batch_size",
    ):
        assert f"{key} =" in text or f"# {key} =" in text, key
    assert config.service("arxiv").base_url.startswith("https://")
