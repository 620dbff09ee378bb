"""What can be configured: every setting, its default, and what a value of each may be (a value
from a file or the environment is checked here, with the key named in the error)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from list2bib import __version__
from list2bib.errors import ConfigError


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """Where a service lives and how politely to ask it."""

    base_url: str
    min_interval: float
    batch_size: int = 1
    # A secret (Semantic Scholar's `x-api-key`, OpenAlex's `api_key=`): never printed, logged
    # or put in a cache key.
    api_key: str = field(default="", repr=False)


# name -> (base URL, seconds between requests, ids per request). Facts in ../shared/apis.md:
# arXiv asks for one request every 3 s; Crossref's polite pool allows 10/s; DataCite 1000 per 5 min.
SERVICE_DEFAULTS: dict[str, ServiceConfig] = {
    # The API answers up to 2000 entries a call; a long id list is POSTed as a form.
    "arxiv": ServiceConfig("https://export.arxiv.org/api/query", 3.0, 1000),
    "doi": ServiceConfig("https://doi.org", 0.2),
    # `rows` may be 1000, but the URL may not pass 4 kB: batches are also cut by length.
    "crossref": ServiceConfig("https://api.crossref.org", 0.2, 200),
    # Asked by no source of its own: doi.org redirects DataCite DOIs there, and this entry paces
    # those hops (the HTTP session paces every host a service config names).
    "datacite": ServiceConfig("https://api.datacite.org", 0.3),
    # S2 keys get 1 request/s, a tenth more between requests (they reach S2 tens of ms early or
    # late); the shared anonymous pool throttles often. Batch POST: 500 ids.
    "s2": ServiceConfig("https://api.semanticscholar.org/graph/v1", 1.1, 500),
    # DBLP asks for at least 1-2 s between requests and answers 429 + Retry-After beyond.
    "dblp": ServiceConfig("https://dblp.org", 2.0),
    "openreview": ServiceConfig("https://api2.openreview.net", 0.5, 100),
    "acl": ServiceConfig("https://aclanthology.org", 0.5),
    # Title search. 5 requests/s with bursts of 10 for a caller who names a contact (User-Agent).
    "openalex": ServiceConfig("https://api.openalex.org", 0.2, 100),
    "zotero": ServiceConfig("https://api.zotero.org", 0.0, 50),
    # Project pages and blogs: no base URL (each page from its own site) unless a mirror is set.
    "page": ServiceConfig("", 1.0),
}

ENV_PREFIX = "LIST2BIB_"
# Environment variables that may hold a service's API key (first set wins).
API_KEY_ENV: dict[str, tuple[str, ...]] = {
    "s2": ("LIST2BIB_S2_API_KEY", "S2_API_KEY", "SEMANTIC_SCHOLAR_API_KEY"),
    "openalex": ("LIST2BIB_OPENALEX_API_KEY", "OPENALEX_API_KEY"),
}
# The output dialects (`--format`, `build.format`).
FORMATS = ("bibtex", "biblatex", "csl-json")
# Named in the User-Agent, so that a service can see who asks.
PROJECT_URL = "https://github.com/list2bib/list2bib"


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("list2bib"))


@dataclass(frozen=True, slots=True)
class Config:
    output: Path = Path("output/references.bib")
    strict: bool = False
    ascii: bool = False
    # The output's dialect: bibtex, biblatex or csl-json; empty: by the output's extension.
    format: str = ""
    # Venues by their short names (NeurIPS, ICLR, ACL) instead of their full titles.
    short_venues: bool = False
    # DOI-less conference papers whose DBLP key Semantic Scholar names: DBLP is asked for each
    # (per proceedings volume where cheaper) so that `url` is the proceedings page, not arXiv.
    proceedings_urls: bool = False
    offline: bool = False
    mailto: str = ""
    cache_dir: Path = field(default_factory=default_cache_dir)
    cache_days: float = 30.0
    timeout: float = 30.0
    retries: int = 4
    # A request's total time in seconds, connect to last byte (`timeout` is per socket read);
    # the run's deadline in minutes per 100 entries asked, as much for fewer (0: none of each).
    request_deadline: float = 60.0
    deadline_per_100: float = 3.0
    # Links from lists are fetched only from public addresses; True also asks private, loopback
    # and link-local ones (an intranet). A service's own base_url is always asked.
    allow_private_addresses: bool = False
    services: Mapping[str, ServiceConfig] = field(default_factory=lambda: dict(SERVICE_DEFAULTS))
    # build: the review report (format by extension: .md, .html, .json) and key pattern.
    report: Path | None = None
    key_pattern: str = "{auth}{year}{shorttitle}"
    prune: bool = False
    # build: also write listed links that are no works (people, chats, tools, ...) as @misc.
    include_links: bool = False
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

    @property
    def output_format(self) -> str:
        """`format`, else by the output's extension: `.json` CSL-JSON, anything else BibTeX."""
        if self.format:
            if self.format not in FORMATS:
                raise ConfigError(
                    f"build.format must be one of {', '.join(FORMATS)}, got {self.format!r}"
                )
            return self.format
        return "csl-json" if self.output.suffix.lower() == ".json" else "bibtex"

    def with_overrides(self, **changes: Any) -> Config:
        """CLI flags: only the values actually given (not None) replace the configured ones."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def check_service(svc: ServiceConfig, name: str, where: str) -> None:
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


def coerce(value: Any, kind: type, key: str, where: str, *, text: bool = False) -> Any:
    """`value` as a `kind`, or ConfigError naming `key`. Only `text` (an environment variable)
    may spell a boolean or a number as a string: TOML has its own (`true`, not `"yes"`)."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        if (
            text
            and isinstance(value, str)
            and value.lower()
            in {
                "1",
                "true",
                "yes",
                "on",
                "0",
                "false",
                "no",
                "off",
            }
        ):
            return value.lower() in {"1", "true", "yes", "on"}
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if text and isinstance(value, str) and value.isdigit():
            return int(value)
    elif kind is float:
        try:
            number = float(value) if text or not isinstance(value, str) else -1.0
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
