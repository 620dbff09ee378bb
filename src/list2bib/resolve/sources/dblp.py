"""DBLP: `/rec/<key>.bib` for a record's BibTeX and `/search/publ/api` for title candidates, with
parsers for both. DBLP keeps a CoRR (arXiv) record and a venue record for many papers; the venue
record is ranked first, both are offered."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from list2bib.bibtex.parse import BibEntry, parse_string
from list2bib.config import ServiceConfig
from list2bib.errors import InputError
from list2bib.infra.answers import HttpResponse, expect_json
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, Record, WorkKind
from list2bib.resolve import venues
from list2bib.resolve.sources import (
    Lookup,
    PerKey,
    TitleQuery,
    fixed_batches,
    get_each,
    read_search,
)
from list2bib.text.identifiers import arxiv_doi, split_url
from list2bib.text.names import split_authors, split_name
from list2bib.text.titles import latex_to_text

SERVICE = "dblp"
batches = fixed_batches  # `batch_size` keys a batch
CONCURRENT_BATCHES = False
SEARCH_HITS = 10
ASK = PerKey(SERVICE, "/rec/{}.bib", params={"param": "1"})
# Search hit `info.type` -> BibTeX entry type (CoRR preprints are "Informal ... Publications").
TYPE_MAP: dict[str, str] = {
    "Conference and Workshop Papers": "inproceedings",
    "Journal Articles": "article",
    "Parts in Books or Collections": "incollection",
    "Books and Theses": "book",
    "Editorship": "proceedings",
    "Informal Publications": "misc",
    "Informal and Other Publications": "misc",
}
# BibTeX fields of a `.bib` record copied into Record.venue (booktitle/journal are normalised).
VENUE_FIELDS = (
    "booktitle", "journal", "editor", "series", "volume", "number", "pages", "publisher",
)  # fmt: skip
CORR = "corr"
# Fields that are identifiers: only DBLP's `\_` escape is undone, no LaTeX decoding.
VERBATIM = frozenset({"doi", "url", "eprint", "volume", "biburl", "ee"})
# DBLP marks homonymous authors with a 4-digit number: `Wei Wang 0001`.
_HOMONYM = re.compile(r"\s+\d{4}$")
_ARXIV_EE = re.compile(r"arxiv\.org/(?:abs|pdf)/(?P<id>[^\s?#]+?)(?:v\d+)?(?:\.pdf)?$")
# Hosts of a record's links that are not the venue's page: the arXiv copy, the DOI resolver.
_NOT_PROCEEDINGS = frozenset({"arxiv.org", "doi.org", "dx.doi.org"})
_PAGES_DASH = re.compile(r"\s*[-\u2010-\u2015]+\s*")
_QUERY_JUNK = re.compile(r"[^\w]+")


def key_of(identifier: Identifier) -> str | None:
    """A DBLP record key (`conf/nips/MengBAB22`)."""
    return identifier.value if identifier.kind is IdKind.DBLP else None


def fetch(http: Http, service: ServiceConfig, keys: Sequence[str]) -> Lookup:
    """One `/rec/<key>.bib?param=1` request per key; 404 is missing."""
    return get_each(http, service, keys, ASK, _read, _bib_of)


def _read(key: str, response: HttpResponse) -> Record | str:
    try:
        return parse_bib(response.text, key)
    except ValueError as exc:
        return f"{SERVICE}: unusable BibTeX for {key}: {exc}"


def _bib_of(key: str) -> Callable[[HttpResponse], Record]:
    """The check `Http` runs on an answer: a cut-off .bib is asked again, not kept."""
    return lambda answer: parse_bib(answer.text, key)


def parse_bib(text: str, key: str | None = None) -> Record:
    """DBLP's BibTeX for one record (param 0, 1 or 2) -> Record; ValueError when unreadable."""
    try:
        entries = parse_string(text, source="dblp")
    except InputError as exc:
        raise ValueError(str(exc)) from None
    wanted = f"DBLP:{key}" if key else None
    entry = next((e for e in entries if e.key == wanted), entries[0] if entries else None)
    if entry is None:
        raise ValueError("no BibTeX entry in the answer")
    return parse_entry(entry)


