"""dedupe: identities of records, and clustering hand-built resolutions into works (no network).

A work is one cluster of resolutions sharing an identity (versionless arXiv id, DOI, or for
records without either the URL / title); the published record wins and keeps the arXiv fields,
topics are unioned, and look-alike titles never merge two works.
"""

from __future__ import annotations

import pytest

from list2bib.model import (
    Link,
    ListEntry,
    Person,
    Record,
    Reference,
    Resolution,
    Status,
    WorkKind,
)
from list2bib.resolve.settle import fallback_record
from list2bib.text.identifiers import entry_identifiers
from list2bib.text.identity import doi_identity, identity_keys, work_id
from list2bib.works.dedupe import Work, cluster

MENG_ID = "2202.05262"
MENG_TITLE = "Locating and Editing Factual Associations in GPT"
MAMBA_ID = "2404.03646"
MAMBA_TITLE = "Locating and Editing Factual Associations in Mamba"
HE_ID = "1512.03385"
HE_DOI = "10.1109/cvpr.2016.90"
HE_TITLE = "Deep Residual Learning for Image Recognition"
LSTM_DOI = "10.1162/neco.1997.9.8.1735"


# --- builders -------------------------------------------------------------------------------------


def entry(
    title: str,
    *urls: str,
    topics: tuple[str, ...] = ("Papers",),
    line: int = 1,
    source: str = "list.md",
) -> ListEntry:
    return ListEntry(
        source=source,
        line=line,
        topics=topics,
        title=title,
        links=tuple(Link(url) for url in urls),
    )


def preprint(
    arxiv_id: str,
    title: str,
    *,
    published_doi: str | None = None,
    primary: str = "cs.CL",
    year: str = "2022",
) -> Record:
    """A record as the arXiv source builds it."""
    return Record(
        source="arxiv",
        entry_type="misc",
        title=title,
        authors=(Person("Meng", "Kevin"),),
        year=year,
        doi=f"10.48550/arXiv.{arxiv_id}",
        arxiv_id=arxiv_id,
        primary_class=primary,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        kind=WorkKind.PREPRINT,
        published_doi=published_doi,
    )


def published(doi: str, title: str, *, year: str = "2016", arxiv_id: str | None = None) -> Record:
    """A record as the DOI source builds it (optionally already combined with its preprint)."""
    return Record(
        source="doi",
        entry_type="inproceedings",
        title=title,
        authors=(Person("He", "Kaiming"),),
        year=year,
        doi=doi,
        arxiv_id=arxiv_id,
        primary_class="cs.CV" if arxiv_id else None,
        url=f"https://doi.org/{doi}",
        venue={"booktitle": "CVPR"},
        kind=WorkKind.PUBLISHED,
    )


def resolved(record: Record, list_entry: ListEntry, *problems: str) -> Resolution:
    return Resolution(list_entry, Status.RESOLVED, (), record, problems)


def unresolved(list_entry: ListEntry, *problems: str) -> Resolution:
    """What resolve gives an entry whose service failed: the list's own placeholder record."""
    ids = entry_identifiers(list_entry)
    return Resolution(
        list_entry, Status.UNRESOLVED, ids, fallback_record(list_entry, ids), problems
    )


def only(works: list[Work]) -> Work:
    assert len(works) == 1, [w.work_id for w in works]
    return works[0]


# --- doi_identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "10.1162/neco.1997.9.8.1735",
        "10.1162/NECO.1997.9.8.1735",
        "  10.1162/neco.1997.9.8.1735  ",
        "https://doi.org/10.1162/NECO.1997.9.8.1735",
        "http://doi.org/10.1162/neco.1997.9.8.1735",
        "https://dx.doi.org/10.1162/neco.1997.9.8.1735",
        "http://dx.doi.org/10.1162/neco.1997.9.8.1735",
        "HTTPS://DOI.ORG/10.1162/NECO.1997.9.8.1735",
        "doi:10.1162/neco.1997.9.8.1735",
        "DOI: 10.1162/neco.1997.9.8.1735",
    ],
)
def test_doi_identity_accepts_the_forms_found_in_bib_files(written: str) -> None:
    assert doi_identity(written) == f"doi:{LSTM_DOI}"


