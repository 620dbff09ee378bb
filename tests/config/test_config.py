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
    assert config.output == tmp_path / "paper/refs.bib"  # relative to the file's folder
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
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
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


# --- paths in a config file: relative to its folder, and never out of it ------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of its own, so `~` and the user cache folder point into tmp_path."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return folder


def test_paths_are_relative_to_the_config_files_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path = write(
        project / "list2bib.toml",
        '[build]\noutput = "paper/refs.bib"\nreport = "sub/../review.md"\n'
        '[network]\ncache_dir = ".cache"\n',
    )
    config = load_config(path, env={})
    assert config.output == project / "paper/refs.bib"
    assert config.report is not None and config.report.resolve() == project / "review.md"
    assert config.cache_dir == project / ".cache"
    write(tmp_path / "pyproject.toml", '[tool.list2bib.build]\noutput = "refs.bib"\n')
    assert load_config(tmp_path / "pyproject.toml", env={}).output == tmp_path / "refs.bib"


def _escapes(tmp_path: Path) -> dict[str, str]:
    """Config lines that each lead out of `tmp_path/project`, by name."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target.bib").write_text("", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link").symlink_to(outside, target_is_directory=True)
    (project / "refs.bib").symlink_to(outside / "target.bib")
    return {
        "dotdot": '[build]\noutput = "../outside/refs.bib"\n',
        "deep-dotdot": '[build]\noutput = "a/b/../../../refs.bib"\n',
        "absolute": f'[build]\noutput = "{outside / "refs.bib"}"\n',
        "home": '[build]\nreport = "~/review.md"\n',
        "folder-symlink": '[build]\noutput = "link/refs.bib"\n',
        "file-symlink": '[build]\noutput = "refs.bib"\n',
        "cache-absolute": f'[network]\ncache_dir = "{outside / "cache"}"\n',
        "cache-home": '[network]\ncache_dir = "~/list2bib-cache"\n',
    }


@pytest.mark.parametrize(
    ("case", "key", "flag"),
    [
        ("dotdot", "build.output", "-o/--output"),
        ("deep-dotdot", "build.output", "-o/--output"),
        ("absolute", "build.output", "-o/--output"),
        ("home", "build.report", "--report"),
        ("folder-symlink", "build.output", "-o/--output"),
        ("file-symlink", "build.output", "-o/--output"),
        ("cache-absolute", "network.cache_dir", "--cache-dir"),
        ("cache-home", "network.cache_dir", "--cache-dir"),
    ],
)
def test_a_config_path_may_not_leave_the_files_folder(
    tmp_path: Path, home: Path, case: str, key: str, flag: str
) -> None:
    path = write(tmp_path / "project" / "list2bib.toml", _escapes(tmp_path)[case])
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    message = str(err.value)
    assert message.startswith(f"{path}: {key} = ")
    assert "outside the config file's folder" in message and flag in message
    assert "command line" in message and "\n" not in message


def test_the_command_line_or_environment_may_name_any_path(tmp_path: Path, home: Path) -> None:
    escapes = _escapes(tmp_path)
    path = write(tmp_path / "project" / "list2bib.toml", escapes["absolute"])
    elsewhere = tmp_path / "outside" / "given.bib"
    assert load_config(path, env={}, overrides={"output": elsewhere}).output == elsewhere
    with pytest.raises(ConfigError):  # a flag that was not given does not count
        load_config(path, env={}, overrides={"output": None, "report": elsewhere})
    write(path, escapes["cache-absolute"])
    cache = tmp_path / "outside" / "env-cache"
    assert load_config(path, env={"LIST2BIB_CACHE_DIR": str(cache)}).cache_dir == cache
    # Outside any config file, `~` is the user's to use.
    assert load_config(None, env={"LIST2BIB_CACHE_DIR": "~/c"}).cache_dir == home / "c"


def test_a_cache_under_the_user_cache_folder_is_allowed(tmp_path: Path, home: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path = write(project / "list2bib.toml", '[network]\ncache_dir = "~/.cache/list2bib"\n')
    assert load_config(path, env={}).cache_dir == home / ".cache" / "list2bib"
    absolute = home / ".cache" / "papers"
    write(path, f'[network]\ncache_dir = "{absolute}"\n')
    assert load_config(path, env={}).cache_dir == absolute
    write(path, '[build]\noutput = "~/.cache/refs.bib"\n')  # only the cache may go there
    with pytest.raises(ConfigError, match=r"build\.output"):
        load_config(path, env={})
