"""Reference -> the `data` of a Zotero item, and the identities (DOI, arXiv id, marker) an item
carries. Pure functions; the field tables follow Zotero's schema (v41)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from list2bib.model import Person, Record, Reference, Status, WorkKind
from list2bib.text.identifiers import arxiv_doi, arxiv_id_of_doi
from list2bib.text.identity import identity_keys, item_identity, normal_doi, title_author_year

# BibTeX entry type -> Zotero item type for published works. arXiv-only works are `preprint`,
# web pages `blogPost`/`webpage` (chosen in `item_type`).
ITEM_TYPES = {
    "inproceedings": "conferencePaper",
    "article": "journalArticle",
    "incollection": "bookSection",
}
# Record.venue (BibTeX names) -> Zotero field, per item type. Zotero rejects base-field aliases
# (`publisher` on a preprint must be `repository`), so each type names its own fields.
VENUE_FIELDS: dict[str, dict[str, str]] = {
    "conferencePaper": {
        "booktitle": "proceedingsTitle",
        "publisher": "publisher",
        "address": "place",
        "volume": "volume",
        "pages": "pages",
        "series": "series",
    },
    "journalArticle": {
        "journal": "publicationTitle",
        "volume": "volume",
        "number": "issue",
        "pages": "pages",
        "publisher": "publisher",
    },
    "bookSection": {
        "booktitle": "bookTitle",
        "publisher": "publisher",
        "address": "place",
        "pages": "pages",
    },
    "preprint": {},
    "blogPost": {"howpublished": "blogTitle"},
    "webpage": {"howpublished": "websiteTitle"},
    "document": {"publisher": "publisher"},
}
# Fields every written item carries (empty string when unknown), so a value that disappears
# from the record is cleared in Zotero too.
COMMON_FIELDS = ("title", "abstractNote", "date", "DOI", "url", "citationKey", "extra")
TYPE_EXTRA_FIELDS = {
    "conferencePaper": ("conferenceName",),
    "preprint": ("repository", "archiveID"),
}
# Zotero's limits: 65,535 bytes per field value, 255 characters per creator name and tag.
MAX_FIELD_BYTES = 65535
MAX_NAME = 255
# The identity marker: a line in `extra` whose label is no Zotero field, so desktop clients
# never migrate it away (they move `Citation Key:` and other field labels into real fields).
MARKER = "list2bib-id"
# Zotero's own convention for a work's arXiv id (Better BibTeX and citation styles read it);
# `list2bib-arxiv:` is how earlier versions wrote it, still read.
ARXIV_LINE = "arXiv"
OLD_ARXIV_LINE = "list2bib-arxiv"
# The work's other identities, one line each, so a later run that meets the work in another form
# (its OpenReview forum, its Anthology page) finds the item.
ID_LINES = {"openreview": "list2bib-openreview", "acl": "list2bib-acl", "dblp": "list2bib-dblp"}
_OPENREVIEW_URL = re.compile(r"openreview\.net/(?:forum|pdf)\?id=(?P<id>[\w-]+)", re.I)
_PMLR_URL = re.compile(
    r"https?://proceedings\.mlr\.press/(?P<volume>v\d+)/(?P<paper>[\w-]+)\.html$", re.I
)
_ACL_URL = re.compile(r"aclanthology\.org/(?P<id>[\w.-]+?)(?:\.pdf)?/?$", re.I)
BLOG_HOSTS = ("medium.com", "substack.com", "distill.pub", "lesswrong.com", "alignmentforum.org")
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(?P<id>[^?#]+?)(?:v\d+)?(?:\.pdf)?$", re.I)
_EXTRA_LINE = re.compile(r"^\s*(?P<label>[A-Za-z][\w -]*?)\s*:\s*(?P<value>.+?)\s*$")


@dataclass(frozen=True, slots=True)
class Desired:
    """What one reference should look like in the group (without key, version, collections)."""

    identity: str
    label: str
    doi: str | None
    arxiv_id: str | None
    topics: tuple[str, ...]
    data: dict[str, Any]
    # Where the work's PDF is (arXiv, OpenReview, ACL Anthology, PMLR), for a linked-URL attachment.
    pdf: str | None = None
    # Every identity of the work, in `identity_keys` terms (`arxiv:`, `doi:`, `openreview:`, ...,
    # last the title + first author + year), by which an item of the group may be the work.
    names: tuple[str, ...] = ()
    # (list, topic path) of every entry naming the work, and (list, tag) of each tag it adds:
    # what each list puts on the item. A list is known by its path as given.
    placed: tuple[tuple[str, str], ...] = ()
    tagged: tuple[tuple[str, str], ...] = ()


def syncable(ref: Reference) -> bool:
    """Works a service verified this run: a page that answered with a title, a paper every
    source it needed answered for. A placeholder (a 404, an unresolved paper) or a record a
    failing service left short would be wrong data in a shared library."""
    return ref.status is Status.RESOLVED and not ref.incomplete and bool(ref.record.title.strip())


def item_type(record: Record) -> str:
    # The record's kind says it: a NeurIPS or ICLR paper is published without any DOI.
    if record.kind is WorkKind.PREPRINT:
        return "preprint"
    if record.kind in (WorkKind.WEB, WorkKind.UNRESOLVED):
        host = urlsplit(record.url or "").netloc.lower()
        blog = "blog" in (record.url or "").lower() or host.endswith(BLOG_HOSTS)
        return "blogPost" if blog else "webpage"
    return ITEM_TYPES.get(record.entry_type, "document")


def desired(ref: Reference, conference: Callable[[Record], str] | None = None) -> Desired | None:
    """The item `ref` should be, or None when it has nothing to identify it by. `conference`
    names a published record's conference (`ICLR 2023`) from the venue table, '' if unknown."""
    record = ref.record
    ident = item_identity(record)
    if ident is None:
        return None
    kind = item_type(record)
    data: dict[str, Any] = {"itemType": kind}
    data.update(dict.fromkeys(COMMON_FIELDS, ""))
    data.update(dict.fromkeys(TYPE_EXTRA_FIELDS.get(kind, ()), ""))
    data.update(dict.fromkeys(VENUE_FIELDS[kind].values(), ""))
    data["title"] = record.title
    data["creators"] = [_creator(p) for p in record.authors if p.family.strip()]
    data["abstractNote"] = record.abstract or ""
    data["date"] = _date(record)
    # The item's own DOI only: a published work's arXiv version has its own (DataCite) DOI.
    own_doi = record.doi if record.doi and not arxiv_id_of_doi(record.doi) else None
    if kind == "preprint":
        own_doi = record.doi or (arxiv_doi(record.arxiv_id) if record.arxiv_id else None)
    data["DOI"] = own_doi or ""
    data["url"] = record.url or ""
    data["citationKey"] = ref.key
    for bib, field in VENUE_FIELDS[kind].items():
        data[field] = record.venue.get(bib, "")
    if kind == "preprint" and record.arxiv_id:
        data["repository"] = "arXiv"
        data["archiveID"] = f"arXiv:{record.arxiv_id}"
    hints = _venue_hints(ref)
    if kind == "conferencePaper" and conference is not None:
        data["conferenceName"] = conference(record)
    lines = [f"{MARKER}: {ident}"]
    if record.arxiv_id:
        lines.append(f"{ARXIV_LINE}: {record.arxiv_id}")
    names = [n for n in identity_keys(record) if not n.startswith("title:")]
    for kind, _, value in (name.partition(":") for name in names):
        if kind in ID_LINES:
            lines.append(f"{ID_LINES[kind]}: {value}")
    data["extra"] = "\n".join(lines)
    tagged = tuple(dict.fromkeys(
        (e.source, t[:MAX_NAME])
        for e in ref.entries
        for t in [*(t.strip() for t in e.tags), (e.venue_hint or "").strip()]
        if t
    ))  # fmt: skip
    tags = dict.fromkeys(t.strip()[:MAX_NAME] for e in ref.entries for t in e.tags)
    tags.update(dict.fromkeys(h[:MAX_NAME] for h in hints))
    # Automatic tags (type 1): list2bib manages these and leaves the user's own tags alone.
    data["tags"] = [{"tag": t, "type": 1} for t in tags if t]
    for name, value in data.items():
        if isinstance(value, str):
            data[name] = _fit(value)
    return Desired(
        identity=ident,
        label=f"{ref.key} ({record.title[:60]})",
        doi=normal_doi(record.doi),
        arxiv_id=record.arxiv_id,
        topics=ref.topics,
        data=data,
        placed=tuple(dict.fromkeys((e.source, e.topic_path) for e in ref.entries)),
        tagged=tagged,
        names=tuple(names),
        pdf=pdf_url(record),
    )


