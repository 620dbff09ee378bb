"""reconcile: what list2bib writes now against the file's entry. A hand edit since the last run
survives as an override, a field equal to what list2bib writes anyway is no edit, a user's own
field survives without a state file, and a work's other keys go to `ids`."""

from __future__ import annotations

from list2bib.bibtex.parse import BibEntry, parse_file_text
from list2bib.bibtex.render import render, written_fields
from list2bib.model import Link, ListEntry, Person, Record, Reference, Status, WorkKind
from list2bib.text.identity import work_id
from list2bib.works import merge, references
from list2bib.works.dedupe import Work
from list2bib.works.reconcile import Reconciled, reconcile, users_own_fields
from list2bib.works.state import State, WorkState

KEY = "meng2022locating"
TITLE = "Locating and Editing Factual Associations in GPT"
MENG = Record(
    source="arxiv",
    entry_type="misc",
    title=TITLE,
    authors=(Person("Meng", "Kevin"),),
    year="2022",
    arxiv_id="2202.05262",
    primary_class="cs.CL",
    url="https://arxiv.org/abs/2202.05262",
    kind=WorkKind.PREPRINT,
)
WORK = Work(
    work_id(MENG),
    MENG,
    (ListEntry("papers.md", 1, ("Papers",), TITLE, (Link(MENG.url or ""),)),),
    Status.RESOLVED,
    (),
)
KEYS = {WORK.work_id: KEY}


def reference() -> Reference:
    return Reference(KEY, MENG, WORK.entries, Status.RESOLVED)


def written_now() -> dict[str, str]:
    return written_fields([reference()])[KEY]


def edited(text: str, name: str, value: str | None) -> str:
    """The entry `text` with field `name` set to `value` by hand (None: the line deleted)."""
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().lower().startswith(f"{name} ="))
    lines[at : at + 1] = [] if value is None else [f"  {name} = {{{value}}},\n"]
    return "".join(lines)


def file_entries(text: str) -> list[BibEntry]:
    return parse_file_text(text, source="references.bib").entries


def run(existing: list[BibEntry], old: State, managed: set[str] | None = None) -> Reconciled:
    plan = merge.plan([WORK], existing, managed if managed is not None else {KEY})
    written = references.to_write([WORK], [reference()], plan)
    return reconcile([WORK], KEYS, written, plan, old, ascii=False)


def state_with(written: dict[str, str]) -> State:
    before = WorkState(KEY, Status.RESOLVED, MENG, "2026-01-01T00:00:00Z", written)
    return State({WORK.work_id: before})


def test_a_title_edited_by_hand_survives_as_an_override() -> None:
    text = edited(render([reference()]), "title", "Locating Facts in GPT (my title)")
    found = run(file_entries(text), state_with(written_now()))
    assert found.overrides[KEY]["title"] == "Locating Facts in GPT (my title)"
    assert found.edited == {KEY: ["title"]}
    assert found.fields[KEY]["title"] == "Locating Facts in GPT (my title)"
    assert found.bare[KEY]["title"] == written_now()["title"]  # the state records list2bib's own


def test_a_field_deleted_by_hand_stays_deleted() -> None:
    text = edited(render([reference()]), "primaryclass", None)
    found = run(file_entries(text), state_with(written_now()))
    assert found.overrides[KEY] == {"primaryclass": None}
    assert "primaryclass" not in found.fields[KEY]


def test_a_field_equal_to_what_list2bib_writes_now_is_no_edit() -> None:
    # The state remembers an older title (a run killed before it recorded what it wrote): the
    # file holds what list2bib writes today, which is not the user's.
    stale = {**written_now(), "title": "An Older Title"}
    found = run(file_entries(render([reference()])), state_with(stale))
    assert found.overrides == {} and found.edited == {}
    assert found.fields == found.bare == {KEY: written_now()}


def test_the_other_keys_of_a_work_go_to_ids_sorted() -> None:
    text = render([reference()]) + (
        "\n@misc{Zeta22,\n  title = {Locating},\n  eprint = {2202.05262},\n"
        "  archiveprefix = {arXiv},\n  ids = {alpha}\n}\n"
    )
    found = run(file_entries(text), state_with(written_now()))
    assert found.overrides[KEY]["ids"] == "alpha, Zeta22"
    assert found.fields[KEY]["ids"] == "alpha, Zeta22"
    assert KEY not in found.edited  # list2bib's own field is no hand edit


def test_without_a_state_only_the_users_own_fields_survive() -> None:
    text = edited(render([reference()]), "year", "1999")
    text = text.replace("  year", "  note = {Read this first},\n  annote = { },\n  year")
    found = run(file_entries(text), State())
    assert found.overrides == {KEY: {"note": "Read this first"}}  # the stale year is not kept
    assert found.fields[KEY]["year"] == "2022"
    assert found.edited == {}


def test_users_own_fields_leave_out_managed_and_written_ones() -> None:
    current = {"note": "mine", "title": "Old", "abstract": "written", "file": " "}
    assert users_own_fields(current, {"abstract": "written"}) == {"note": "mine"}
