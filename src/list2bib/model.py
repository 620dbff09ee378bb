"""The data that flows between the stages: entries, identifiers, records, resolutions, references.

Leaf module: imports nothing from the package. Every type is a frozen, slotted dataclass so a
stage can never mutate what an earlier stage produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Joins a heading chain into one topic path (`Survey > interpretability`); Zotero splits on it.
TOPIC_SEPARATOR = " > "


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink as written in a list: its target and the text shown for it."""

    url: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One paper (or page) as a list gives it, before anything is looked up.

    `topics` is the heading chain (`("Survey", "interpretability")` when a tag names a sub-topic);
    `title` is the title as written (may be empty for a bare link). `key`, `fields` and
    `entry_type` are set only for entries read from an existing `.bib` file. `not_a_work` says why
    a listed link is no work (`a chat invite (discord.gg)`); None for papers and pages that may be.
    """

    source: str
    line: int
    topics: tuple[str, ...]
    title: str
    links: tuple[Link, ...] = ()
    venue_hint: str | None = None
    date_hint: str | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    key: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    entry_type: str | None = None
    not_a_work: str | None = None

    @property
    def where(self) -> str:
        """`file:line`, for messages."""
        return f"{self.source}:{self.line}"

    @property
    def topic_path(self) -> str:
        return TOPIC_SEPARATOR.join(self.topics)


class IdKind(StrEnum):
    """The services and schemes an identifier can belong to."""

    ARXIV = "arxiv"
    DOI = "doi"
    OPENREVIEW = "openreview"
    ACL = "acl"
    PMLR = "pmlr"
    NEURIPS = "neurips"
    S2 = "s2"
    DBLP = "dblp"
    URL = "url"


@dataclass(frozen=True, slots=True, order=True)
class Identifier:
    """A normalised identifier, `kind:value`.

    arXiv values carry no version (`2202.05262`, `hep-th/9901001`); DOIs are lower-cased and
    never an arXiv DataCite DOI (those become `arxiv:`); URLs are absolute http(s).
    """

    kind: IdKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"


@dataclass(frozen=True, slots=True)
class Person:
    """An author. `given` is empty for one-part names and organisations (`literal`)."""

    family: str
    given: str = ""
    literal: bool = False


class WorkKind(StrEnum):
    """What a resolved work is, as users care about it."""

    PUBLISHED = "published"
    PREPRINT = "preprint"
    WEB = "web"
    UNRESOLVED = "unresolved"


@dataclass(frozen=True, slots=True)
class Record:
    """Canonical metadata for one work, as a source reported it.

    `entry_type` is the BibTeX type (`article`, `inproceedings`, `misc`, ...). `venue` holds the
    remaining BibTeX fields the source supplied (`journal`, `booktitle`, `volume`, `number`,
    `pages`, `publisher`, `howpublished`, `note`, ...), already in BibTeX field names.
    """

    source: str
    entry_type: str
    title: str
    authors: tuple[Person, ...] = ()
    year: str | None = None
    month: int | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    primary_class: str | None = None
    """The primary arXiv category of `arxiv_id` (`cs.CL`), as arXiv, its DataCite record or a `.bib`
    file's `primaryclass`/`eprintclass` gives it; written as `primaryclass` beside `eprint`."""
    url: str | None = None
    venue: dict[str, str] = field(default_factory=dict)
    kind: WorkKind = WorkKind.PUBLISHED
    # Evidence a preprint was published, as its own source states it (arXiv `doi`, `journal_ref`).
    published_doi: str | None = None
    journal_ref: str | None = None
    # Further identities a source knows for the work (DBLP `conf/nips/MengBAB22`, OpenReview forum
    # id, ACL Anthology id) and its abstract when one was given.
    dblp_key: str | None = None
    openreview_id: str | None = None
    acl_id: str | None = None
    abstract: str | None = None
    # A web page that declares itself no work (`a profile page (og:type profile)`).
    not_a_work: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record a title search offered, with how well it matched and why it was (not) taken."""

    record: Record
    score: float
    reason: str = ""


class Status(StrEnum):
    """How far resolving got: a record surely the work, several works the entry may mean (its
    `candidates`), or nothing to go by."""

    RESOLVED = "resolved"
    AMBIGUOUS = "ambiguous"
    UNRESOLVED = "unresolved"


@dataclass(frozen=True, slots=True)
class Resolution:
    """What resolving one list entry gave: the record, or why there is none.

    `problems` are failures kept as data (`arxiv: HTTP 429 after 4 attempts`), so one failing
    service never sinks a run; they end up in the report.
    """

    entry: ListEntry
    status: Status
    identifiers: tuple[Identifier, ...] = ()
    record: Record | None = None
    problems: tuple[str, ...] = ()
    # Why the record is believed (`arXiv 2202.05262 names doi:...`, `title match 100 via dblp`),
    # the candidates of an ambiguous title search, and findings about the list itself.
    evidence: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    lint: tuple[str, ...] = ()
    # A service failed for good on something this entry needed: the record may fall short of
    # what a clean run gives, so a good previous entry is kept and the run reported partial.
    incomplete: bool = False


@dataclass(frozen=True, slots=True)
class KeyedWork:
    """One work under a key: its record, every list entry that named it, and what resolving found.

    The key is a citation key in a `Reference`, the work's identity in `works.dedupe.Work`.
    """

    key: str
    record: Record
    entries: tuple[ListEntry, ...]
    status: Status
    problems: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    lint: tuple[str, ...] = ()
    incomplete: bool = False

    @property
    def topics(self) -> tuple[str, ...]:
        """Every topic path the work is listed under, once each, in first-seen order."""
        return tuple(dict.fromkeys(e.topic_path for e in self.entries if e.topics))


@dataclass(frozen=True, slots=True)
class Reference(KeyedWork):
    """One work in the output: its citation key, its record, and every list entry that named it."""


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of a build: the references written and the requests it took."""

    references: tuple[Reference, ...]
    output: str
    written: bool
    requests_by_host: dict[str, int] = field(default_factory=dict)
    kept: tuple[str, ...] = ()  # keys of entries already in the file that no list produced
    # Listed links that are no works (people, chats, tools, ...), kept out of the bib.
    left_out: tuple[ListEntry, ...] = ()

    @property
    def unresolved(self) -> tuple[Reference, ...]:
        return tuple(r for r in self.references if r.status is not Status.RESOLVED)

    @property
    def incomplete(self) -> tuple[Reference, ...]:
        """Works a failing service kept from being fully checked (the run was partial)."""
        return tuple(r for r in self.references if r.incomplete)
