"""biblatex's own fields from the BibTeX writer's: date, journaltitle, eprinttype, @online."""

from __future__ import annotations

from list2bib.bibtex.biblatex import biblatex_date, biblatex_entry
from list2bib.bibtex.values import field_value


def test_article_fields_are_renamed_and_dated() -> None:
    kind, fields = biblatex_entry(
        "article",
        [("author", "A, B"), ("title", "T"), ("journal", "J"), ("year", "2022"),
         ("month", "sep"), ("publisher", "P"), ("eprint", "2202.05262"),
         ("archivePrefix", "arXiv"), ("primaryClass", "cs.CL")],
        web=False,
    )  # fmt: skip
    assert kind == "article"
    assert fields == [
        ("author", "A, B"), ("title", "T"), ("journaltitle", "J"), ("date", "2022-09"),
        ("eprint", "2202.05262"), ("eprinttype", "arxiv"), ("eprintclass", "cs.CL"),
    ]  # fmt: skip


def test_web_page_is_online_with_its_site_as_organization() -> None:
    kind, fields = biblatex_entry(
        "misc", [("howpublished", "LessWrong"), ("year", "n.d."), ("url", "https://x.org")], True
    )
    assert kind == "online"
    assert dict(fields) == {
        "organization": "LessWrong", "title": "LessWrong", "date": "XXXX", "url": "https://x.org",
    }  # fmt: skip


def test_preprint_wording_and_types_biber_would_warn_about() -> None:
    kind, fields = biblatex_entry("misc", [("howpublished", "arXiv preprint arXiv:1")], False)
    assert kind == "misc" and "howpublished" not in dict(fields)
    assert biblatex_entry("incollection", [("booktitle", "B")], False)[0] == "inbook"
    kind, fields = biblatex_entry("phdthesis", [("school", "S")], False)
    assert kind == "thesis"
    assert fields == [
        ("date", "XXXX"), ("institution", "S"), ("type", "phdthesis"), ("title", "Untitled"),
    ]  # fmt: skip


def test_dates() -> None:
    assert biblatex_date("2017", "") == "2017"
    assert biblatex_date("2017", "dec") == "2017-12"
    assert biblatex_date("in press", "") == "XXXX"


def test_a_one_volume_range_is_the_volume() -> None:
    # Crossref's `38-38` is no integer to biblatex's datamodel; a real range stays.
    assert field_value("volume", "38-38") == "38"
    assert field_value("volume", "38–39") == "38–39"
    assert field_value("volume", "abs/2101.00027") == "abs/2101.00027"