@pytest.mark.parametrize(
    ("written", "identity"),
    [
        ("10.48550/arXiv.2202.05262", "arxiv:2202.05262"),
        ("10.48550/ARXIV.2202.05262", "arxiv:2202.05262"),
        ("https://doi.org/10.48550/arXiv.1706.03762", "arxiv:1706.03762"),
        ("doi:10.48550/arxiv.hep-th/9711200", "arxiv:hep-th/9711200"),
    ],
)
def test_arxiv_datacite_dois_are_arxiv_identities(written: str, identity: str) -> None:
    assert doi_identity(written) == identity


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "2202.05262",
        "arXiv:2202.05262",
        "10.1162",  # no suffix
        "11.1162/neco.1997.9.8.1735",  # not the 10. directory
        "https://example.org/10.1162/neco.1997.9.8.1735",
        "https://arxiv.org/abs/2202.05262",
        "not a doi",
    ],
)
def test_doi_identity_rejects_non_dois(written: str) -> None:
    assert doi_identity(written) is None


# --- identity_keys and work_id --------------------------------------------------------------------


def strong(record: Record) -> list[str]:
    """Identities other than the last-resort title + first author + year."""
    return [key for key in identity_keys(record) if not key.startswith("tay:")]


def test_a_preprints_datacite_doi_is_not_a_second_identity() -> None:
    assert strong(preprint(MENG_ID, MENG_TITLE)) == [f"arxiv:{MENG_ID}"]


def test_a_preprint_announcing_its_publication_has_both_identities_arxiv_first() -> None:
    record = preprint(HE_ID, HE_TITLE, published_doi=HE_DOI)
    assert strong(record) == [f"arxiv:{HE_ID}", f"doi:{HE_DOI}"]
    assert work_id(record) == f"arxiv:{HE_ID}"


def test_published_identities_are_lower_case_and_arxiv_first() -> None:
    record = published("10.1109/CVPR.2016.90", HE_TITLE)
    assert strong(record) == [f"doi:{HE_DOI}"]
    combined = published(HE_DOI, HE_TITLE, arxiv_id=HE_ID)
    assert strong(combined) == [f"arxiv:{HE_ID}", f"doi:{HE_DOI}"]
    assert work_id(combined) == f"arxiv:{HE_ID}"  # survives publication


def test_records_without_ids_fall_back_to_url_then_title() -> None:
    web = Record("list", "misc", "A Blog Post", url="https://example.com/post/")
    assert identity_keys(web) == ["url:https://example.com/post"]
    bare = Record("list", "misc", "Über formal: unentscheidbare Sätze!")
    assert identity_keys(bare) == ["title:uber formal unentscheidbare satze"]
    nothing = Record("list", "misc", "")
    assert identity_keys(nothing) == []
    assert work_id(nothing) == "untitled:"


def test_a_url_does_not_count_once_there_is_an_id() -> None:
    record = Record("list", "misc", "x", arxiv_id=MENG_ID, url="https://example.com/meng")
    assert strong(record) == [f"arxiv:{MENG_ID}"]


# --- cluster: one work per paper ------------------------------------------------------------------


def test_arxiv_versions_and_link_forms_are_one_work() -> None:
    forms = [
        f"https://arxiv.org/abs/{MENG_ID}",
        f"https://arxiv.org/abs/{MENG_ID}v1",
        f"http://arxiv.org/pdf/{MENG_ID}v5.pdf",
        f"https://export.arxiv.org/abs/{MENG_ID}v3",
        f"https://doi.org/10.48550/arXiv.{MENG_ID}",
        f"https://huggingface.co/papers/{MENG_ID}",
    ]
    resolutions = [unresolved(entry(MENG_TITLE, url, line=n)) for n, url in enumerate(forms, 1)]
    work = only(cluster(resolutions))
    assert work.work_id == f"arxiv:{MENG_ID}"
    assert [e.line for e in work.entries] == [1, 2, 3, 4, 5, 6]


