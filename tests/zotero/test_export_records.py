"""A group's items as records, keys and topics for `zotero export` (pure functions)."""

from __future__ import annotations

from list2bib.model import Person, WorkKind
from list2bib.zotero.export import citation_key, exported_items, record_of, resolutions
from list2bib.zotero.index import Index


def test_a_conference_paper_keeps_its_venue_date_and_authors_only() -> None:
    record = record_of({
        "itemType": "conferencePaper", "title": "  ROME\n", "date": "12/01/2022",
        "proceedingsTitle": "NeurIPS", "pages": "1-10", "DOI": "https://doi.org/10.5555/ROME",
        "creators": [{"creatorType": "author", "firstName": "Kevin", "lastName": "Meng"},
                     {"creatorType": "editor", "lastName": "Itor"},
                     {"creatorType": "author", "name": "BigScience"}],
    })  # fmt: skip
    assert record.entry_type == "inproceedings" and record.kind is WorkKind.PUBLISHED
    assert record.title == "ROME" and record.doi == "10.5555/rome" and record.year == "2022"
    assert record.venue == {"booktitle": "NeurIPS", "pages": "1-10"}
    assert record.authors == (Person("Meng", "Kevin"), Person("BigScience", literal=True))


def test_arxiv_items_are_preprints_and_web_pages_are_web() -> None:
    by_doi = record_of({"itemType": "document", "title": "X", "DOI": "10.48550/arXiv.2210.07229"})
    assert by_doi.kind is WorkKind.PREPRINT and by_doi.arxiv_id == "2210.07229"
    assert by_doi.doi is None
    page = record_of({"itemType": "blogPost", "title": "A post", "blogTitle": "Distill",
                      "url": "https://distill.pub/x"})  # fmt: skip
    assert page.kind is WorkKind.WEB and page.venue == {"howpublished": "Distill"}
    thesis = record_of({"itemType": "thesis", "title": "T", "university": "MIT", "date": "2020"})
    assert thesis.entry_type == "phdthesis" and thesis.venue == {"school": "MIT"}


def test_citation_key_from_the_field_or_an_extra_line_when_writable() -> None:
    assert citation_key({"citationKey": "meng2022"}) == "meng2022"
    assert citation_key({"extra": "tldr: x\nCitation Key: rome22"}) == "rome22"
    assert citation_key({"citationKey": "has space"}) is None
    assert citation_key({"title": "none"}) is None


def test_which_items_count_and_their_topics() -> None:
    index = Index("1")
    index.collections = {
        "TOP22222": {"key": "TOP22222", "name": "Survey", "parentCollection": False},
        "SUB33333": {"key": "SUB33333", "name": "memory", "parentCollection": "TOP22222"},
        "OTH44444": {"key": "OTH44444", "name": "Other", "parentCollection": False},
    }
    index.items = {
        "A": {"key": "A", "itemType": "journalArticle", "title": "A", "collections": ["SUB33333"]},
        "B": {"key": "B", "itemType": "journalArticle", "title": "B", "collections": ["OTH44444"]},
        "C": {"key": "C", "itemType": "note", "title": "", "note": "x"},
        "D": {"key": "D", "itemType": "attachment", "title": "PDF", "parentItem": "A"},
        "E": {"key": "E", "itemType": "book", "title": "E", "deleted": 1},
        "F": {"key": "F", "itemType": "book", "title": " "},
    }
    assert [d["key"] for d in exported_items(index, None)] == ["A", "B"]
    assert [d["key"] for d in exported_items(index, "TOP22222")] == ["A"]
    [first, _] = resolutions(index, exported_items(index, None))
    assert first.entry.topics == ("Survey > memory",)
    assert first.entry.source == "zotero:groups/1/items/A"
