"""Links and text -> normalised identifiers (`kind:value`): arXiv, DOI, OpenReview, ACL Anthology,
PMLR, NeurIPS, DBLP, Semantic Scholar, or a plain URL; and which links are papers at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

from list2bib.model import Identifier, IdKind, Link, ListEntry


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# URL rules: (hosts without "www.", or empty for any host; pattern; kind; value prefix).
# A pattern is matched at the start of "<path>?<query>", so `\?` marks the end of the path; its
# groups, URL-decoded and joined with "/", after the prefix, are the raw value, which `_normalise`
# then checks (a rule whose value fails the check does not apply).
_NEURIPS_HOSTS = "proceedings.neurips.cc papers.nips.cc papers.neurips.cc"
_DOI_TAIL = r"(10\.[^?]+?)(?:\.pdf|/full|/abstract|/epdf|/pdf)?/?\?"
_URL_RULES: tuple[tuple[frozenset[str], re.Pattern[str], IdKind, str], ...] = tuple(
    (_words(hosts), re.compile(pattern, re.IGNORECASE), kind, prefix)
    for hosts, kind, prefix, pattern in (
        ("arxiv.org export.arxiv.org", IdKind.ARXIV, "",
         r"/(?:abs|pdf|html|format|ps)/(.+?)(?:\.pdf)?/?\?"),
        ("huggingface.co", IdKind.ARXIV, "", r"/papers/([^/?]+)/?\?"),
        ("doi.org dx.doi.org", IdKind.DOI, "", r"/(10\.[^?]+?)/?\?"),
        ("link.springer.com", IdKind.DOI, "",
         r"/(?:article|chapter|book|referenceworkentry|content/pdf)/" + _DOI_TAIL),
        ("journals.plos.org", IdKind.DOI, "", r"/[^?]*\?(?:.*&)?id=(10\.[^&]+)"),
        ("nature.com", IdKind.DOI, "10.1038/",
         r"/articles/([a-z0-9][a-z0-9.-]*?)(?:\.pdf)?/?\?"),
        ("nature.com", IdKind.DOI, "10.1038/",  # legacy /nature/journal/v518/n7540/full/….html
         r"/[^?]*/(?:full|abs|pdf)/([a-z0-9][a-z0-9.-]*?)\.(?:html|pdf)\?"),
        ("biorxiv.org medrxiv.org", IdKind.DOI, "",
         r"/content/(10\.1101/(?:\d{4}\.\d\d\.\d\d\.)?\d+)"),
        ("openreview.net", IdKind.OPENREVIEW, "",
         r"/(?:forum|pdf|attachment)/?\?(?:.*&)?id=([^&]+)"),
        ("aclanthology.org aclweb.org anthology.aclweb.org", IdKind.ACL, "",
         r"/(?:anthology/)?(?:[a-z]/[a-z]\d\d/)?([^/?]+?)(?:\.pdf|\.bib|\.xml)?/?\?"),
        ("proceedings.mlr.press", IdKind.PMLR, "",
         r"/(v\d+)/([\w-]+?)(?:-supp)?(?:\.html|\.pdf|/[^?]*)?\?"),
        ("jmlr.org", IdKind.PMLR, "",  # PMLR's early volumes, once hosted by JMLR
         r"/proceedings/papers/(v\d+)/([\w-]+?)(?:-supp)?(?:\.html|\.pdf|/[^?]*)?\?"),
        (_NEURIPS_HOSTS, IdKind.NEURIPS, "",
         r"/paper(?:_files/paper)?/(\d{4})/(?:hash|file)/([0-9a-f]{32})-"),
        (_NEURIPS_HOSTS, IdKind.NEURIPS, "paper/", r"/paper/(\d+)-[^?]*\?"),
        ("dblp.org dblp.uni-trier.de dblp.dagstuhl.de", IdKind.DBLP, "",
         r"/rec/(?:(?:bibtex|bib[12]?|html|xml|rdf)/)?([^?]+?)(?:\.html|\.bib|\.xml|\.ris)?/?\?"),
        ("semanticscholar.org", IdKind.S2, "", r"/paper/(?:[^/?]+/)?([0-9a-f]{40})/?\?"),
        ("api.semanticscholar.org", IdKind.S2, "CorpusId:", r"/corpusid:(\d+)/?\?"),
        ("", IdKind.DOI, "",  # any publisher with Atypon-style /doi/[view/]<doi> paths
         r"/(?:[^?]*/)?doi/(?:[a-z]+/)?" + _DOI_TAIL),
    )
)  # fmt: skip

_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        (IdKind.ARXIV, IdKind.DOI, IdKind.OPENREVIEW, IdKind.ACL, IdKind.PMLR, IdKind.NEURIPS,
         IdKind.DBLP, IdKind.S2, IdKind.URL)
    )
}  # fmt: skip

# Link filtering: code hosts (a PDF kept there is still a paper), badge/star hosts, images.
_CODE_HOSTS = _words(
    "github.com gist.github.com gitlab.com bitbucket.org raw.githubusercontent.com pypi.org "
    "camo.githubusercontent.com user-images.githubusercontent.com colab.research.google.com "
    "paperswithcode.com"
)
_BADGE_HOSTS = _words(
    "img.shields.io shields.io badge.fury.io badgen.net star-history.com api.star-history.com"
)
_IMAGE_EXTENSIONS = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".bmp")
_HF_PAPER_SECTIONS = frozenset({"papers", "blog"})

# arXiv: new style YYMM.NNNN(N) since 2007-04; old style archive[.SUBJ]/YYMMNNN until 2007-03.
_OLD_ARCHIVES = _words(
    "acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas "
    "cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th nlin "
    "nucl-ex nucl-th patt-sol physics plasm-ph q-alg q-bio quant-ph solv-int supr-con"
)
_ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z-]+)?/\d{7})(?:v\d+)?"
_ARXIV_NEW = re.compile(r"(\d\d)(\d\d)\.(\d{4,5})(?:v\d+)?", re.IGNORECASE)
_ARXIV_OLD = re.compile(r"([a-z][a-z-]*)(?:\.[a-z-]+)?/((\d\d)(\d\d)\d{3})(?:v\d+)?", re.IGNORECASE)
_ACL_DOI_PREFIX = "10.18653/v1/"
_ACL_NEW = re.compile(r"(\d{4}\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.\d+)(?:v\d+)?", re.IGNORECASE)
_ACL_OLD = re.compile(r"([a-z]\d\d-\d{4})(?:v\d+)?", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
_DBLP_KEY = re.compile(r"[a-z]+(?:/[^\s/?#]+){2,}")
_S2_VALUE = re.compile(r"[0-9a-f]{40}|corpusid:\d+", re.IGNORECASE)

_OPENERS = {")": "(", "]": "[", "}": "{"}
_HTTP = re.compile(r"https?://", re.IGNORECASE)
_SCHEMELESS = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:/|$)", re.IGNORECASE)
_PREFIXED = re.compile(r"([a-z0-9]+)(\s*:\s*|\s+)(\S.*)", re.IGNORECASE)
_PREFIX_KINDS = {kind.value: kind for kind in IdKind} | {"corpusid": IdKind.S2}

# Running text: URLs first (their spans are then blanked), then `arXiv:<id>` and bare DOIs.
_TEXT_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_TEXT_ARXIV = re.compile(rf"\barxiv(?:\s*:\s*|\s+)({_ARXIV_ID})(?![\w/])", re.IGNORECASE)
_TEXT_DOI = re.compile(r"(?<![\w./-])10\.\d{4,9}(?:\.\d+)*/[^\s\"]+")  # SICI DOIs hold <>


def parse_identifier(text: str) -> Identifier | None:
    """One URL, bare id or `prefix:value` string -> its identifier, or None when it is not one.

    Plain http(s) URLs that are no known scholarly id become `IdKind.URL` (scheme and host
    lower-cased, fragment dropped). Other strings that are not ids give None; `str(identifier)`
    parses back to the same identifier. Does not judge whether a URL is a paper (`is_paper_link`).
    """
    s = text.strip()
    if not s:
        return None
    if _HTTP.match(s):
        return _from_url(s)
    if m := _PREFIXED.fullmatch(s):
        name, separator, value = m.group(1).lower(), m.group(2), m.group(3)
        kind = _PREFIX_KINDS.get(name)
        if kind is not None and (":" in separator or kind in (IdKind.ARXIV, IdKind.DOI)):
            if name == "corpusid":
                value = f"corpusid:{value}"
            if kind is IdKind.URL:
                return _from_url(value) if _HTTP.match(value) else None
            return _normalise(kind, value)
    for kind in (IdKind.ARXIV, IdKind.DOI, IdKind.ACL):
        if ident := _normalise(kind, s):
            return ident
    if _SCHEMELESS.match(s):
        ident = _from_url(f"https://{s}")
        if ident is not None and ident.kind is not IdKind.URL:
            return ident
    return None


def identifiers_from_links(links: Iterable[Link]) -> tuple[Identifier, ...]:
    """All identifiers of an entry's links that are papers, deduplicated, in priority order (arxiv,
    doi, openreview, acl, pmlr, neurips, dblp, s2, url) and first-seen order within a kind."""
    found = (parse_identifier(link.url) for link in links if is_paper_link(link.url))
    return _ordered(ident for ident in found if ident is not None)


def entry_identifiers(entry: ListEntry) -> tuple[Identifier, ...]:
    """Every identifier an entry's links name, best first; a bare id written as the title counts.
    A .bib entry's fields count too (`bib_field_identifiers`)."""
    ids = list(identifiers_from_links(entry.links))
    fields = {name.lower(): value.strip() for name, value in entry.fields}
    ids += [ident for ident in bib_field_identifiers(fields) if ident not in ids]
    if not ids and entry.title:
        found = parse_identifier(entry.title.strip())
        if found is not None:
            ids.append(found)
    return tuple(ids)