def test_a_datacite_doi_record_and_an_arxiv_record_are_one_work() -> None:
    by_doi = Record("doi", "misc", MENG_TITLE, doi=f"10.48550/ARXIV.{MENG_ID}")
    works = cluster(
        [resolved(by_doi, entry("a", line=1)), resolved(preprint(MENG_ID, MENG_TITLE), entry("b"))]
    )
    assert only(works).work_id == f"arxiv:{MENG_ID}"


@pytest.mark.parametrize("published_first", [False, True])
def test_a_preprint_and_its_announced_publication_are_one_work(published_first: bool) -> None:
    pre = resolved(
        preprint(HE_ID, "Deep Residual Learning", published_doi=HE_DOI, primary="cs.CV"),
        entry("ResNet preprint", f"https://arxiv.org/abs/{HE_ID}", line=1),
    )
    pub = resolved(
        published(HE_DOI, HE_TITLE), entry("ResNet", f"https://doi.org/{HE_DOI}", line=2)
    )
    work = only(cluster([pub, pre] if published_first else [pre, pub]))
    assert work.record.kind is WorkKind.PUBLISHED
    assert work.record.title == HE_TITLE
    assert work.record.doi == HE_DOI
    assert work.record.venue == {"booktitle": "CVPR"}
    # The published record wins and keeps the preprint's arXiv fields.
    assert work.record.arxiv_id == HE_ID
    assert work.record.primary_class == "cs.CV"
    assert work.work_id == f"arxiv:{HE_ID}"
    assert work.status is Status.RESOLVED
    assert len(work.entries) == 2


def test_a_preprint_and_a_combined_record_sharing_the_arxiv_id_are_one_work() -> None:
    pre = resolved(preprint(HE_ID, HE_TITLE, primary="cs.CV"), entry("pre", line=1))
    combined = resolved(published(HE_DOI, HE_TITLE, arxiv_id=HE_ID), entry("pub", line=2))
    work = only(cluster([pre, combined]))
    assert work.record.source == "doi"
    assert work.record.kind is WorkKind.PUBLISHED
    assert (work.record.arxiv_id, work.record.doi) == (HE_ID, HE_DOI)


def test_identities_chain_transitively_into_one_work() -> None:
    # arXiv-only, DOI-only, and one record that has both: the last joins the first two.
    a = resolved(preprint(HE_ID, HE_TITLE), entry("a", line=1))
    b = resolved(published(HE_DOI, HE_TITLE), entry("b", line=2))
    c = resolved(published(HE_DOI, HE_TITLE, arxiv_id=HE_ID), entry("c", line=3))
    work = only(cluster([a, b, c]))
    assert [e.title for e in work.entries] == ["a", "b", "c"]
    assert work.record.kind is WorkKind.PUBLISHED


def test_resolved_beats_unresolved_whatever_the_order() -> None:
    failed = unresolved(
        entry(MENG_TITLE, f"https://arxiv.org/abs/{MENG_ID}v2", line=1),
        "arxiv:2202.05262: arxiv: service unavailable (HTTP 503 after 2 attempts)",
    )
    good = resolved(preprint(MENG_ID, MENG_TITLE), entry(MENG_TITLE, line=2))
    for order in ([failed, good], [good, failed]):
        work = only(cluster(order))
        assert work.status is Status.RESOLVED
        assert work.record.source == "arxiv"
        assert work.record.kind is WorkKind.PREPRINT


def test_an_ambiguous_record_beats_an_unresolved_one_and_loses_to_a_resolved_one() -> None:
    failed = unresolved(entry(MENG_TITLE, f"https://arxiv.org/abs/{MENG_ID}", line=1))
    maybe = Resolution(
        entry(MENG_TITLE, line=2),
        Status.AMBIGUOUS,
        (),
        Record("guess", "misc", MENG_TITLE, arxiv_id=MENG_ID, kind=WorkKind.PREPRINT),
    )
    good = resolved(preprint(MENG_ID, MENG_TITLE), entry(MENG_TITLE, line=3))
    assert only(cluster([failed, maybe])).status is Status.AMBIGUOUS
    assert only(cluster([failed, maybe, good])).record.source == "arxiv"


