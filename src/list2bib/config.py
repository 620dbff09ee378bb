"""Configuration: defaults, then a TOML file, then environment variables, then CLI flags.

The only module that reads config files and environment variables. Unknown keys and bad values are
errors that name the file and the key, so a typo never silently falls back to a default.

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

import contextlib
import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
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
# Config attributes that hold paths, and how to give one that a config file may not name.
PATH_FLAGS: dict[str, str] = {
    "output": "-o/--output",
    "report": "--report",
    "cache_dir": "--cache-dir or LIST2BIB_CACHE_DIR",
}
_EVERY_KEY = "config.example.toml lists every key"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOML_WHERE = re.compile(r"(?P<message>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)")


def find_config_file(cwd: Path | None = None) -> Path | None:
    """`list2bib.toml` in the working folder, else a `pyproject.toml` with [tool.list2bib].
    Without `cwd` the path is relative (`list2bib.toml`), which keeps messages short."""
    base = cwd if cwd is not None else Path()
    own = base / "list2bib.toml"
    if own.is_file():
        return own
    pyproject = base / "pyproject.toml"
    if pyproject.is_file() and "list2bib" in _read_toml(pyproject).get("tool", {}):
        return pyproject
    return None


def load_config(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Defaults, then `path` (or the discovered file), then LIST2BIB_* environment variables, then
    `overrides` (command-line values; None means not given).

    A path in the file that leads out of the file's folder (see the module docstring) is a
    ConfigError, unless the environment or `overrides` replace it."""
    env = os.environ if env is None else env
    config = Config()
    escapes: dict[str, str] = {}
    path = path if path is not None else find_config_file()
    if path is not None:
        data = _read_toml(path)
        table = data.get("tool", {}).get("list2bib", {}) if path.name == "pyproject.toml" else data
        config = _apply_table(config, table, path, escapes)
    config, from_env = _apply_env(config, env)
    given = {name for name, value in (overrides or {}).items() if value is not None}
    for attr, message in escapes.items():
        if attr not in given and attr not in from_env:
            raise ConfigError(message)
    return config.with_overrides(**(overrides or {}))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file; give a .toml file") from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file; check the --config path") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{path}: cannot read config ({reason}); check its permissions") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_WHERE.fullmatch(str(exc))
        where, message = (
            (f"{path}:{found['line']}", f"{found['message']} (column {found['column']})")
            if found
            else (str(path), str(exc))
        )
        raise ConfigError(f"{where}: not valid TOML: {message}; fix the syntax there") from None


def _apply_table(
    config: Config, table: Mapping[str, Any], path: Path, escapes: dict[str, str]
) -> Config:
    """The file's values over `config`. Paths are taken relative to the file's folder; a path that
    leaves it is recorded in `escapes` (attribute -> message) for `load_config` to judge."""
    where = str(path)
    changes: dict[str, Any] = {}
    services = dict(config.services)
    for section, body in table.items():
        if section == "services":
            _need_table(body, "services", where)
            for name, svc in body.items():
                services[name] = _service(services.get(name), svc, f"services.{name}", where)
            continue
        if section not in _KEYS:
            hint = _did_you_mean(section, _KEYS, "[{}]")
            raise ConfigError(f"{where}: unknown section [{section}]{hint}; {_EVERY_KEY}")
        _need_table(body, section, where)
        for key, value in body.items():
            if key not in _KEYS[section]:
                hint = _secret_hint(key) or _did_you_mean(key, _KEYS[section], section + ".{}")
                raise ConfigError(
                    f"{where}: unknown key {section}.{key}{hint}; remove or rename it"
                    f" ({_EVERY_KEY})"
                )
            attr, kind = _KEYS[section][key]
            if attr == "zotero_group" and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # `group = 12345`: Zotero group IDs are numbers
            value = _coerce(value, kind, f"{section}.{key}", where)
            if attr == "zotero_api_key_env":
                _check_key_variable(value, where)
            if isinstance(value, Path):
                value, escape = _file_path(value, attr, f"{section}.{key}", path)
                if escape:
                    escapes[attr] = escape
            changes[attr] = value
    return replace(config, services=services, source=where, **changes)


