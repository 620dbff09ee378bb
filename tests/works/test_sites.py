"""One name per site: pages only linked take the name the site's read pages give."""

from __future__ import annotations

from list2bib.model import Record, Reference, Status, WorkKind
from list2bib.works.sites import one_name_per_site, site_names


def page(key: str, url: str, site: str = "", kind: WorkKind = WorkKind.WEB) -> Reference:
    venue = {"howpublished": site} if site else {}
    record = Record(source="page", entry_type="misc", title=key, url=url, venue=venue, kind=kind)
    status = Status.UNRESOLVED if kind is WorkKind.UNRESOLVED else Status.RESOLVED
    return Reference(key, record, (), status)


def test_a_linked_page_takes_the_sites_own_name() -> None:
    refs = [
        page("a", "https://www.lesswrong.com/posts/a", "LessWrong"),
        page("b", "https://lesswrong.com/posts/b", "lesswrong.com"),
        page("c", "https://www.lesswrong.com/posts/c", kind=WorkKind.UNRESOLVED),
        page("d", "https://www.lesswrong.com/posts/d", "Lesswrong"),
        page("e", "https://www.lesswrong.com/posts/e", "LessWrong"),
        page("f", "https://example.org/f", kind=WorkKind.UNRESOLVED),
    ]
    assert site_names(refs) == {"lesswrong.com": "LessWrong"}
    named = {ref.key: ref.record.venue.get("howpublished") for ref in one_name_per_site(refs)}
    assert named == {
        "a": "LessWrong", "b": "LessWrong", "c": "LessWrong", "d": "LessWrong",
        "e": "LessWrong", "f": None,
    }  # fmt: skip


def test_other_sites_on_one_host_keep_their_names() -> None:
    refs = [
        page("a", "https://medium.com/a", "Towards Data Science"),
        page("b", "https://medium.com/b", "Towards Data Science"),
        page("c", "https://medium.com/c", "The Gradient"),
    ]
    named = [ref.record.venue["howpublished"] for ref in one_name_per_site(refs)]
    assert named == ["Towards Data Science", "Towards Data Science", "The Gradient"]


def test_published_works_are_untouched() -> None:
    paper = page("p", "https://lesswrong.com/p", kind=WorkKind.PUBLISHED)
    refs = [page("a", "https://lesswrong.com/a", "LessWrong"), paper]
    assert one_name_per_site(refs)[1] is paper
