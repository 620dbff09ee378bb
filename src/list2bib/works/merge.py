"""This run's works against the existing references.bib: which keys to keep, which entries to keep
exactly as they are, and which keys become aliases (`reconcile` then weighs the fields).

- A work already in the file keeps its citation key (unless that entry was only a placeholder
  list2bib wrote for an entry it could not verify: the first real record gives it a proper key).
- Several entries of the file found to be one work: the survivor keeps its key, every other key
  (and any placeholder key replaced) becomes an alias, written to biblatex's `ids` field and the
  rename map, so `\\cite{oldkey}` keeps working. A key is never silently dropped.
- A work this run could not verify, or verified only in part because a service failed, keeps the
  file's previous entry verbatim when that entry was a real one: a service outage must not degrade
  a good entry (to a placeholder, or a published paper to its preprint).
- Entries no list produces are kept verbatim (or, with prune, removed and listed).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from list2bib.bibtex.render import BibEntry
from list2bib.model import IdKind, Status
from list2bib.text.identifiers import parse_identifier
from list2bib.text.names import split_authors, split_name
from list2bib.text.titles import latex_to_text, normalize_title
from list2bib.works.dedupe import (
    Work,
    conflicting,
    doi_identity,
    identity_keys,
    last_resort_identity,
)

_DBLP_BIBURL = "https://dblp.org/rec/"


@dataclass(frozen=True, slots=True)
class MergePlan:
    reserved: dict[str, str]  # work_id -> the key it already has in the file
    previous: dict[str, BibEntry]  # work_id -> the file's entry, written again verbatim
    untouched: list[BibEntry]  # entries of the file that no list produced, kept verbatim
    matched: dict[str, BibEntry] = field(default_factory=dict)  # work_id -> its surviving entry
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # work_id -> other keys
    merged: dict[str, tuple[str, ...]] = field(default_factory=dict)  # newly merged this run


def bib_identities(fields: Mapping[str, str]) -> list[str]:
    """The identities of a .bib entry, in the same terms as `dedupe.identity_keys`."""
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


def entry_ids(entry: BibEntry) -> tuple[str, ...]:
    """The keys an entry's biblatex `ids` field lists."""
    return tuple(k for k in (p.strip() for p in entry.fields.get("ids", "").split(",")) if k)


def plan(
    works: Sequence[Work], existing: Sequence[BibEntry], managed: Collection[str] = ()
) -> MergePlan:
    """Match works to the file's entries. `managed`: keys list2bib wrote on an earlier run (they
    win a tie when two entries turn out to be one work)."""
    by_identity: dict[str, list[int]] = {}
    identities: list[list[str]] = []
    for index, entry in enumerate(existing):
        identities.append(bib_identities(entry.fields))
        for identity in identities[-1]:
            by_identity.setdefault(identity, []).append(index)

    plan_ = MergePlan({}, {}, [])
    claimed: set[int] = set()
    for work in works:
        found: dict[int, int] = {}  # entry index -> strength of the identity that matched it
        keys = identity_keys(work.record)
        for strength, identity in enumerate(keys):
            for index in by_identity.get(identity, ()):
                last_resort = identity.startswith("tay:")
                if index in claimed or (last_resort and conflicting(keys, identities[index])):
                    continue
                found.setdefault(index, strength)
        if not found:
            continue
        ranked = sorted(
            found,
            key=lambda i: (existing[i].unverified, existing[i].key not in managed, found[i], i),
        )
        survivor = existing[ranked[0]]
        if not survivor.unverified and (work.status is not Status.RESOLVED or work.incomplete):
            claimed.add(ranked[0])  # keep the good old entry verbatim; merge nothing today
            plan_.previous[work.work_id] = survivor
            continue
        claimed.update(ranked)
        plan_.matched[work.work_id] = survivor
        if not survivor.unverified:
            plan_.reserved[work.work_id] = survivor.key
        others = [existing[i] for i in ranked[1:]]
        old_aliases = tuple(k for e in (survivor, *others) for k in entry_ids(e))
        new_keys = tuple(e.key for e in others if e.key != survivor.key)
        if survivor.unverified:
            new_keys = (survivor.key, *new_keys)  # replaced by a proper key later: keep it citable
        aliases = tuple(dict.fromkeys((*old_aliases, *new_keys)))
        if aliases:
            plan_.aliases[work.work_id] = aliases
        merged = tuple(k for k in new_keys if k not in old_aliases)
        if merged:
            plan_.merged[work.work_id] = merged
    plan_.untouched.extend(e for i, e in enumerate(existing) if i not in claimed)
    return plan_
