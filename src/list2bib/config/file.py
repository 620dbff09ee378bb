"""The config file: found in the working folder or the nearest folder above it, read as TOML,
every key checked, and paths kept inside the file's own folder (see the package docstring)."""

from __future__ import annotations

import contextlib
import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import platformdirs

from list2bib.config.settings import Config, ServiceConfig, check_service, coerce
from list2bib.errors import ConfigError

# section -> key -> type. A key sets the Config attribute of its own name, prefixed `zotero_` in
# [zotero] (`group` sets `zotero_group`).
_KEYS: dict[str, dict[str, type]] = {
    "build": {
        "output": Path, "strict": bool, "ascii": bool, "report": Path, "key_pattern": str,
        "prune": bool, "include_links": bool, "format": str, "short_venues": bool,
        "proceedings_urls": bool,
    },
    "refresh": {"preprint_days": float, "unresolved_days": float, "lock_wait": float},
    "zotero": {"group": str, "collection": str, "api_key_env": str, "adopt": bool},
    "network": {
        "mailto": str, "offline": bool, "cache_dir": Path, "cache_days": float, "timeout": float,
        "retries": int, "allow_private_addresses": bool, "request_deadline": float,
        "deadline_per_100": float,
    },
}  # fmt: skip
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
    """The nearest config file, as git and ruff find theirs: `list2bib.toml`, else a
    `pyproject.toml` with [tool.list2bib], in the working folder, then in each folder above it
    up to the repository's root (the folder holding `.git`). Outside a repository only the
    working folder counts: a file higher up belongs to no project of the user's. Without `cwd`
    the path is relative (`list2bib.toml`, `../list2bib.toml`), which keeps messages short."""
    base = cwd if cwd is not None else Path()
    folders = [base.resolve(), *base.resolve().parents]
    root = next((n for n, folder in enumerate(folders) if (folder / ".git").exists()), 0)
    for up in range(root + 1):
        folder = base.joinpath(*[".."] * up)
        own = folder / "list2bib.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "list2bib" in read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def read_toml(path: Path) -> dict[str, Any]:
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


def apply_table(
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
            attr = f"zotero_{key}" if section == "zotero" else key
            if attr == "zotero_group" and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # `group = 12345`: Zotero group IDs are numbers
            value = coerce(value, _KEYS[section][key], f"{section}.{key}", where)
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
            " api_key_env, LIST2BIB_S2_API_KEY, LIST2BIB_OPENALEX_API_KEY; never put one in a"
            " file)"
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
        changes[key] = coerce(value, _SERVICE_KEYS[key], f"{name}.{key}", where)
    result = replace(current, **changes)
    check_service(result, name, where)
    return result


def _need_table(value: Any, name: str, where: str) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table; write it as a [{name}] section")
