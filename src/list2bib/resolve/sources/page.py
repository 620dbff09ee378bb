"""Web pages (project pages, blogs, transformer-circuits.pub, distill.pub, LessWrong): GET the page
itself, read its metadata (`pagemeta`) into an `@misc` record, and report the paper identifiers it
names, so the caller can prefer a linked record of the same title.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from list2bib.config import ServiceConfig
from list2bib.errors import NotAskable, ServiceError
from list2bib.infra.adapter import CUT_HEADER
from list2bib.infra.answers import DoubtfulAnswer, HttpResponse
from list2bib.infra.guard import AddressRefused
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Record, WorkKind
from list2bib.resolve.pagemeta import PageLink, PageMeta, extract
from list2bib.resolve.sources import Lookup
from list2bib.text.addresses import url_refusal
from list2bib.text.identifiers import (
    find_identifiers_in_text,
    is_paper_link,
    parse_identifier,
    strip_doi_prefix,
)
from list2bib.text.names import split_name
from list2bib.text.titles import normalize_title

logger = logging.getLogger("list2bib")

SERVICE = "page"
# One batch per site (`batches`): different sites are asked at once, each at its own pace.
CONCURRENT_BATCHES = True
# The keys are the pages' own URLs. A base URL, when configured, is a mirror that serves every
# site under `<base>/<host>/<path>` (a local archive, or the test suite's fake web); empty means
# each page is fetched from its own site. One request a second per host is polite for sites that
# publish no rate limit.
SERVICE_CONFIG = ServiceConfig("", 1.0)
ACCEPT_HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
HEADERS = {"Accept": ACCEPT_HTML}
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Metadata sits in <head>: only a page's first MAX_PAGE_BYTES are read, parsed and cached.
MAX_PAGE_BYTES = 2_000_000
# Statuses that mean "no such page" (kept as `missing`, and cached by net.Http for 404).
GONE = (404, 410)
# Link text (or the text just before a link) that says the link is the page's paper.
_PAPER_WORDS = re.compile(r"\b(?:paper|arxiv|pdf|preprint|publication|article)\b", re.IGNORECASE)
# A page with at most this many scholarly links names them all as related; beyond that (a blog
# post's bibliography) only the links whose text says "paper"/"arXiv"/"PDF" count.
FEW_LINKS = 3
MAX_RELATED = 5
_PREPRINT_VENUES = re.compile(r"\b(?:arxiv|biorxiv|medrxiv|ssrn|preprint)\b", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
# Not ": ": a project page named after its method ("LoRA") has titles like "LoRA: Low-Rank ...".
_TITLE_SEPARATORS = (" | ", " - ", " — ", " – ", " · ", " :: ")


def key_of(identifier: Identifier) -> str | None:
    """The URL of a URL identifier; None for every other kind (they have their own sources)."""
    return identifier.value if identifier.kind is IdKind.URL else None


def batches(service: ServiceConfig, urls: Sequence[str]) -> list[list[str]]:
    """One batch per site, so different sites can be asked at once (each at its own pace); one
    per page when a mirror serves every site (all on one host)."""
    if service.base_url:
        return [[url] for url in urls]
    by_site: dict[str, list[str]] = {}
    for url in urls:
        by_site.setdefault(urlsplit(url).netloc.lower(), []).append(url)
    return list(by_site.values())


def fetch(http: Http, service: ServiceConfig, urls: Sequence[str]) -> Lookup:
    """GET each page (`service` is `SERVICE_CONFIG`; its base URL is unused). Gone pages (404,
    410), PDFs and other non-HTML answers are `missing`: there is no page metadata to read.
    A link to a local or private address, or one that cannot be asked at all (a redirect loop,
    a redirect to `file:`), is `missing`, with a warning: asking again later cannot help. An
    unreachable or failing site is `failed` with the reason."""
    found: dict[str, Record] = {}
    missing: set[str] = set()
    failed: dict[str, str] = {}
    related: dict[str, tuple[Identifier, ...]] = {}
    refused: dict[str, str] = {}  # hosts only resolving (or a redirect) showed are not public
    for url in dict.fromkeys(urls):
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            logger.warning("%s: %s: only http(s) pages are read; not asked", SERVICE, url)
            missing.add(url)
            continue
        # A mirror is asked in the link's place, so the HTTP session never sees the link's host.
        refusal = url_refusal(url) if service.base_url else None
        if refusal:
            logger.warning("%s: %s: %s; not asked", SERVICE, url, refusal)
            missing.add(url)
            continue
        if urlsplit(url).path.lower().endswith(".pdf"):
            missing.add(url)  # a PDF has no page metadata: not worth downloading
            continue
        try:
            response = http.get(
                SERVICE,
                via_mirror(url, service.base_url),
                headers=HEADERS,
                accept_status=GONE,
                expect=not_an_error_page,
                head_bytes=MAX_PAGE_BYTES,
            )
        except NotAskable as exc:
            logger.warning("%s (%s)", exc, url)
            missing.add(url)
            if isinstance(exc.__cause__, AddressRefused):
                refused[url] = exc.__cause__.reason
            continue
        except ServiceError as exc:
            failed[url] = str(exc)
            continue
        if response.status in GONE:
            missing.add(url)
            continue
        final = url if service.base_url else (response.url or url)
        if urlsplit(response.url or url).scheme.lower() not in ("http", "https"):
            failed[url] = f"{SERVICE}: {url} redirected to a non-web address; not followed"
            continue
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype and ctype not in HTML_TYPES:
            missing.add(url)  # PDF, image, JSON...: not a page
            continue
        body = response.content[:MAX_PAGE_BYTES]
        html = body.decode(_charset(response.headers.get("content-type", "")), errors="replace")
        record, names = parse_page(html, final)
        if not record.title:
            missing.add(url)
            continue
        found[url] = record
        if names:
            related[url] = names
    return Lookup(
        found=found, missing=frozenset(missing), failed=failed, related=related, refused=refused
    )


# Titles of the pages proxies, CDNs and overloaded sites answer with status 200 in place of the
# page: reading one as the page would cite "Just a moment..." by nobody.
_ERROR_TITLE = re.compile(
    r"^\s*(?:\d{3}\s*)?(?:error|internal server error|bad gateway|gateway time-?out|"
    r"service (?:temporarily )?unavailable|temporarily unavailable|too many requests|"
    r"rate (?:limit(?:ed| exceeded)?|exceeded)|just a moment\.*|attention required!?.*|"
    r"site (?:is )?(?:under|down for) maintenance|maintenance)\s*$",
    re.IGNORECASE,
)
_TITLE_TAG = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def not_an_error_page(response: HttpResponse) -> None:
    """Raise ValueError for an error or challenge page served with status 200 (asked again)."""
    if len(response.content) < 1024 and b"<" not in response.content:
        text = " ".join(response.content.decode("utf-8", errors="replace").split()).rstrip(".!")
        if _ERROR_TITLE.match(text):  # a bare `Rate exceeded.` in place of the page
            raise ValueError(f"an error message ({text[:60]!r}) in place of the page")
    found = _TITLE_TAG.search(response.content[:65536])
    if found is None:
        return
    title = found.group(1).decode("utf-8", errors="replace")
    if _ERROR_TITLE.match(" ".join(title.split())):
        raise ValueError(f"an error page ({title.strip()[:60]!r}) in place of the page")
    if CUT_HEADER not in response.headers and b"</html" not in response.content[-4096:].lower():
        raise DoubtfulAnswer("the page may be cut off (no </html>)")


def via_mirror(url: str, base: str) -> str:
    """The address to fetch `url` from: itself, or `<base>/<host><path>?<query>` on a mirror."""
    if not base:
        return url
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{base.rstrip('/')}/{parts.netloc}{parts.path or '/'}{query}"


def parse_page(html: str, url: str) -> tuple[Record, tuple[Identifier, ...]]:
    """A page's HTML (served at `url`) -> its Record (title '' when the page has none) and the
    paper identifiers it names, most prominent first."""
    meta = extract(html, url)
    return page_record(meta, url), related_identifiers(meta)


def page_record(meta: PageMeta, url: str) -> Record:
    """PageMeta -> a WEB `@misc`; a page with Highwire journal/conference tags and a DOI, volume
    or page numbers is a publication's landing page: PUBLISHED with journal/booktitle."""
    site = meta.site_name or meta.bibtex_venue or _host(url)
    venue_title = meta.journal_title or meta.conference_title
    publication = bool(venue_title) and not _PREPRINT_VENUES.search(venue_title)
    publication = publication and bool(meta.doi or meta.volume or meta.firstpage)
    year, month = _year_month(meta.date)
    doi = strip_doi_prefix(meta.doi).lower() if _DOI.match(strip_doi_prefix(meta.doi)) else None
    acl = parse_identifier(f"doi:{doi}") if doi else None
    venue: dict[str, str]
    if publication:
        field = "journal" if meta.journal_title else "booktitle"
        venue = {field: venue_title}
        pages = "--".join(p for p in (meta.firstpage, meta.lastpage) if p)
        extra = {"volume": meta.volume, "number": meta.issue, "pages": pages}
        venue.update({k: v for k, v in extra.items() if v})
        if meta.publisher:
            venue["publisher"] = meta.publisher
    else:
        venue = {"howpublished": site} if site else {}
    return Record(
        source=SERVICE,
        entry_type=("article" if meta.journal_title else "inproceedings")
        if publication
        else "misc",
        title=_title(meta, url),
        authors=tuple(split_name(name) for name in meta.authors),
        year=year,
        month=month,
        doi=doi if publication else None,
        url=_canonical(meta, url),
        venue=venue,
        kind=WorkKind.PUBLISHED if publication else WorkKind.WEB,
        acl_id=acl.value if publication and acl is not None and acl.kind is IdKind.ACL else None,
        abstract=meta.abstract or None,
        not_a_work=None if publication else meta.not_a_work or None,
    )


