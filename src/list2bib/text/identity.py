"""Every "same work?" rule: the identities of a record, of a .bib entry and of a Zotero item, and
when two sets of identities name different works. The identity strings are stored (state file,
Zotero markers) and seed citation keys, so their spelling never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from list2bib.model import IdKind, Record, WorkKind
from list2bib.text.identifiers import arxiv_id_of_doi, parse_identifier, strip_doi_prefix
from list2bib.text.names import split_authors, split_name
from list2bib.text.titles import fold_ascii, latex_to_text, normalize_title

_DBLP_BIBURL = "https://dblp.org/rec/"


# --- works: which records are one work -------------------------------------------------------


def identity_keys(record: Record) -> list[str]:
    """The identities that prove two records are the same work, strongest first: versionless
    arXiv id, DOI, DBLP key, OpenReview forum, ACL Anthology id; without any of them the URL,
    else the title; and the last-resort title + first author + year."""
    keys: list[str] = []
    if record.arxiv_id:
        keys.append(f"arxiv:{record.arxiv_id}")
    for doi in (record.doi, record.published_doi):
        identity = doi_identity(doi or "")
        if identity:
            keys.append(identity)
    for prefix, value in (
        ("dblp", record.dblp_key),
        ("openreview", record.openreview_id),
        ("acl", record.acl_id),
    ):
        if value and value.strip():
            keys.append(f"{prefix}:{value.strip()}")
    if not keys and record.url:
        keys.append(f"url:{record.url.rstrip('/')}")
    if not keys and record.title:
        keys.append(f"title:{normalize_title(record.title)}")
    first = record.authors[0] if record.authors else None
    last_resort = title_author_year(
        record.title, (first.family or first.given) if first else "", record.year or ""
    )
    if last_resort:
        keys.append(last_resort)
    return list(dict.fromkeys(keys))


def title_author_year(title: str, family: str, year: str) -> str | None:
    """`tay:<normalised title>|<first author's family name>|<year>`: the last-resort identity, only
    when all three are known (a placeholder without authors never gets one)."""
    return last_resort_identity(normalize_title(title), family, year)


def last_resort_identity(words: str, family: str, year: str) -> str | None:
    """`title_author_year` for a title already normalised."""
    name = "".join(c for c in fold_ascii(family) if c.isalnum()).lower()
    year = year.strip()[:4]
    if not (words and name and year.isdigit()):
        return None
    return f"tay:{words}|{name}|{year}"


def doi_identity(doi: str) -> str | None:
    """`doi:<lower-case doi>`, or `arxiv:<id>` for arXiv's DataCite DOIs; None if not a DOI.
    Accepts `https://doi.org/…` and `doi:` forms, as found in .bib files."""
    value = strip_doi_prefix(doi).lower()
    if not value.startswith("10.") or "/" not in value:
        return None
    arxiv_id = arxiv_id_of_doi(value)
    return f"arxiv:{arxiv_id}" if arxiv_id is not None else f"doi:{value}"


def work_id(record: Record) -> str:
    """A stable identity string for a work (arXiv id first: it survives publication)."""
    keys = identity_keys(record)
    return keys[0] if keys else "untitled:"


def conflicting(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two sets of identities name different works: both have DOIs (or arXiv ids) and
    share none. A journal extension with the same title, authors and year is another work."""
    left, right = set(a), set(b)
    for prefix in ("doi:", "arxiv:"):
        mine = {k for k in left if k.startswith(prefix)}
        theirs = {k for k in right if k.startswith(prefix)}
        if mine and theirs and not mine & theirs:
            return True
    return False


def published_doi(record: Record) -> str | None:
    """A DOI a record names for the published version (never an arXiv DataCite DOI)."""
    for value in (record.published_doi, record.doi if record.kind is WorkKind.PUBLISHED else None):
        identity = doi_identity(value or "")
        if identity and identity.startswith("doi:"):
            return identity.removeprefix("doi:")
    return None


# --- .bib entries: the same identities, read from the fields a file gives ---------------------