# .bib fields where people and exporters put identifiers: Google Scholar writes `journal={arXiv
# preprint arXiv:2202.05262}`, DBLP `journal={CoRR}, volume={abs/2202.05262}`, others `arxivid`,
# a bare `eprint`, or an arXiv or DOI URL in `url`, `note` or `howpublished`.
_ARXIV_FIELDS = ("eprint", "arxivid", "arxiv", "arxiv_id")
_TEXT_FIELDS = ("journal", "booktitle", "note", "howpublished", "url", "pdf")


def bib_field_identifiers(fields: Mapping[str, str]) -> tuple[Identifier, ...]:
    """Identifiers a .bib entry's fields name (lower-case field names), best first: `doi`, arXiv
    ids in `eprint` (an `archivePrefix` other than arXiv excludes it), `arxivid`, DBLP's CoRR
    `volume`, and ids or paper URLs written in `journal`, `note`, `url` and the like."""
    found: list[Identifier | None] = []
    if doi := fields.get("doi", "").strip():
        found.append(parse_identifier(doi) or parse_identifier(f"doi:{doi}"))
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").strip().lower()
    for name in _ARXIV_FIELDS:
        value = fields.get(name, "").strip().removeprefix("arXiv:").removeprefix("arxiv:")
        if value and (prefix == "arxiv" or name != "eprint"):
            found.append(_normalise(IdKind.ARXIV, value))
    journal = fields.get("journal", "").strip().casefold()
    corr = re.fullmatch(r"abs/(\S+)", fields.get("volume", "").strip())
    if corr and journal in ("corr", "arxiv", "computing research repository"):
        found.append(_normalise(IdKind.ARXIV, corr[1]))
    for name in _TEXT_FIELDS:
        found += find_identifiers_in_text(fields.get(name, ""))
    return _ordered(ident for ident in found if ident is not None and ident.kind is not IdKind.URL)


