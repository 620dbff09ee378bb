"""pins: a key pinned elsewhere becomes a work's key, the old key joining its aliases, unless the
pinned key is in use (another work's key or alias, an entry kept verbatim, an old key of the
rename map pointing elsewhere), compared case-blind as BibTeX does."""

from __future__ import annotations

from list2bib.bibtex.parse import parse_file_text
from list2bib.model import Record, Status
from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan
from list2bib.works.pins import pin

WORKS = [Work(w, Record("arxiv", "misc", w), (), Status.RESOLVED, ()) for w in ("w1", "w2")]
KEYS = {"w1": "meng2022locating", "w2": "hu2022lora"}
FILE = parse_file_text("@misc{smith2020own,\n title = {Own},\n}\n").entries


def plan(**aliases: tuple[str, ...]) -> MergePlan:
    return MergePlan({}, {}, list(FILE), aliases=dict(aliases))


def test_a_free_key_is_taken_and_the_old_one_becomes_an_alias() -> None:
    done = pin(WORKS, KEYS, plan(w1=("meng2022a",)), {"meng2022locating": "Meng2022Rome"}, {})
    assert done.keys == {"w1": "Meng2022Rome", "w2": "hu2022lora"}
    assert done.merged.aliases["w1"] == ("meng2022a", "meng2022locating")
    assert done.refused == ()


def test_a_key_in_use_is_refused() -> None:
    for pinned, renamed in [
        ("HU2022LORA", {}),  # another work's key
        ("Smith2020Own", {}),  # an entry of the file kept verbatim
        ("hu2021", {}),  # another work's alias
        ("old2021", {"old2021": "hu2022lora"}),  # the rename map sends it to another work
    ]:
        done = pin(WORKS, KEYS, plan(w2=("hu2021",)), {"meng2022locating": pinned}, renamed)
        assert done.keys == KEYS, pinned
        assert done.refused == (
            f"meng2022locating: the key {pinned} set in Zotero is another work's; kept "
            "meng2022locating",
        )


def test_the_works_own_former_key_may_be_pinned_back() -> None:
    renamed = {"meng2022a": "meng2022locating"}
    done = pin(WORKS, KEYS, plan(w1=("meng2022a",)), {"meng2022locating": "meng2022a"}, renamed)
    assert done.keys["w1"] == "meng2022a"
    assert done.merged.aliases["w1"] == ("meng2022locating",)


def test_a_work_whose_previous_entry_is_kept_keeps_its_key() -> None:
    merged = MergePlan({}, {"w1": FILE[0]}, [])
    done = pin(WORKS, {**KEYS, "w1": "smith2020own"}, merged, {"smith2020own": "Other"}, {})
    assert done.keys["w1"] == "smith2020own" and done.refused == ()