def parse_entry(entry: BibEntry) -> Record:
    """One DBLP BibTeX entry -> Record: CoRR entries are the arXiv preprint."""
    fields = {
        name: _verbatim(value) if name in VERBATIM else _clean(value)
        for name, value in entry.fields.items()
    }
    title = fields.get("title", "").rstrip(".")
    if not title:
        raise ValueError(f"entry {entry.key} has no title")
    year = fields.get("year") or None
    authors = tuple(_person(name) for name in split_authors(entry.fields.get("author", "")))
    dblp_key = entry.key.removeprefix("DBLP:")
    doi = fields.get("doi", "").lower() or None
    arxiv_id = _corr_arxiv_id(fields)
    if arxiv_id is not None or fields.get("journal", "").lower() == CORR:
        return _preprint(title, authors, year, arxiv_id, dblp_key)
    venue: dict[str, str] = {}
    for name in VENUE_FIELDS:
        if fields.get(name):
            venue[name] = fields[name]
    for name in ("booktitle", "journal"):
        if name in venue:
            venue[name] = venues.normalise(name, venue[name], year)
    if entry.entry_type == "inproceedings" and "series" not in venue:
        venue.pop("volume", None)  # a series (LNCS) volume, meaningless without the series
    if "pages" in venue:
        venue["pages"] = _PAGES_DASH.sub("--", venue["pages"])
    return Record(
        source=SERVICE,
        entry_type=entry.entry_type,
        title=title,
        authors=authors,
        year=year,
        doi=doi,
        url=f"https://doi.org/{doi}" if doi else fields.get("url") or None,
        venue=venue,
        kind=WorkKind.PUBLISHED,
        published_doi=doi,
        dblp_key=dblp_key,
    )


def _corr_arxiv_id(fields: Mapping[str, str]) -> str | None:
    if fields.get("eprinttype", "").lower() == "arxiv" and fields.get("eprint"):
        return fields["eprint"]
    volume = fields.get("volume", "")
    if fields.get("journal", "").lower() == CORR and volume.lower().startswith("abs/"):
        return volume[4:]
    return None


def _preprint(
    title: str, authors: tuple[Person, ...], year: str | None, arxiv_id: str | None, key: str
) -> Record:
    return Record(
        source=SERVICE,
        entry_type="misc",
        title=title,
        authors=authors,
        year=year,
        doi=arxiv_doi(arxiv_id) if arxiv_id else None,
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None,
        kind=WorkKind.PREPRINT,
        dblp_key=key,
    )


def search(http: Http, service: ServiceConfig, query: TitleQuery) -> list[Record]:
    """Title candidates: DBLP's order, a venue record before a CoRR record of the same title."""
    words = query_words(query.title)
    if not words:
        return []
    params = {"q": words, "format": "json", "h": str(SEARCH_HITS)}
    url = f"{service.base_url.rstrip('/')}/search/publ/api"
    response = http.get(SERVICE, url, params=params, expect=expect_json)
    return read_search(SERVICE, response, parse_search)


def query_words(title: str) -> str:
    """DBLP ANDs prefix-matched words and has no phrase syntax: punctuation becomes spaces."""
    return " ".join(_QUERY_JUNK.sub(" ", latex_to_text(title)).replace("_", " ").split())


def parse_search(data: Any) -> list[Record]:
    """A `/search/publ/api?format=json` answer -> candidates (ValueError if not that shape)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("result"), Mapping):
        raise ValueError("no `result` object")
    hits = mapping(data["result"].get("hits"))
    if str(hits.get("@total", "0")) == "0":
        return []  # DBLP sends no `hit` key at all then
    raw = hits.get("hit") or []
    records = [
        record
        for hit in (raw if isinstance(raw, list) else [raw])
        if (record := parse_hit(mapping(mapping(hit).get("info")))) is not None
    ]
    return rank(records)


def rank(records: Sequence[Record]) -> list[Record]:
    """Keep DBLP's order, but put venue records before preprints of the same title."""
    first_seen: dict[str, int] = {}
    for i, record in enumerate(records):
        first_seen.setdefault(_title_key(record.title), i)

    def order(item: tuple[int, Record]) -> tuple[int, bool, int]:
        i, record = item
        return first_seen[_title_key(record.title)], record.kind is WorkKind.PREPRINT, i

    return [record for _, record in sorted(enumerate(records), key=order)]