def is_paper_link(url: str) -> bool:
    """False for code repositories, badges/images, star counters, anchors, mailto and relative
    links; True otherwise. A PDF in a code repository and `*.github.io` pages are papers."""
    s = url.strip()
    if not s or s.startswith("#") or s.lower().startswith("mailto:"):
        return False
    try:
        parts = urlsplit(s)
    except ValueError:
        return False
    if not _is_web(parts.scheme, parts.netloc):
        # Relative by Markdown's rules; kept only when it is itself an id (`arXiv:…`, `doi.org/…`)
        ident = parse_identifier(s)
        return ident is not None and ident.kind is not IdKind.URL
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.lower()
    segments = [segment for segment in path.split("/") if segment]
    if path.endswith(_IMAGE_EXTENSIONS) or {"badge", "badges"} & set(segments):
        return False
    if host in _BADGE_HOSTS or "badge" in host:
        return False
    if host in _CODE_HOSTS:
        return path.endswith(".pdf")
    if host == "huggingface.co":
        return bool(segments) and segments[0] in _HF_PAPER_SECTIONS
    return True


def split_url(url: str) -> SplitResult:
    """`urlsplit`, with an empty result for what it rejects (`https://[::1`, a broken IPv6 host):
    a list or a service may hold any text where a URL belongs."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return SplitResult("", "", "", "", "")
    return parts


def url_host(url: str) -> str:
    """The lower-cased host name of `url`, or '' when it has none or is not a URL."""
    return split_url(url).hostname or ""


# The DataCite DOI arXiv registers for every paper; services write it in any case.
ARXIV_DOI_PREFIX = "10.48550/arXiv."


def arxiv_doi(arxiv_id: str) -> str:
    """The DataCite DOI arXiv registers for a (versionless) id: `10.48550/arXiv.<id>`."""
    return ARXIV_DOI_PREFIX + arxiv_id


def arxiv_id_of_doi(doi: str) -> str | None:
    """What follows `10.48550/arXiv.` (in any case) in an arXiv DOI, as written (possibly empty);
    None when `doi` is no arXiv DOI."""
    if doi[: len(ARXIV_DOI_PREFIX)].lower() != ARXIV_DOI_PREFIX.lower():
        return None
    return doi[len(ARXIV_DOI_PREFIX) :]


def arxiv_abs_url(arxiv_id: str) -> str:
    """The abstract page of an arXiv id."""
    return f"https://arxiv.org/abs/{arxiv_id}"


_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def strip_doi_prefix(value: str) -> str:
    """`https://doi.org/10.1/x`, `doi: 10.1/x` -> `10.1/x` (as .bib files and services write it)."""
    return _DOI_PREFIX.sub("", value).strip()


def doi_url(doi: str) -> str:
    """`https://doi.org/<doi>`, percent-encoding only characters not allowed in a URL path."""
    return "https://doi.org/" + quote(doi, safe="/:@!$&'()*+,;=")


def find_identifiers_in_text(text: str) -> tuple[Identifier, ...]:
    """Identifiers written in running text: paper URLs, `arXiv:<id>` / `arXiv <id>` (a bare arXiv
    id is not enough), and DOIs (bare or `doi:`); deduplicated, ordered as `identifiers_from_links`.
    """
    found: list[tuple[int, Identifier | None]] = []
    for m in _TEXT_URL.finditer(text):
        url = _strip_trailing(m.group())
        found.append((m.start(), parse_identifier(url) if is_paper_link(url) else None))
    remainder = _TEXT_URL.sub(lambda m: " " * len(m.group()), text)
    found += [(m.start(), _normalise(IdKind.ARXIV, m[1])) for m in _TEXT_ARXIV.finditer(remainder)]
    found += [(m.start(), _normalise(IdKind.DOI, m[0])) for m in _TEXT_DOI.finditer(remainder)]
    return _ordered(ident for _, ident in sorted(found, key=lambda f: f[0]) if ident is not None)


def _ordered(identifiers: Iterable[Identifier]) -> tuple[Identifier, ...]:
    unique = dict.fromkeys(identifiers)  # first-seen order; `sorted` is stable
    return tuple(sorted(unique, key=lambda ident: _PRIORITY[ident.kind]))


def _from_url(url: str) -> Identifier | None:
    try:
        parts = urlsplit(url.partition("#")[0].strip())  # the fragment is never part of an id
    except ValueError:  # e.g. a broken IPv6 host
        return None
    if not _is_web(parts.scheme, parts.netloc):
        return None
    host = (parts.hostname or "").removeprefix("www.")
    target = f"{parts.path}?{parts.query}"
    for hosts, pattern, kind, prefix in _URL_RULES:
        m = pattern.match(target) if not hosts or host in hosts else None
        if m and (ident := _normalise(kind, prefix + "/".join(map(unquote, m.groups())))):
            return ident
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = userinfo + at + hostport.lower()
    normalised = urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))
    return Identifier(IdKind.URL, normalised.strip())


def _is_web(scheme: str, netloc: str) -> bool:
    host = netloc.rpartition("@")[2]
    return scheme.lower() in ("http", "https") and bool(host) and not any(c.isspace() for c in host)


def _normalise(kind: IdKind, raw: str) -> Identifier | None:
    """Check and normalise the raw value of an identifier of `kind`; None when it is not valid."""
    value: str | None = None
    if kind is IdKind.ARXIV:
        value = _arxiv_value(raw)
    elif kind is IdKind.DOI:
        return _doi_identifier(raw)
    elif kind is IdKind.ACL:
        value = _acl_value(raw)
    elif kind is IdKind.OPENREVIEW:
        value = raw if re.fullmatch(r"[\w-]+", raw, re.ASCII) else None
    elif kind is IdKind.PMLR:
        value = raw if re.fullmatch(r"v\d+/[\w-]+", raw, re.ASCII) else None
    elif kind is IdKind.NEURIPS:
        neurips = re.fullmatch(r"\d{4}/[0-9a-f]{32}|paper/\d+", raw, re.IGNORECASE)
        value = raw.lower() if neurips else None
    elif kind is IdKind.DBLP:
        value = raw if _DBLP_KEY.fullmatch(raw) else None
    elif kind is IdKind.S2 and _S2_VALUE.fullmatch(raw):
        value = raw.lower().replace("corpusid:", "CorpusId:")
    return Identifier(kind, value) if value else None


def _arxiv_value(raw: str) -> str | None:
    """`2202.05262v3` -> `2202.05262`; `math.GT/0309136` -> `math/0309136` (arXiv's identity drops
    the subject class); None for ids outside the scheme's dates or digit counts."""
    if m := _ARXIV_NEW.fullmatch(raw):
        yymm, digits = int(m.group(1) + m.group(2)), len(m.group(3))
        valid_month = 1 <= int(m.group(2)) <= 12 and yymm >= 704
        return raw[: 5 + digits] if valid_month and (digits == 4) == (yymm <= 1412) else None
    if m := _ARXIV_OLD.fullmatch(raw):
        archive, yy, mm = m.group(1).lower(), int(m.group(3)), int(m.group(4))
        year = 1900 + yy if yy >= 91 else 2000 + yy
        if archive in _OLD_ARCHIVES and 1 <= mm <= 12 and (1991, 8) <= (year, mm) <= (2007, 3):
            return f"{archive}/{m.group(2)}"
    return None


