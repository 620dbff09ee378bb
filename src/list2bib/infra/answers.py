"""An answer as a source sees it (no requests types), and the checks an `expect` runs on its
body: JSON, XML, or a page that may be cut off."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# No stubs ship with defusedxml; its parser is the stdlib's with the dangerous features refused.
from defusedxml import DefusedXmlException  # type: ignore[import-untyped, unused-ignore]
from defusedxml.ElementTree import (  # type: ignore[import-untyped, unused-ignore]
    ParseError,
    fromstring,
)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What a source sees of an answer: no requests types leak out of `http`."""

    status: int
    url: str
    headers: Mapping[str, str]
    content: bytes
    from_cache: bool = False

    @property
    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"'")
        return self.content.decode(charset, errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class DoubtfulAnswer(ValueError):
    """Raised by an `expect` check for an answer that may be cut off but is usable if it stays
    so (an HTML page without `</html>`: HTML allows leaving it out). Asked once more only."""


def why_unreadable(
    response: HttpResponse, expect: Callable[[HttpResponse], object] | None
) -> tuple[str, bool]:
    """Why `expect` rejects the answer ('' when it is fine or nothing is expected), and whether
    the answer is only doubtful (usable if it stays so)."""
    if expect is None:
        return "", False
    try:
        expect(response)
    except ValueError as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        return reason, isinstance(exc, DoubtfulAnswer)
    return "", False


def expect_json(response: HttpResponse) -> object:
    """A body that parses as JSON (what every JSON API answers, errors included)."""
    try:
        return response.json()
    except ValueError:
        ctype = response.headers.get("content-type", "?").split(";")[0]
        raise ValueError(f"not JSON: {ctype}, {len(response.content)} bytes") from None


def expect_xml(response: HttpResponse) -> object:
    """A body that parses as XML, with entity expansion and external entities refused."""
    try:
        return fromstring(response.content)
    except (ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not XML: {exc}") from None