def proceedings_page(ee: Sequence[str]) -> str | None:
    """The venue's own page among a record's links (proceedings.neurips.cc, PMLR, OpenReview, the
    ACL Anthology): the first web address that is neither an arXiv copy nor a DOI link."""
    for link in ee:
        parts = split_url(link.strip())
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            continue
        if host in _NOT_PROCEEDINGS or host.endswith((".arxiv.org", ".doi.org")):
            continue
        return link.strip()
    return None


def parse_hit(info: Mapping[str, Any]) -> Record | None:
    """One search hit's `info` -> Record (None without a title)."""
    title = _clean(hit_text(info.get("title"))).rstrip(".")
    if not title:
        return None
    year = hit_text(info.get("year")) or None
    authors = tuple(_person(name) for name in _hit_authors(info.get("authors")))
    ee = [hit_text(e) for e in _as_list(info.get("ee"))]
    arxiv_id = next((m.group("id") for e in ee if (m := _ARXIV_EE.search(e))), None)
    venue_name = ", ".join(hit_text(v) for v in _as_list(info.get("venue")) if hit_text(v))
    key = hit_text(info.get("key")) or None
    entry_type = TYPE_MAP.get(hit_text(info.get("type")), "misc")
    if venue_name.lower() == CORR or entry_type == "misc":
        return _preprint(title, authors, year, arxiv_id, key or "")
    doi = hit_text(info.get("doi")).lower() or None
    venue = _hit_venue(venue_name, entry_type, year)
    for name, target in (("volume", "volume"), ("number", "number"), ("pages", "pages")):
        if hit_text(info.get(name)) and not (entry_type == "inproceedings" and name == "volume"):
            venue[target] = _PAGES_DASH.sub("--", hit_text(info.get(name)))
    return Record(
        source=SERVICE,
        entry_type=entry_type,
        title=title,
        authors=authors,
        year=year,
        doi=doi,
        arxiv_id=arxiv_id,
        url=f"https://doi.org/{doi}" if doi else proceedings_page(ee),
        venue=venue,
        kind=WorkKind.PUBLISHED,
        published_doi=doi,
        dblp_key=key,
    )


def _hit_venue(name: str, entry_type: str, year: str | None) -> dict[str, str]:
    """Search hits carry DBLP's short venue (`NeurIPS`, `ACL (1)`, `EMNLP (Findings)`); the
    table turns known ones into full titles, others stay as DBLP writes them."""
    if not name:
        return {}
    if "findings" in name.lower():
        name = "Findings of " + re.sub(r"\s*\(?findings\)?", "", name, flags=re.IGNORECASE)
    field = "journal" if entry_type == "article" else "booktitle"
    known = venues.lookup(name)
    if known is not None:
        return {known.bibtex_field: known.title_for(year)}
    return {field: name}


def _hit_authors(value: Any) -> Iterator[str]:
    """`authors.author` is a list, or one object for a single author; entries are
    `{"@pid", "text"}` (plain strings in older answers)."""
    for author in _as_list(mapping(value).get("author")):
        name = hit_text(author.get("text")) if isinstance(author, Mapping) else hit_text(author)
        if name:
            yield name


def _person(name: str) -> Person:
    return split_name(_HOMONYM.sub("", _clean(name)))


def _clean(value: str) -> str:
    """BibTeX/LaTeX markup (`{SPIRE}`, `11880561\\_13`, `G{\\"o}del`) to plain text."""
    return " ".join(latex_to_text(value.replace("\\_", "_")).split())


def _verbatim(value: str) -> str:
    return "".join(value.replace("\\_", "_").split())


def _title_key(title: str) -> str:
    return " ".join(_QUERY_JUNK.sub(" ", title.lower()).split())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def hit_text(value: Any) -> str:
    if value is None or isinstance(value, bool | Mapping | list):
        return ""
    return " ".join(str(value).split())