def _file_path(value: Path, attr: str, key: str, config_file: Path) -> tuple[Path, str]:
    """`value` as read from `config_file` (relative to its folder), and why it may not be used
    ('' when it may)."""
    folder = config_file.parent
    path = folder / value.expanduser()  # an absolute value stays as it is
    if _inside(path, folder):
        return path, ""
    roots = _user_cache_roots() if attr == "cache_dir" else ()
    if any(_inside(path, root) for root in roots):
        return path, ""
    allowed = "inside that folder" + (" or under the user cache folder" if roots else "")
    return path, (
        f"{config_file}: {key} = {str(value)!r} points outside the config file's folder"
        f" ({_resolved(folder)}); a config file may only name paths {allowed}: give this one"
        f" on the command line ({PATH_FLAGS[attr]}) instead"
    )


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with `..` and every symlink resolved, is `folder` or below it."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _user_cache_roots() -> tuple[Path, ...]:
    """Where a config file may put the cache besides its own folder: the user cache folder."""
    roots = [platformdirs.user_cache_path()]
    with contextlib.suppress(RuntimeError):  # no home folder known
        roots.append(Path.home() / ".cache")
    return tuple(roots)


def _check_key_variable(name: str, where: str) -> None:
    """`api_key_env` names a variable; a value that looks like the key itself is not echoed."""
    looks_like_key = (
        len(name) >= 16
        and name.isalnum()
        and any(c.islower() for c in name)
        and any(c.isdigit() for c in name)
    )
    if looks_like_key or not _ENV_NAME.fullmatch(name):
        raise ConfigError(
            f"{where}: zotero.api_key_env must be the name of an environment variable (like"
            " ZOTERO_API_KEY), not the key itself; put the key in that variable and remove it"
            " from the file (the value is not shown)"
        )


def _secret_hint(key: str) -> str:
    if re.search(r"key|token|secret|password", key, re.IGNORECASE):
        return (
            " (API keys are read from the environment only: ZOTERO_API_KEY or [zotero]"
            " api_key_env, LIST2BIB_S2_API_KEY; never put one in a file)"
        )
    return ""


def _did_you_mean(word: str, known: Iterable[str], form: str) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.7)
    return f" (did you mean {form.format(close[0])}?)" if close else ""


def _service(current: ServiceConfig | None, body: Any, name: str, where: str) -> ServiceConfig:
    _need_table(body, name, where)
    if current is None:
        if "base_url" not in body:
            raise ConfigError(f"{where}: unknown service [{name}] (give base_url to add one)")
        current = ServiceConfig(base_url="", min_interval=1.0)
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key not in _SERVICE_KEYS:
            hint = _secret_hint(key) or _did_you_mean(key, _SERVICE_KEYS, name + ".{}")
            raise ConfigError(
                f"{where}: unknown key {name}.{key}{hint}; remove or rename it ({_EVERY_KEY})"
            )
        changes[key] = _coerce(value, _SERVICE_KEYS[key], f"{name}.{key}", where)
    result = replace(current, **changes)
    _check_service(result, name, where)
    return result


def _check_service(svc: ServiceConfig, name: str, where: str) -> None:
    optional = name.endswith("page") or name.endswith("PAGE_URL")
    if not (optional and not svc.base_url) and not svc.base_url.startswith(("http://", "https://")):
        shown = re.sub(r"//[^/@]*@", "//***@", svc.base_url)  # no password in a message
        raise ConfigError(
            f"{where}: {name}.base_url must be an http(s) URL, got {shown!r}; give one that"
            " starts with https://"
        )
    if svc.min_interval < 0:
        raise ConfigError(f"{where}: {name}.min_interval must be >= 0")
    if svc.batch_size < 1:
        raise ConfigError(f"{where}: {name}.batch_size must be >= 1")


def _need_table(value: Any, name: str, where: str) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table; write it as a [{name}] section")


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
            return Path(value)  # `~` is expanded by the caller, which knows where it came from
    elif isinstance(value, str):
        return value
    shown = "(not shown)" if key.endswith("api_key_env") else repr(value)
    raise ConfigError(f"{where}: bad value for {key}: {shown}; give {_kind_name(kind)}")


def _kind_name(kind: type) -> str:
    return {
        bool: "true or false",
        int: "a whole number >= 0",
        float: "a number >= 0",
        Path: "a path",
        str: "a string",
    }[kind]


def _apply_env(config: Config, env: Mapping[str, str]) -> tuple[Config, set[str]]:
    """LIST2BIB_MAILTO, LIST2BIB_CACHE_DIR, LIST2BIB_OFFLINE, LIST2BIB_<SERVICE>_URL, and the
    API keys named in API_KEY_ENV. Also returns the Config attributes the environment set."""
    changes: dict[str, Any] = {}
    for var, (attr, kind) in {
        "MAILTO": ("mailto", str),
        "CACHE_DIR": ("cache_dir", Path),
        "OFFLINE": ("offline", bool),
    }.items():
        if env.get(ENV_PREFIX + var):
            value = _coerce(env[ENV_PREFIX + var], kind, ENV_PREFIX + var, "environment")
            changes[attr] = value.expanduser() if isinstance(value, Path) else value
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
