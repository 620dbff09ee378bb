"""The environment: LIST2BIB_* variables over the file's values, and the API keys, which are read
from the environment only."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from list2bib.config.settings import API_KEY_ENV, ENV_PREFIX, Config, check_service, coerce
from list2bib.errors import ConfigError


def apply_env(config: Config, env: Mapping[str, str]) -> tuple[Config, set[str]]:
    """LIST2BIB_MAILTO, LIST2BIB_CACHE_DIR, LIST2BIB_OFFLINE, LIST2BIB_<SERVICE>_URL, and the
    API keys named in API_KEY_ENV. Also returns the Config attributes the environment set."""
    changes: dict[str, Any] = {}
    for var, (attr, kind) in {
        "MAILTO": ("mailto", str),
        "CACHE_DIR": ("cache_dir", Path),
        "OFFLINE": ("offline", bool),
    }.items():
        if env.get(ENV_PREFIX + var):
            value = coerce(env[ENV_PREFIX + var], kind, ENV_PREFIX + var, "environment", text=True)
            changes[attr] = value.expanduser() if isinstance(value, Path) else value
    services = dict(config.services)
    for name, svc in config.services.items():
        url = env.get(f"{ENV_PREFIX}{name.upper()}_URL")
        if url:
            services[name] = replace(svc, base_url=url)
            check_service(services[name], f"{ENV_PREFIX}{name.upper()}_URL", "environment")
    for name, variables in API_KEY_ENV.items():
        key = next((env[v].strip() for v in variables if env.get(v, "").strip()), "")
        if key and name in services:
            services[name] = replace(services[name], api_key=key)
    return replace(config, services=services, **changes), set(changes)


# Environment variables whose values are treated as secrets when messages are printed, besides
# those named above: anything that looks like a key, token or password.
_SECRET_VARIABLE = re.compile(r"API_KEY|(KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)


def secret_values(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The values of every environment variable that holds (or looks like it holds) an API key:
    the CLI removes them from any message it prints, whatever a server's answer repeated.
    Values shorter than 8 characters are left out (they would blank out ordinary words)."""
    env = os.environ if env is None else env
    names = {"ZOTERO_API_KEY", *(v for variables in API_KEY_ENV.values() for v in variables)}
    found = {
        value.strip()
        for name, value in env.items()
        if name in names or _SECRET_VARIABLE.search(name)
    }
    return tuple(sorted((v for v in found if len(v) >= 8), key=len, reverse=True))


def zotero_api_key(config: Config, env: Mapping[str, str] | None = None) -> str:
    """The Zotero API key from the environment variable the config names (never from a file or a
    flag, so it stays out of shell history and config repositories)."""
    env = os.environ if env is None else env
    name = config.zotero_api_key_env
    key = env.get(name, "").strip()
    if not key:
        raise ConfigError(
            f"no Zotero API key: set the environment variable {name} to a key with write access"
            " to the group (create one at https://www.zotero.org/settings/keys)"
        )
    return key