def _acl_value(raw: str) -> str | None:
    if m := _ACL_NEW.fullmatch(raw):
        return m.group(1).lower()
    if m := _ACL_OLD.fullmatch(raw):
        return m.group(1).upper()
    return None


def _doi_identifier(raw: str) -> Identifier | None:
    """A DOI, lower-cased; arXiv's DataCite DOIs become arXiv ids, ACL Anthology DOIs ACL ids."""
    doi = _strip_trailing(raw.strip()).lower()
    if not _DOI.fullmatch(doi):
        return None
    if (arxiv_id := arxiv_id_of_doi(doi)) is not None:
        return _normalise(IdKind.ARXIV, arxiv_id)
    if doi.startswith(_ACL_DOI_PREFIX) and (acl := _acl_value(doi.removeprefix(_ACL_DOI_PREFIX))):
        return Identifier(IdKind.ACL, acl)
    return Identifier(IdKind.DOI, doi)


def _strip_trailing(s: str) -> str:
    """Drop sentence punctuation after an id or URL, and closing brackets that are unbalanced."""
    while s and (
        s[-1] in ".,;:'\"!?>" or (s[-1] in _OPENERS and s.count(_OPENERS[s[-1]]) < s.count(s[-1]))
    ):
        s = s[:-1]
    return s