def related_identifiers(meta: PageMeta) -> tuple[Identifier, ...]:
    """Paper identifiers the page names: its `citation_doi`/`citation_arxiv_id` first, then links
    whose text says paper/arXiv/PDF, then (on pages with few scholarly links) the other links."""
    named: list[Identifier] = []
    for value in (meta.arxiv_id and f"arXiv:{meta.arxiv_id}", meta.doi and f"doi:{meta.doi}"):
        if value and (ident := parse_identifier(value)) is not None:
            named.append(ident)
    scholarly = [(link, ident) for link in meta.links if (ident := _scholarly(link)) is not None]
    few = len({ident for _, ident in scholarly}) <= FEW_LINKS
    named += [ident for link, ident in scholarly if _says_paper(link)]
    if few:
        named += [ident for _, ident in scholarly]
    return tuple(dict.fromkeys(named))[:MAX_RELATED]


def _scholarly(link: PageLink) -> Identifier | None:
    if not is_paper_link(link.url):
        return None
    found = find_identifiers_in_text(link.url)
    ident = found[0] if found else None
    return ident if ident is not None and ident.kind is not IdKind.URL else None


def _says_paper(link: PageLink) -> bool:
    return bool(_PAPER_WORDS.search(link.text) or _PAPER_WORDS.search(link.before[-30:]))


