"""A run counts the requests that failed for good: a service down, throttling or cut off counts;
a final "not found" is an answer, and an address that cannot be asked is no service's failure."""

from __future__ import annotations

import pytest
from test_guard import Site

from fakes import FakeClock, make_http
from list2bib.errors import NotAskable, ServiceError


def test_only_failures_to_ask_are_counted() -> None:
    with Site() as site, make_http(clock=FakeClock(), retries=1) as http:
        http.get("t", f"{site.root}/fine")
        site.fail_next(2, "503")
        with pytest.raises(ServiceError):
            http.get("t", f"{site.root}/down")
        assert http.failures.count == 1
        site.target = "ftp://example.org/x"
        with pytest.raises(NotAskable):
            http.get("t", f"{site.root}/go")
        assert http.failures.count == 1


def test_a_final_not_found_is_an_answer_and_an_unreadable_one_a_failure() -> None:
    with Site() as site, make_http(clock=FakeClock(), retries=1) as http:
        with pytest.raises(ServiceError, match="not found"):
            http.get("t", f"{site.root}/missing")
        assert http.failures.count == 0
        with pytest.raises(ServiceError, match="unreadable"):
            http.get("t", f"{site.root}/fine", expect=_never_readable)
        assert http.failures.count == 1


def _never_readable(response: object) -> None:
    raise ValueError("never readable")
