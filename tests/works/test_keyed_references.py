"""Where keys are decided for a run (`citekeys.keys_for`) and the references that follow
(`references`): a key the file gives a work is kept, an alias or a kept entry's key is never handed
to another work, a .bib list's own key is kept, and entries kept verbatim are not written anew."""

from __future__ import annotations

from list2bib.bibtex.parse import BibEntry, parse_file_text
from list2bib.model import Link, ListEntry, Person, Record, Status, WorkKind
from list2bib.text.identity import work_id
from list2bib.works import merge, references
from list2bib.works.citekeys import keys_for
from list2bib.works.dedupe import Work


def paper(
    arxiv_id: str, title: str, *, key: str | None = None, status: Status = Status.RESOLVED
) -> Work:
    record = Record(
        source="arxiv",
        entry_type="misc",
        title=title,
        authors=(Person("Meng", "Kevin"),),
        year="2022",
        arxiv_id=arxiv_id,
        kind=WorkKind.PREPRINT,
    )
    entry = ListEntry(
        "papers.md", 1, ("Papers",), title, (Link(f"https://arxiv.org/abs/{arxiv_id}"),), key=key
    )
    return Work(work_id(record), record, (entry,), status, ())


LOCATING = paper("2202.05262", "Locating and Editing Factual Associations in GPT")
LOCALIZED = paper("2301.00001", "Locating Knowledge in Large Models")


def arxiv_entry(entry_type: str, key: str) -> str:
    return (
        f"@{entry_type}{{{key},\n  title = {{{LOCATING.record.title}}},\n"
        "  eprint = {2202.05262},\n  archiveprefix = {arXiv}\n}\n"
    )


def bib(text: str) -> list[BibEntry]:
    return parse_file_text(text, source="references.bib").entries


def test_a_work_in_the_file_keeps_its_key_and_others_avoid_it() -> None:
    existing = bib(arxiv_entry("misc", "mine"))
    plan = merge.plan([LOCATING, LOCALIZED], existing)
    keys = keys_for([LOCATING, LOCALIZED], plan, existing, {})
    assert keys == {LOCATING.work_id: "mine", LOCALIZED.work_id: "meng2022locating"}


def test_aliases_and_renamed_keys_are_never_handed_to_another_work() -> None:
    existing = bib("@misc{other,\n  title = {Something Else},\n  ids = {meng2022locating}\n}\n")
    plan = merge.plan([LOCATING], existing)
    assert keys_for([LOCATING], plan, existing, {})[LOCATING.work_id] == "meng2022locatinga"
    plan = merge.plan([LOCATING], [])
    renamed = {"meng2022locating": "x"}
    assert keys_for([LOCATING], plan, [], renamed)[LOCATING.work_id] == "meng2022locatinga"


def test_an_untouched_entrys_key_is_reserved() -> None:
    existing = bib("@misc{meng2022locating,\n  title = {Unrelated Paper},\n  year = {1990}\n}\n")
    plan = merge.plan([LOCATING], existing)
    assert [e.key for e in plan.untouched] == ["meng2022locating"]
    assert keys_for([LOCATING], plan, existing, {})[LOCATING.work_id] == "meng2022locatinga"


def test_a_bib_lists_own_key_is_kept_first_come_first_served() -> None:
    first = paper("2202.05262", "Locating and Editing Factual Associations in GPT", key="ROME")
    second = paper("2301.00001", "Locating Knowledge in Large Models", key="rome")
    keys = keys_for([first, second], merge.plan([first, second], []), [], {})
    assert keys[first.work_id] == "ROME"
    assert keys[second.work_id] == "meng2022locating"  # `rome` is `ROME` to BibTeX


def test_a_kept_previous_entry_is_not_written_anew_and_says_so() -> None:
    unverified = paper(
        "2202.05262", "Locating and Editing Factual Associations in GPT", status=Status.UNRESOLVED
    )
    existing = bib(arxiv_entry("article", "good"))
    plan = merge.plan([unverified, LOCALIZED], existing)
    keys = keys_for([unverified, LOCALIZED], plan, existing, {})
    keyed = references.keyed([unverified, LOCALIZED], keys, plan, "refs.bib")
    assert [r.key for r in keyed] == ["good", "meng2022locating"]
    assert keyed[0].problems == ("kept the previous entry from refs.bib unchanged",)
    assert keyed[1].problems == ()
    assert references.to_write([unverified, LOCALIZED], keyed, plan) == [keyed[1]]
    assert [e.key for e in references.verbatim(plan, prune=False).kept] == ["good"]


def test_prune_removes_the_untouched_entries_instead_of_keeping_them() -> None:
    existing = bib("@misc{gone,\n  title = {Nobody Lists This}\n}\n")
    plan = merge.plan([LOCATING], existing)
    kept = references.verbatim(plan, prune=False)
    assert [e.key for e in kept.kept] == [e.key for e in kept.untouched] == ["gone"]
    assert kept.removed == ()
    pruned = references.verbatim(plan, prune=True)
    assert pruned.kept == pruned.untouched == () and [e.key for e in pruned.removed] == ["gone"]