def extra_lines(extra: str) -> dict[str, list[str]]:
    """`Label: value` lines of an `extra` field, labels lower-cased."""
    found: dict[str, list[str]] = {}
    for line in extra.splitlines():
        match = _EXTRA_LINE.match(line)
        if match:
            found.setdefault(match["label"].lower(), []).append(match["value"])
    return found


def identities(data: dict[str, Any]) -> tuple[str | None, set[str], set[str]]:
    """(marker, DOIs, arXiv ids) an item's data names, wherever Zotero or a user put them."""
    lines = extra_lines(str(data.get("extra") or ""))
    marker = lines[MARKER][0] if lines.get(MARKER) else None
    dois = {d for d in map(normal_doi, [data.get("DOI"), *lines.get("doi", [])]) if d}
    arxiv = set(lines.get(OLD_ARXIV_LINE, []))
    arxiv.update(v.split()[0].removeprefix("arXiv:") for v in lines.get("arxiv", []))
    archive = str(data.get("archiveID") or "")
    if archive.lower().startswith("arxiv:"):
        arxiv.add(archive[6:].strip())
    for doi in list(dois):
        arxiv_id = arxiv_id_of_doi(doi)
        if arxiv_id:
            arxiv.add(arxiv_id)
            dois.discard(doi)
    url = _ARXIV_URL.search(str(data.get("url") or ""))
    if url:
        arxiv.add(url["id"])
    return marker, dois, {a.lower() for a in arxiv if a}


