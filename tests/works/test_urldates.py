"""`urldate`: the day a web page was last read, as the state records it."""

from __future__ import annotations

from list2bib.model import Record, Reference, Status, WorkKind
from list2bib.works.references import with_urldates
from list2bib.works.state import State, WorkState


def ref(key: str, kind: WorkKind, url: str | None = "https://x.org/p") -> Reference:
    record = Record(source="page", entry_type="misc", title=key, url=url, kind=kind)
    return Reference(key, record, (), Status.RESOLVED)


def test_web_works_get_the_day_they_were_checked() -> None:
    refs = [
        ref("web", WorkKind.WEB),
        ref("paper", WorkKind.PUBLISHED),
        ref("nourl", WorkKind.WEB, None),
    ]
    checked = {
        "web": "2026-01-05T10:00:00Z",
        "paper": "2026-01-05T10:00:00Z",
        "nourl": "2026-01-05T10:00:00Z",
    }
    dated = {
        r.key: r.record.venue.get("urldate") for r in with_urldates(refs, checked, State({}, {}))
    }
    assert dated == {"web": "2026-01-05", "paper": None, "nourl": None}
    assert (
        with_urldates([ref("web", WorkKind.WEB)], {"web": "garbled"}, State({}, {}))[0].record.venue
        == {}
    )


def test_the_first_day_stays_through_later_checks() -> None:
    later = {"web": "2026-03-01T10:00:00Z"}
    web = ref("web", WorkKind.WEB)
    before = WorkState("web", Status.RESOLVED, web.record, "2026-01-05T09:00:00Z",
                       written={"urldate": "2026-01-05"})  # fmt: skip
    kept = with_urldates([web], later, State({"w1": before}, {}))
    assert kept[0].record.venue["urldate"] == "2026-01-05"
    fresh = with_urldates([web], later, State({}, {}))
    assert fresh[0].record.venue["urldate"] == "2026-03-01"
