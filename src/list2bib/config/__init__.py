"""Configuration: defaults, then a TOML file, then environment variables, then CLI flags.

The only package that reads config files and environment variables. Unknown keys and bad values are
errors that name the file and the key, so a typo never silently falls back to a default.

The file is the one `--config` names, else the nearest `list2bib.toml` or `pyproject.toml` with
[tool.list2bib] from the working folder up to the repository's root; a file found above the
working folder also puts the default output (`output/references.bib`) beside it.

Paths in a config file (`[build] output`, `[build] report`, `[network] cache_dir`) are relative to
the file's own folder, not to the working folder, and must stay inside that folder once `..`
segments and symlinks are resolved: a config file that came with a cloned repository can then
never make list2bib write outside that repository. An absolute path, `~`, or `..` that leads out is
an error naming the file and the key; such a path can still be given on the command line (`-o`,
`--report`, `--cache-dir`) or, for the cache, in `LIST2BIB_CACHE_DIR`, which are taken as they are.
The one exception is `cache_dir`, which may also name a folder under the user's cache folder
(`platformdirs.user_cache_path()`, e.g. `~/.cache`, or `~/.cache` itself): that is where the cache
lives by default, and only list2bib's own cache files are ever written there.

API keys are read from the environment only, never from a file, and never appear in a `repr`, a
message or the cache; a config value that looks like a key is refused without being echoed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from list2bib.config.environment import apply_env, secret_values, zotero_api_key
from list2bib.config.file import PATH_FLAGS, apply_table, find_config_file, read_toml
from list2bib.config.settings import (
    API_KEY_ENV,
    ENV_PREFIX,
    PROJECT_URL,
    SERVICE_DEFAULTS,
    Config,
    ServiceConfig,
    default_cache_dir,
)
from list2bib.errors import ConfigError

__all__ = [
    "API_KEY_ENV",
    "ENV_PREFIX",
    "PATH_FLAGS",
    "PROJECT_URL",
    "SERVICE_DEFAULTS",
    "Config",
    "ConfigError",
    "ServiceConfig",
    "default_cache_dir",
    "find_config_file",
    "load_config",
    "secret_values",
    "zotero_api_key",
]


def load_config(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Defaults, then `path` (or the discovered file), then LIST2BIB_* environment variables, then
    `overrides` (command-line values; None means not given).

    A path in the file that leads out of the file's folder (see the package docstring) is a
    ConfigError, unless the environment or `overrides` replace it."""
    env = os.environ if env is None else env
    config = Config()
    escapes: dict[str, str] = {}
    found = path is None
    path = path if path is not None else find_config_file()
    if path is not None:
        data = read_toml(path)
        table = data.get("tool", {}).get("list2bib", {}) if path.name == "pyproject.toml" else data
        if found:  # run from a subfolder, the project's bib is still the one beside its config
            config = replace(config, output=path.parent / config.output)
        config = apply_table(config, table, path, escapes)
    config, from_env = apply_env(config, env)
    given = {name for name, value in (overrides or {}).items() if value is not None}
    for attr, message in escapes.items():
        if attr not in given and attr not in from_env:
            raise ConfigError(message)
    return config.with_overrides(**(overrides or {}))
