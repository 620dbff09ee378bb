"""This run's works against the existing references.bib: which keys to keep, which entries to keep
exactly as they are, which keys become aliases, and which fields the user edited by hand.

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

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from list2bib.bibtex.render import BibEntry, write_atomic
from list2bib.errors import InputError
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

# Fields list2bib owns outright: never taken for a hand edit.
OWN_FIELDS = frozenset({"ids"})
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


def hand_edits(current: Mapping[str, str], written: Mapping[str, str]) -> dict[str, str | None]:
    """Fields the user changed since list2bib wrote `written`: name -> the user's value, or None
    for a field the user deleted. Values are compared as read back from the file."""
    edits: dict[str, str | None] = {}
    for name in sorted(set(current) | set(written)):
        if name in OWN_FIELDS:
            continue
        now, then = current.get(name), written.get(name)
        if now != then and _squash(now) != _squash(then):
            edits[name] = now
    return edits


# Fields list2bib writes from the services' data: without a record of what it last wrote, their
# values in the file cannot be told from stale data, so the services' values win.
MANAGED_FIELDS = frozenset(
    {"author", "title", "booktitle", "journal", "volume", "number", "pages", "year", "month",
     "publisher", "address", "howpublished", "organization", "school", "institution", "doi",
     "eprint", "archiveprefix", "primaryclass", "url", "keywords", "ids", "key"}
)  # fmt: skip


def users_own_fields(current: Mapping[str, str], written: Mapping[str, str]) -> dict[str, str]:
    """Fields of an entry that list2bib neither manages nor writes for it now: the user's own,
    kept even when no state file says what list2bib wrote before."""
    return {
        name: value
        for name, value in current.items()
        if name not in MANAGED_FIELDS and name not in written and value.strip()
    }


def _squash(value: str | None) -> str | None:
    return " ".join(value.split()) if value is not None else None


# --- the rename map: `<bib>.renames.json`, old key -> the key that now carries the work ----------


def renames_path(bib: Path) -> Path:
    return bib.with_name(bib.name + ".renames.json")


def load_renames(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a rename map ({error}); fix or delete it") from error
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InputError(f'{path}: a rename map is one JSON object {{"old key": "new key"}}')
    return dict(data)


def updated_renames(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """`old` plus `new`, chains followed (a -> b, b -> c gives a -> c), sorted by old key."""
    combined = {**old, **new}
    result: dict[str, str] = {}
    for start in combined:
        target, seen = combined[start], {start}
        while target in combined and target not in seen:
            seen.add(target)
            target = combined[target]
        if target != start:
            result[start] = target
    return dict(sorted(result.items(), key=lambda item: (item[0].casefold(), item[0])))


def save_renames(path: Path, renames: Mapping[str, str]) -> bool:
    """Write the map when it has entries and differs from the file; True when written."""
    if not renames:
        return False
    text = json.dumps(dict(renames), ensure_ascii=False, indent=1) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    write_atomic(path, text)
    return True
