"""Same work or not: the identities of records, .bib entries and Zotero items agree, a preprint and
its publication are one work, and two works with different DOIs never are."""

from __future__ import annotations

import pytest

from list2bib.model import Person, Record, WorkKind
from list2bib.text.identifiers import arxiv_doi, arxiv_id_of_doi
from list2bib.text.identity import (
    bib_identities,
    conflicting,
    doi_identity,
    group_by_work,
    identity_keys,
    item_identity,
    normal_doi,
    published_doi,
    work_id,
)

HE_ID = "1512.03385"
HE_DOI = "10.1109/CVPR.2016.90"
HE_TITLE = "Deep Residual Learning for Image Recognition"
HE = (Person("He", "Kaiming"), Person("Zhang", "Xiangyu"))


def preprint(**changes: object) -> Record:
    fields: dict[str, object] = {
        "source": "arxiv",
        "entry_type": "misc",
        "title": HE_TITLE,
        "authors": HE,
        "year": "2015",
        "arxiv_id": HE_ID,
        "doi": arxiv_doi(HE_ID),
        "kind": WorkKind.PREPRINT,
    }
    return Record(**{**fields, **changes})  # type: ignore[arg-type]


def published(**changes: object) -> Record:
    fields: dict[str, object] = {
        "source": "crossref",
        "entry_type": "inproceedings",
        "title": HE_TITLE,
        "authors": HE,
        "year": "2016",
        "doi": HE_DOI,
    }
    return Record(**{**fields, **changes})  # type: ignore[arg-type]


def test_the_arxiv_doi_prefix_is_read_in_any_case_and_written_as_arxiv_writes_it() -> None:
    assert arxiv_doi(HE_ID) == "10.48550/arXiv.1512.03385"
    assert arxiv_id_of_doi("10.48550/ARXIV.1512.03385") == HE_ID
    assert arxiv_id_of_doi("10.48550/arxiv.1512.03385") == HE_ID
    assert arxiv_id_of_doi(HE_DOI) is None
    assert doi_identity("https://doi.org/10.48550/arXiv.1512.03385") == f"arxiv:{HE_ID}"


def test_a_published_doi_and_its_arxiv_doi_are_one_work() -> None:
    # The preprint is known only by its DataCite DOI; the publication names the arXiv id.
    only_doi = preprint(arxiv_id=None)
    paper = published(arxiv_id=HE_ID)
    assert identity_keys(only_doi)[0] == f"arxiv:{HE_ID}"
    assert set(identity_keys(only_doi)) & set(identity_keys(paper))
    assert not conflicting(identity_keys(only_doi), identity_keys(paper))
    assert work_id(paper) == work_id(only_doi) == f"arxiv:{HE_ID}"  # survives publication


def test_two_different_dois_conflict_even_with_one_title_author_and_year() -> None:
    conference = published()
    journal = published(doi="10.1109/TPAMI.2016.0001", entry_type="article")
    keys_a, keys_b = identity_keys(conference), identity_keys(journal)
    assert keys_a[-1] == keys_b[-1] == "tay:deep residual learning for image recognition|he|2016"
    assert conflicting(keys_a, keys_b)
    assert not conflicting(keys_a, keys_a)
    assert not conflicting(keys_a, ["title:deep residual learning for image recognition"])
    assert conflicting(["arxiv:1512.03385"], ["arxiv:1603.05027"])


def test_the_identity_strings_are_spelt_as_stored() -> None:
    record = published(arxiv_id=HE_ID, dblp_key=" conf/cvpr/HeZRS16 ", acl_id="P16-1001")
    assert identity_keys(record) == [
        f"arxiv:{HE_ID}",
        "doi:10.1109/cvpr.2016.90",
        "dblp:conf/cvpr/HeZRS16",
        "acl:P16-1001",
        "tay:deep residual learning for image recognition|he|2016",
    ]
    web = Record("page", "misc", "A post", url="https://example.com/post/")
    assert identity_keys(web) == ["url:https://example.com/post"]
    assert work_id(Record("bib", "misc", "")) == "untitled:"


def test_no_last_resort_identity_without_an_author_or_a_year() -> None:
    assert not any(k.startswith("tay:") for k in identity_keys(published(authors=())))
    assert not any(k.startswith("tay:") for k in identity_keys(published(year=None)))


@pytest.mark.parametrize(
    "written",
    ["10.1109/CVPR.2016.90", "doi:10.1109/cvpr.2016.90", "https://doi.org/10.1109/CVPR.2016.90"],
)
def test_doi_identity(written: str) -> None:
    assert doi_identity(written) == "doi:10.1109/cvpr.2016.90"


@pytest.mark.parametrize("written", ["", "cvpr.2016.90", "11.1/x", "10.1109"])
def test_doi_identity_of_what_is_no_doi(written: str) -> None:
    assert doi_identity(written) is None


def test_a_bib_entry_has_the_identities_of_its_record() -> None:
    fields = {
        "title": "Deep Residual Learning for {Image} Recognition",
        "author": "He, Kaiming and Zhang, Xiangyu",
        "year": "2016",
        "doi": HE_DOI,
        "eprint": HE_ID,
        "archiveprefix": "arXiv",
    }
    from_file = bib_identities(fields)
    assert set(identity_keys(published(arxiv_id=HE_ID))) <= set(from_file)
    assert from_file[:2] == [f"arxiv:{HE_ID}", "doi:10.1109/cvpr.2016.90"]


def test_published_doi_is_never_the_arxiv_one() -> None:
    assert published_doi(preprint()) is None
    assert published_doi(preprint(published_doi=HE_DOI)) == "10.1109/cvpr.2016.90"
    assert published_doi(published()) == "10.1109/cvpr.2016.90"
    assert published_doi(published(kind=WorkKind.PREPRINT)) is None


def test_candidates_from_several_services_group_into_works() -> None:
    s2 = published(source="s2", arxiv_id=HE_ID, doi=None)
    crossref = published()
    arxiv = preprint(doi=None)
    other = published(title="Identity Mappings in Deep Residual Networks", doi="10.1/other")
    groups = group_by_work([arxiv, other, crossref, s2])
    # arXiv and Crossref share nothing directly: S2 (arXiv id and title) joins them.
    assert sorted(len(g) for g in groups) == [1, 3]
    assert [other] in groups


def test_a_zotero_item_is_marked_by_its_published_doi_else_arxiv_id_else_url() -> None:
    assert item_identity(published(arxiv_id=HE_ID)) == "doi:10.1109/cvpr.2016.90"
    assert item_identity(preprint()) == f"arxiv:{HE_ID}"
    assert item_identity(Record("page", "misc", "Post", url="https://x.org/a/")) == (
        "url:https://x.org/a/"
    )
    assert item_identity(Record("bib", "misc", "Nothing")) is None


@pytest.mark.parametrize(
    ("written", "doi"),
    [
        (" doi:10.1/X ", "10.1/x"),
        ("https://doi.org/10.1/X", "10.1/x"),
        ("10.1/x", "10.1/x"),
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_normal_doi(written: str | None, doi: str | None) -> None:
    assert normal_doi(written) == doi