def test_only_unresolved_entries_stay_unresolved() -> None:
    first = unresolved(entry(MENG_TITLE, f"https://arxiv.org/abs/{MENG_ID}", line=1), "p1")
    second = unresolved(entry(MENG_TITLE, f"https://arxiv.org/pdf/{MENG_ID}v2", line=2), "p2")
    work = only(cluster([first, second]))
    assert work.status is Status.UNRESOLVED
    assert work.record.kind is WorkKind.UNRESOLVED
    assert work.record.arxiv_id == MENG_ID


def test_problems_of_every_entry_are_kept_once_in_order() -> None:
    a = resolved(preprint(MENG_ID, MENG_TITLE), entry("a", line=1), "p1", "p2")
    b = resolved(preprint(MENG_ID, MENG_TITLE), entry("b", line=2), "p2", "p3")
    assert only(cluster([a, b])).problems == ("p1", "p2", "p3")


def test_topics_of_all_entries_are_unioned_once_in_first_seen_order() -> None:
    record = preprint(MENG_ID, MENG_TITLE)
    entries = [
        entry(MENG_TITLE, topics=("Editing",), line=3),
        entry(MENG_TITLE, topics=("Survey", "interpretability"), source="b.md", line=7),
        entry(MENG_TITLE, topics=(), line=9),  # a list without headings
        entry(MENG_TITLE, topics=("Editing",), source="c.md", line=1),
    ]
    work = only(cluster([resolved(record, e) for e in entries]))
    assert work.entries == tuple(entries)
    reference = Reference("meng2022locating", work.record, work.entries, work.status)
    assert reference.topics == ("Editing", "Survey > interpretability")


# --- cluster: never merge different works ---------------------------------------------------------


def test_look_alike_titles_with_different_arxiv_ids_are_two_works() -> None:
    works = cluster(
        [
            resolved(preprint(MENG_ID, MENG_TITLE), entry(MENG_TITLE, line=1)),
            resolved(preprint(MAMBA_ID, MAMBA_TITLE, year="2024"), entry(MAMBA_TITLE, line=2)),
        ]
    )
    assert [w.work_id for w in works] == [f"arxiv:{MENG_ID}", f"arxiv:{MAMBA_ID}"]
    assert [w.record.title for w in works] == [MENG_TITLE, MAMBA_TITLE]


def test_look_alike_titles_without_any_identifier_are_two_works() -> None:
    works = cluster([unresolved(entry(MENG_TITLE, line=1)), unresolved(entry(MAMBA_TITLE, line=2))])
    assert len(works) == 2
    assert [w.record.title for w in works] == [MENG_TITLE, MAMBA_TITLE]


def test_different_web_pages_on_one_site_are_two_works_and_a_trailing_slash_is_not() -> None:
    works = cluster(
        [
            unresolved(entry("Post", "https://example.com/blog/a/", line=1)),
            unresolved(entry("Post", "https://example.com/blog/b", line=2)),
            unresolved(entry("Post", "https://example.com/blog/a", line=3)),
        ]
    )
    assert [w.work_id for w in works] == [
        "url:https://example.com/blog/a",
        "url:https://example.com/blog/b",
    ]
    assert [len(w.entries) for w in works] == [2, 1]
    assert all(w.record.kind is WorkKind.WEB for w in works)


def test_a_resolution_without_a_record_is_no_work() -> None:
    bare = Resolution(entry("x"), Status.UNRESOLVED, (), None, ("why",))
    kept = resolved(preprint(MENG_ID, MENG_TITLE), entry("y"))
    assert [w.work_id for w in cluster([bare, kept])] == [f"arxiv:{MENG_ID}"]


# --- cluster: order -------------------------------------------------------------------------------


def test_works_come_in_first_seen_order_and_the_result_is_deterministic() -> None:
    resolutions = [
        resolved(preprint(MENG_ID, MENG_TITLE), entry("m1", line=1)),
        resolved(published(LSTM_DOI, "Long Short-Term Memory"), entry("l1", line=2)),
        resolved(preprint(MAMBA_ID, MAMBA_TITLE), entry("s1", line=3)),
        resolved(published(LSTM_DOI.upper(), "Long Short-Term Memory"), entry("l2", line=4)),
        resolved(preprint(MENG_ID, MENG_TITLE), entry("m2", line=5)),
    ]
    works = cluster(resolutions)
    expected = [f"arxiv:{MENG_ID}", f"doi:{LSTM_DOI}", f"arxiv:{MAMBA_ID}"]
    assert [w.work_id for w in works] == expected
    assert [[e.title for e in w.entries] for w in works] == [["m1", "m2"], ["l1", "l2"], ["s1"]]
    assert cluster(resolutions) == works


