"""Keys sent as query parameters (OpenAlex's `api_key=`) kept out of what is shown and stored:
masked in logged addresses, dropped from a redirect to another host and from the cached record
of the redirects an answer came through."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that carry a key or token (compared case-insensitively).
SECRET_QUERY_NAMES = frozenset({"api_key", "apikey", "key", "token", "access_token"})
MASK = "***"


def masked_url(url: str) -> str:
    """`url` with the value of every key-carrying parameter shown as `***` (for log lines)."""
    return _rewrite(url, mask=True)


def without_secret_params(url: str) -> str:
    """`url` without its key-carrying parameters (a redirect to another host gets no key)."""
    return _rewrite(url, mask=False)


def scrub_saved_redirects(cache: Any) -> None:
    """requests-cache removes ignored parameters from the address of the answer it stores, but
    not from the redirect hops stored with it (their addresses, their Location): those are
    cleaned before they are saved."""
    save = cache.save_response

    def save_response(response: Any, *args: Any, **kwargs: Any) -> Any:
        for hop in getattr(response, "history", ()) or ():
            hop.url = without_secret_params(hop.url or "")
            if hop.headers.get("Location"):
                hop.headers["Location"] = without_secret_params(hop.headers["Location"])
            if hop.request is not None and hop.request.url:
                hop.request.url = without_secret_params(hop.request.url)
        return save(response, *args, **kwargs)

    cache.save_response = save_response


def _secret(name: str) -> bool:
    return name.lower() in SECRET_QUERY_NAMES


def _pairs(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def _rewrite(url: str, *, mask: bool) -> str:
    parts = urlsplit(url)
    pairs = _pairs(url)
    if not any(_secret(name) for name, _ in pairs):
        return url  # unchanged, spelled as it was
    if mask:
        pairs = [(name, MASK if _secret(name) else value) for name, value in pairs]
    else:
        pairs = [(name, value) for name, value in pairs if not _secret(name)]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))