def pdf_url(record: Record) -> str | None:
    """The work's PDF where a public server keeps it: the published version's (OpenReview, ACL
    Anthology, PMLR) before the arXiv preprint's."""
    if record.openreview_id:
        return f"https://openreview.net/pdf?id={record.openreview_id}"
    if record.acl_id:
        return f"https://aclanthology.org/{record.acl_id}.pdf"
    pmlr = _PMLR_URL.match(record.url or "")
    if pmlr:
        return f"https://proceedings.mlr.press/{pmlr['volume']}/{pmlr['paper']}/{pmlr['paper']}.pdf"
    if record.arxiv_id:
        return f"https://arxiv.org/pdf/{record.arxiv_id}"
    return None


def attachment(parent: str, url: str) -> dict[str, Any]:
    """A linked-URL attachment of `parent` to the PDF at `url`: one click opens it."""
    return {
        "itemType": "attachment",
        "parentItem": parent,
        "linkMode": "linked_url",
        "title": "Full Text PDF",
        "url": url,
        "contentType": "application/pdf",
        "tags": [],
    }


def item_names(data: dict[str, Any]) -> set[str]:
    """Every identity an item's data shows, in `identity_keys` terms: its DOIs and arXiv ids, the
    OpenReview, ACL and DBLP ids of list2bib's lines or its URL, and its title + first author +
    year."""
    _, dois, arxiv = identities(data)
    names = {f"doi:{d}" for d in dois} | {f"arxiv:{a}" for a in arxiv}
    lines = extra_lines(str(data.get("extra") or ""))
    for prefix, label in ID_LINES.items():
        names.update(f"{prefix}:{value}" for value in lines.get(label, []))
    url = str(data.get("url") or "").strip()
    for prefix, pattern in (("openreview", _OPENREVIEW_URL), ("acl", _ACL_URL)):
        found = pattern.search(url)
        if found:
            names.add(f"{prefix}:{found['id']}")
    if url:
        names.add(f"url:{url.rstrip('/')}")
    creators = [c for c in data.get("creators", []) if isinstance(c, dict)]
    first = creators[0] if creators else {}
    year = re.search(r"\b(\d{4})\b", str(data.get("date") or ""))
    tay = title_author_year(
        str(data.get("title") or ""),
        str(first.get("lastName") or first.get("name") or ""),
        year[1] if year else "",
    )
    return names | ({tay} if tay else set())


def _creator(person: Person) -> dict[str, str]:
    if person.literal or not person.given.strip():
        return {"creatorType": "author", "name": person.family.strip()[:MAX_NAME]}
    return {
        "creatorType": "author",
        "firstName": person.given.strip()[:MAX_NAME],
        "lastName": person.family.strip()[:MAX_NAME],
    }


def _date(record: Record) -> str:
    if not record.year:
        return ""
    return f"{record.year}-{record.month:02d}" if record.month else record.year


def _venue_hints(ref: Reference) -> list[str]:
    return list(dict.fromkeys(e.venue_hint.strip() for e in ref.entries if e.venue_hint))


def _fit(value: str) -> str:
    """Zotero refuses (per-object 413) a field value over 65,535 bytes: cut at a character."""
    raw = value.encode("utf-8")
    if len(raw) <= MAX_FIELD_BYTES:
        return value
    return raw[:MAX_FIELD_BYTES].decode("utf-8", errors="ignore")