def bib_identities(fields: Mapping[str, str]) -> list[str]:
    """The identities of a .bib entry, in the same terms as `identity_keys`."""
    identities: list[str] = []
    eprint = fields.get("eprint", "").strip()
    if eprint and fields.get("archiveprefix", "arxiv").strip().lower() == "arxiv":
        found = parse_identifier(eprint) or parse_identifier(f"arXiv:{eprint}")
        if found is not None:
            identities.append(str(found))
    doi = doi_identity(fields.get("doi", ""))
    if doi:
        identities.append(doi)
    url = fields.get("url", "").strip()
    found = parse_identifier(url) if url else None
    if found is not None and found.kind is IdKind.ARXIV:
        identities.append(str(found))
    elif found is not None and found.kind is IdKind.DOI:
        identities.append(f"doi:{found.value}")
    elif found is not None and found.kind in (IdKind.OPENREVIEW, IdKind.ACL):
        identities.append(str(found))  # `openreview:<forum>`, `acl:<anthology id>`
    biburl = fields.get("biburl", "").strip()  # DBLP's own export names its record
    if biburl.startswith(_DBLP_BIBURL):
        identities.append(f"dblp:{biburl.removeprefix(_DBLP_BIBURL).removesuffix('.bib')}")
    if url:
        identities.append(f"url:{url.rstrip('/')}")
    words = normalize_title(_unbrace(fields.get("title", "")))
    if words:
        identities.append(f"title:{words}")
        last_resort = last_resort_identity(
            words, _first_family(fields.get("author", "")), fields.get("year", "")
        )
        if last_resort:
            identities.append(last_resort)
    return list(dict.fromkeys(identities))


def _unbrace(value: str) -> str:
    """Braces dropped when they are the only markup (`{BERT}`), which is what decoding the LaTeX
    gives once normalised, without the cost of the decoder (20,000 entries: seconds)."""
    if "\\" in value or "$" in value:
        return value
    return value.replace("{", "").replace("}", "")


def _first_family(authors: str) -> str:
    names = split_authors(authors) if authors.strip() else []
    if not names:
        return ""
    name = names[0].strip()
    if not (name.startswith("{") and name.endswith("}")):  # braces mark an organisation: keep
        name = _unbrace(name)
    try:
        person = split_name(latex_to_text(name))
    except ValueError:
        return ""
    return person.family or person.given


# --- candidates of one title search: several services' records of one work ------------------


def candidate_identities(record: Record) -> set[str]:
    """What makes two candidates the same work: ids, or title and first author."""
    keys = {f"arxiv:{record.arxiv_id}"} if record.arxiv_id else set()
    for doi in (record.doi, record.published_doi):
        identity = doi_identity(doi or "")
        if identity:
            keys.add(identity)
    if record.dblp_key:
        keys.add(f"dblp:{record.dblp_key}")
    first = folded_name(record.authors[0].family) if record.authors else ""
    keys.add(f"title:{normalize_title(record.title)}|{first}")
    return keys


def group_by_work(records: Sequence[Record]) -> list[list[Record]]:
    """Records that share a candidate identity, directly or through others, as one group each."""
    groups: list[tuple[set[str], list[Record]]] = []
    for record in records:
        keys = candidate_identities(record)
        joined = [g for g in groups if g[0] & keys]
        merged_keys, merged = set(keys), [record]
        for group in joined:
            merged_keys |= group[0]
            merged = group[1] + merged
            groups.remove(group)
        groups.append((merged_keys, merged))
    return [members for _, members in groups]


def folded_name(name: str) -> str:
    """A name as compared with another: ASCII letters and digits, lower-case, no spaces."""
    return normalize_title(fold_ascii(name)).replace(" ", "")


# --- Zotero items: one identity marks the item of a work -----------------------------------------


def normal_doi(doi: str | None) -> str | None:
    """Bare lower-case DOI, whatever prefix (`https://doi.org/`, `doi:`) it was written with."""
    return (strip_doi_prefix(doi).lower() or None) if doi else None


def item_identity(record: Record) -> str | None:
    """The work's stable id as its Zotero item is marked: its published DOI, else its arXiv id,
    else its URL."""
    doi = normal_doi(record.doi)
    if doi and not arxiv_id_of_doi(doi):
        return f"doi:{doi}"
    if record.arxiv_id:
        return f"arxiv:{record.arxiv_id}"
    if record.url:
        return f"url:{record.url}"
    return None
