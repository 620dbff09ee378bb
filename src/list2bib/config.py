"""Configuration: defaults, then a TOML file, then environment variables, then CLI flags.

The only module that reads config files and environment variables. Unknown keys and bad values are
errors that name the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from list2bib import __version__
from list2bib.errors import ConfigError

PROJECT_URL = "https://github.com/list2bib/list2bib"
ENV_PREFIX = "LIST2BIB_"


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """Where a service lives and how politely to ask it."""

    base_url: str
    min_interval: float
    batch_size: int = 1
    # A secret (Semantic Scholar's `x-api-key`): never printed, logged or put in a cache key.
    api_key: str = field(default="", repr=False)


# name -> (base URL, seconds between requests, ids per request). Facts in ../shared/apis.md:
# arXiv asks for one request every 3 s; Crossref's polite pool allows 10/s; DataCite 1000 per 5 min.
SERVICE_DEFAULTS: dict[str, ServiceConfig] = {
    # The API answers up to 2000 entries a call; a long id list is POSTed as a form.
    "arxiv": ServiceConfig("https://export.arxiv.org/api/query", 3.0, 1000),
    "doi": ServiceConfig("https://doi.org", 0.2),
    # `rows` may be 1000, but the URL may not pass 4 kB: batches are also cut by length.
    "crossref": ServiceConfig("https://api.crossref.org", 0.2, 200),
    "datacite": ServiceConfig("https://api.datacite.org", 0.3),
    # S2 keys get 1 request/s; the shared anonymous pool throttles often. Batch POST: 500 ids.
    "s2": ServiceConfig("https://api.semanticscholar.org/graph/v1", 1.0, 500),
    # DBLP asks for at least 1-2 s between requests and answers 429 + Retry-After beyond.
    "dblp": ServiceConfig("https://dblp.org", 2.0),
    "openreview": ServiceConfig("https://api2.openreview.net", 0.5, 100),
    "acl": ServiceConfig("https://aclanthology.org", 0.5),
    "zotero": ServiceConfig("https://api.zotero.org", 0.0, 50),
    # Project pages and blogs: no base URL (each page from its own site) unless a mirror is set.
    "page": ServiceConfig("", 1.0),
}
# Environment variables that may hold a service's API key (first set wins).
API_KEY_ENV: dict[str, tuple[str, ...]] = {
    "s2": ("LIST2BIB_S2_API_KEY", "S2_API_KEY", "SEMANTIC_SCHOLAR_API_KEY"),
}


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("list2bib"))


@dataclass(frozen=True, slots=True)
class Config:
    output: Path = Path("output/references.bib")
    strict: bool = False
    ascii: bool = False
    offline: bool = False
    mailto: str = ""
    cache_dir: Path = field(default_factory=default_cache_dir)
    cache_days: float = 30.0
    timeout: float = 30.0
    retries: int = 4
    services: Mapping[str, ServiceConfig] = field(default_factory=lambda: dict(SERVICE_DEFAULTS))
    # build: the review report (format by extension: .md, .html, .json) and key pattern.
    report: Path | None = None
    key_pattern: str = "{auth}{year}{shorttitle}"
    prune: bool = False
    # refresh: how long a "preprint only" / "not found" answer is trusted before asking again;
    # how long a second run waits for the first one's lock.
    preprint_days: float = 7.0
    unresolved_days: float = 1.0
    lock_wait: float = 60.0
    # zotero: the group library, the root collection, where the API key is read from.
    zotero_group: str = ""
    zotero_collection: str = ""
    zotero_api_key_env: str = "ZOTERO_API_KEY"
    zotero_adopt: bool = True
    source: str = "defaults"

    def service(self, name: str) -> ServiceConfig:
        return self.services[name]

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"list2bib/{__version__} (+{PROJECT_URL}{contact})"

    def with_overrides(self, **changes: Any) -> Config:
        """CLI flags: only the values actually given (not None) replace the configured ones."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


# section -> key -> (Config attribute, type)
_KEYS: dict[str, dict[str, tuple[str, type]]] = {
    "build": {
        "output": ("output", Path),
        "strict": ("strict", bool),
        "ascii": ("ascii", bool),
        "report": ("report", Path),
        "key_pattern": ("key_pattern", str),
        "prune": ("prune", bool),
    },
    "refresh": {
        "preprint_days": ("preprint_days", float),
        "unresolved_days": ("unresolved_days", float),
        "lock_wait": ("lock_wait", float),
    },
    "zotero": {
        "group": ("zotero_group", str),
        "collection": ("zotero_collection", str),
        "api_key_env": ("zotero_api_key_env", str),
        "adopt": ("zotero_adopt", bool),
    },
    "network": {
        "mailto": ("mailto", str),
        "offline": ("offline", bool),
        "cache_dir": ("cache_dir", Path),
        "cache_days": ("cache_days", float),
        "timeout": ("timeout", float),
        "retries": ("retries", int),
    },
}
_SERVICE_KEYS: dict[str, type] = {"base_url": str, "min_interval": float, "batch_size": int}