def test_a_late_bridge_keeps_the_group_at_its_first_members_place() -> None:
    # Two unrelated-looking groups are joined by the last resolution (arXiv id + DOI); the joined
    # work takes the place of its earliest member, before the work first seen in between.
    resolutions = [
        resolved(published(HE_DOI, HE_TITLE), entry("doi only", line=1)),
        resolved(preprint(MENG_ID, MENG_TITLE), entry("other", line=2)),
        resolved(preprint(HE_ID, HE_TITLE), entry("arxiv only", line=3)),
        resolved(published(HE_DOI, HE_TITLE, arxiv_id=HE_ID), entry("bridge", line=4)),
    ]
    works = cluster(resolutions)
    assert [w.work_id for w in works] == [f"arxiv:{HE_ID}", f"arxiv:{MENG_ID}"]
    assert [e.title for e in works[0].entries] == ["doi only", "arxiv only", "bridge"]


# --- DBLP keys, the last-resort identity, near-duplicates ----------------------------------------


def test_a_dblp_key_makes_two_records_one_work() -> None:
    scholar = Record("s2", "inproceedings", MENG_TITLE, dblp_key="conf/nips/MengBAB22", year="2022")
    dblp = Record(
        "dblp", "inproceedings", MENG_TITLE + ".", dblp_key="conf/nips/MengBAB22", year="2023"
    )
    works = cluster([resolved(scholar, entry("a")), resolved(dblp, entry("b", line=2))])
    assert len(only(works).entries) == 2


def test_title_first_author_and_year_never_joins_two_dois() -> None:
    one = Record(
        "a", "article", "Deep Residual Learning", (Person("He", "Kaiming"),), "2016", doi="10.1/a"
    )
    two = Record(
        "b", "article", "Deep residual learning!", (Person("He", "K."),), "2016", doi="10.1/b"
    )
    works = cluster([resolved(one, entry("a")), resolved(two, entry("b"))])
    assert len(works) == 2 and all(w.problems for w in works)


def test_title_first_author_and_year_is_the_last_resort() -> None:
    one = Record(
        "a", "article", "Deep Residual Learning", (Person("He", "Kaiming"),), "2016", doi="10.1/a"
    )
    two = Record("b", "article", "Deep residual learning!", (Person("He", "K."),), "2016")
    assert len(only(cluster([resolved(one, entry("a")), resolved(two, entry("b"))])).entries) == 2


@pytest.mark.parametrize(
    "other",
    [
        Record(
            "b",
            "article",
            "Deep Residual Learning",
            (Person("He", "Kaiming"),),
            "2017",
            doi="10.1/b",
        ),
        Record(
            "b",
            "article",
            "Deep Residual Learning",
            (Person("Ho", "Kaiming"),),
            "2016",
            doi="10.1/b",
        ),
    ],
)
def test_same_title_otherwise_different_is_reported_not_merged(other: Record) -> None:
    one = Record(
        "a", "article", "Deep Residual Learning", (Person("He", "Kaiming"),), "2016", doi="10.1/a"
    )
    works = cluster([resolved(one, entry("a")), resolved(other, entry("b"))])
    assert len(works) == 2
    for work in works:
        assert any("possibly one work, not merged" in p for p in work.problems), work.problems


def test_short_common_titles_are_not_flagged() -> None:
    one = Record("a", "article", "Introduction", (Person("A"),), "2016")
    two = Record("b", "article", "Introduction", (Person("B"),), "2017")
    assert all(
        w.problems == () for w in cluster([resolved(one, entry("a")), resolved(two, entry("b"))])
    )


def test_a_placeholder_has_no_last_resort_identity() -> None:
    listed = entry(HE_TITLE)
    placeholder = unresolved(listed).record
    assert placeholder is not None
    assert not any(k.startswith("tay:") for k in identity_keys(placeholder))
