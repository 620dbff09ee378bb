"""The error tree and the exit codes it maps to. Leaf module.

Every error a user can cause or meet carries one line that says what went wrong and where; the CLI
prints that line and exits with `exit_code`. Anything else escaping is a bug.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_UNRESOLVED = 3
EXIT_BUSY = 4  # another run holds the output's lock
# Finished, but a service failed for good: the entries it touched kept their previous content.
EXIT_PARTIAL = 5
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


class List2BibError(Exception):
    """Base class: a problem that is reported as one line, not a traceback."""

    exit_code = EXIT_FAILURE


class InputError(List2BibError):
    """A list, .bib or other input file cannot be read or parsed. Names the file (and line)."""

    exit_code = EXIT_USAGE


class ConfigError(List2BibError):
    """A configuration file or value is wrong. Names the key."""

    exit_code = EXIT_USAGE


class OutputError(List2BibError):
    """The output cannot be written; the previous file is left as it was."""

    exit_code = EXIT_FAILURE


class LockBusy(List2BibError):
    """Another list2bib run holds the lock on the same bibliography."""

    exit_code = EXIT_BUSY


class Interrupted(List2BibError):
    """The run was interrupted after some writes had been sent; the message says what to do.
    (An interruption before any write is a plain KeyboardInterrupt: nothing was written.)"""

    exit_code = EXIT_INTERRUPTED


class ServiceError(List2BibError):
    """A remote service failed for good (after retries). Carries what is needed to report it."""

    def __init__(
        self,
        service: str,
        message: str,
        *,
        url: str = "",
        status: int | None = None,
        attempts: int = 1,
    ) -> None:
        self.service = service
        self.url = url
        self.status = status
        self.attempts = attempts
        detail = f"HTTP {status}" if status is not None else "no response"
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"{service}: {message} ({detail}{tries})")


class NotAskable(ServiceError):
    """The address itself cannot be asked (a non-public host, a redirect loop or to `file:`):
    asking again later cannot help, so it is no reason to call a run partial."""


class RateLimited(ServiceError):
    """The service kept answering 429 (or its equivalent) until retries ran out."""


class OfflineMiss(ServiceError):
    """`--offline` was given and the answer is not in the cache."""

    def __init__(self, service: str, url: str) -> None:
        super().__init__(service, "not in the cache and --offline is set", url=url)


class ZoteroError(List2BibError):
    """Zotero refused or failed a request for good; the message says what to do."""


class ZoteroAccessError(ZoteroError):
    """The API key cannot read or write the group."""