def find_config_file(cwd: Path | None = None) -> Path | None:
    """`list2bib.toml` in the working folder, else a `pyproject.toml` with [tool.list2bib]."""
    cwd = cwd or Path.cwd()
    own = cwd / "list2bib.toml"
    if own.is_file():
        return own
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file() and "list2bib" in _read_toml(pyproject).get("tool", {}):
        return pyproject
    return None


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Defaults, then `path` (or the discovered file), then LIST2BIB_* environment variables."""
    env = os.environ if env is None else env
    config = Config()
    path = path if path is not None else find_config_file()
    if path is not None:
        data = _read_toml(path)
        table = data.get("tool", {}).get("list2bib", {}) if path.name == "pyproject.toml" else data
        config = _apply_table(config, table, str(path))
    return _apply_env(config, env)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _apply_table(config: Config, table: Mapping[str, Any], where: str) -> Config:
    changes: dict[str, Any] = {}
    services = dict(config.services)
    for section, body in table.items():
        if section == "services":
            _need_table(body, "services", where)
            for name, svc in body.items():
                services[name] = _service(services.get(name), svc, f"services.{name}", where)
            continue
        if section not in _KEYS:
            raise ConfigError(f"{where}: unknown section [{section}]")
        _need_table(body, section, where)
        for key, value in body.items():
            if key not in _KEYS[section]:
                raise ConfigError(f"{where}: unknown key {section}.{key}")
            attr, kind = _KEYS[section][key]
            if attr == "zotero_group" and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # `group = 12345`: Zotero group IDs are numbers
            changes[attr] = _coerce(value, kind, f"{section}.{key}", where)
    return replace(config, services=services, source=where, **changes)


def _service(current: ServiceConfig | None, body: Any, name: str, where: str) -> ServiceConfig:
    _need_table(body, name, where)
    if current is None:
        if "base_url" not in body:
            raise ConfigError(f"{where}: unknown service [{name}] (give base_url to add one)")
        current = ServiceConfig(base_url="", min_interval=1.0)
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key not in _SERVICE_KEYS:
            raise ConfigError(f"{where}: unknown key {name}.{key}")
        changes[key] = _coerce(value, _SERVICE_KEYS[key], f"{name}.{key}", where)
    result = replace(current, **changes)
    _check_service(result, name, where)
    return result


def _check_service(svc: ServiceConfig, name: str, where: str) -> None:
    optional = name.endswith("page") or name.endswith("PAGE_URL")
    if not (optional and not svc.base_url) and not svc.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: {name}.base_url must be an http(s) URL, got {svc.base_url!r}")
    if svc.min_interval < 0:
        raise ConfigError(f"{where}: {name}.min_interval must be >= 0")
    if svc.batch_size < 1:
        raise ConfigError(f"{where}: {name}.batch_size must be >= 1")


def _need_table(value: Any, name: str, where: str) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")


def _coerce(value: Any, kind: type, key: str, where: str) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        }:
            return value.lower() in {"1", "true", "yes", "on"}
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    elif kind is float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        if not isinstance(value, bool) and number >= 0:
            return number
    elif kind is Path:
        if isinstance(value, str) and value.strip():
            return Path(value).expanduser()
    elif isinstance(value, str):
        return value
    raise ConfigError(f"{where}: bad value for {key}: {value!r} (expected {_kind_name(kind)})")


def _kind_name(kind: type) -> str:
    return {
        bool: "true or false",
        int: "a whole number >= 0",
        float: "a number >= 0",
        Path: "a path",
        str: "a string",
    }[kind]


def _apply_env(config: Config, env: Mapping[str, str]) -> Config:
    """LIST2BIB_MAILTO, LIST2BIB_CACHE_DIR, LIST2BIB_OFFLINE, LIST2BIB_<SERVICE>_URL, and the
    API keys named in API_KEY_ENV."""
    changes: dict[str, Any] = {}
    for var, (attr, kind) in {
        "MAILTO": ("mailto", str),
        "CACHE_DIR": ("cache_dir", Path),
        "OFFLINE": ("offline", bool),
    }.items():
        if env.get(ENV_PREFIX + var):
            changes[attr] = _coerce(env[ENV_PREFIX + var], kind, ENV_PREFIX + var, "environment")
    services = dict(config.services)
    for name, svc in config.services.items():
        url = env.get(f"{ENV_PREFIX}{name.upper()}_URL")
        if url:
            services[name] = replace(svc, base_url=url)
            _check_service(services[name], f"{ENV_PREFIX}{name.upper()}_URL", "environment")
    for name, variables in API_KEY_ENV.items():
        key = next((env[v].strip() for v in variables if env.get(v, "").strip()), "")
        if key and name in services:
            services[name] = replace(services[name], api_key=key)
    return replace(config, services=services, **changes)


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