def _title(meta: PageMeta, url: str) -> str:
    """The page's title without a ` | Site name` style suffix (or prefix) naming the site: its
    og:site_name, or its host (`LessWrong` for lesswrong.com, `Neel Nanda` for neelnanda.io)."""
    title = meta.title
    host = _host(url).rpartition(":")[0] or _host(url)
    sites = {_squash(meta.site_name), _squash(host.rsplit(".", 1)[0]) if "." in host else ""}
    sites.discard("")
    for separator in _TITLE_SEPARATORS:
        head, sep, tail = title.rpartition(separator)
        if sep and head and _squash(tail) in sites:
            return head.strip()
        head, sep, tail = title.partition(separator)
        if sep and tail and _squash(head) in sites:
            return tail.strip()
    return title


def _squash(text: str) -> str:
    """Compare site names ignoring case, accents, punctuation and spaces (`Lil'Log`, `lillog`)."""
    return normalize_title(text).replace(" ", "")


def _canonical(meta: PageMeta, url: str) -> str:
    """`<link rel=canonical>`, else og:url, when on the same site as the page; else `url`."""
    for candidate in (meta.canonical_url, meta.og_url):
        if candidate and _host(candidate) == _host(url):
            scheme = urlsplit(candidate).scheme.lower()
            if scheme in ("http", "https"):
                return candidate
    return url


def _host(url: str) -> str:
    try:
        netloc = urlsplit(url).netloc.lower()
    except ValueError:
        return ""
    return netloc.rpartition("@")[2].removeprefix("www.")


def _year_month(date: str) -> tuple[str | None, int | None]:
    """`2021/6`, `2022-09-14T00:00:00Z`, `2017/11/07`, `2022` -> (year, month)."""
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)(?:[-/.](\d{1,2})\b)?", date)
    if match is None:
        return None, None
    month = int(match.group(2)) if match.group(2) else None
    return match.group(1), month if month is not None and 1 <= month <= 12 else None


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value.strip("\"' "):
            return value.strip("\"' ")
    return "utf-8"
