"""sources.acl: the Anthology BibTeX parser (recorded bodies and the fake's three styles), key_of,
and fetch() through the fake aclanthology.org."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes import RECORDED, FakeClock, World, make_http, needs_recorded
from fakes.acl import FakeAcl, acl_bibtex
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, WorkKind
from list2bib.resolve.sources import acl
from list2bib.text.identifiers import parse_identifier


@pytest.fixture
def fake(world: World) -> Iterator[FakeAcl]:
    with FakeAcl(world) as server:
        yield server


# --- parse: recorded bodies --------------------------------------------------------------------


@needs_recorded
def test_parse_recorded_2023_style_with_editor_and_abstract() -> None:
    path = RECORDED / "acl" / "bib_2021.naacl-main.208_extracted_from_landing_page.bib"
    record = acl.parse_bib(path.read_text(encoding="utf-8"), acl_id="2021.naacl-main.208")
    assert record.title == "How many data points is a prompt worth?"
    assert record.authors == (Person("Le Scao", "Teven"), Person("Rush", "Alexander"))
    assert record.entry_type == "inproceedings"
    assert record.kind is WorkKind.PUBLISHED
    assert (record.year, record.month) == ("2021", 6)
    assert record.doi == "10.18653/v1/2021.naacl-main.208"
    assert record.acl_id == "2021.naacl-main.208"
    assert record.url == "https://aclanthology.org/2021.naacl-main.208/"
    assert record.venue["booktitle"].startswith("Proceedings of the 2021 Conference of the North")
    assert record.venue["pages"] == "2627--2636"
    assert "editor" not in record.venue  # editors are not the work's authors nor a venue field
    assert record.abstract is not None and record.abstract.startswith("When fine-tuning")


@needs_recorded
def test_parse_recorded_old_entry_without_doi_and_month_concatenation() -> None:
    path = RECORDED / "acl" / "bib_N04-1001_extracted_from_landing_page.bib"
    record = acl.parse_bib(path.read_text(encoding="utf-8"))
    assert record.doi is None
    assert record.acl_id == "N04-1001"  # from the url when the id was not given
    assert (record.year, record.month) == ("2004", 5)  # `may # " 2 - " # may # " 7"`
    assert record.venue["booktitle"].endswith(
        "{HLT}-{NAACL} 2004".replace("{", "").replace("}", "")
    )
    assert record.authors[0] == Person("Florian", "R.")
    assert len(record.authors) == 8


@needs_recorded
def test_parse_recorded_2022_style_trailing_comma_and_upper_case_doi() -> None:
    path = RECORDED / "acl" / "bib_P16-1162_2022format_TRANSCRIBED.bib"
    record = acl.parse_bib(path.read_text(encoding="utf-8"), acl_id="P16-1162")
    assert record.title == "Neural Machine Translation of Rare Words with Subword Units"
    assert record.doi == "10.18653/v1/p16-1162"  # lower-cased, as Crossref stores it
    assert record.venue["pages"] == "1715--1725"
    assert record.venue["publisher"] == "Association for Computational Linguistics"


# --- parse: the fake's renderings and small bodies ---------------------------------------------


@pytest.mark.parametrize("key", ["devlin2019bert", "sennrich2016neural", "papineni2002bleu"])
def test_parse_every_style_the_fake_renders(world: World, key: str) -> None:
    work = world.work(key)
    record = acl.parse_bib(acl_bibtex(work), acl_id=work["acl"]["id"])
    assert record.authors[0].family == work["authors"][0]["family"]
    assert record.year == str(work["acl"]["year"])
    assert record.venue["pages"] == work["acl"]["pages"]
    assert record.acl_id == work["acl"]["id"]


def test_braces_dropped_and_other_dois_kept(world: World) -> None:
    bert = acl.parse_bib(acl_bibtex(world.work("devlin2019bert")))
    assert bert.title.startswith("BERT: Pre-training")
    assert "North American Chapter" in bert.venue["booktitle"]
    bleu = acl.parse_bib(acl_bibtex(world.work("papineni2002bleu")))
    assert bleu.title == "Bleu: a Method for Automatic Evaluation of Machine Translation"
    assert bleu.doi == "10.3115/1073083.1073135"
    assert bleu.month == 7


def test_unusable_bodies_raise_value_error() -> None:
    with pytest.raises(ValueError, match="no BibTeX entry"):
        acl.parse_bib("<html><body>Not here</body></html>")
    with pytest.raises(ValueError, match="no title"):
        acl.parse_bib('@inproceedings{x,\n    year = "2020"\n}\n')


# --- key_of ------------------------------------------------------------------------------------


def test_key_of_acl_ids_and_anthology_dois() -> None:
    assert acl.key_of(Identifier(IdKind.ACL, "N19-1423")) == "N19-1423"
    assert acl.key_of(Identifier(IdKind.DOI, "10.18653/v1/2021.naacl-main.208")) == (
        "2021.naacl-main.208"
    )
    assert acl.key_of(Identifier(IdKind.DOI, "10.18653/v1/n19-1423")) == "N19-1423"
    assert acl.key_of(Identifier(IdKind.DOI, "10.3115/1073083.1073135")) is None
    assert acl.key_of(Identifier(IdKind.ARXIV, "1810.04805")) is None
    ident = parse_identifier("https://aclanthology.org/P16-1162.pdf")
    assert ident is not None and acl.key_of(ident) == "P16-1162"


# --- fetch -------------------------------------------------------------------------------------


def test_fetch_found_and_missing(fake: FakeAcl, http: Http) -> None:
    ids = ["N19-1423", "2021.naacl-main.208", "X99-9999"]
    lookup = acl.fetch(http, fake.service_config(), ids)
    assert set(lookup.found) == {"N19-1423", "2021.naacl-main.208"}
    assert lookup.missing == frozenset({"X99-9999"})
    assert not lookup.failed
    assert lookup.found["N19-1423"].doi == "10.18653/v1/n19-1423"
    assert [r.path for r in fake.requests] == [
        "/N19-1423.bib", "/2021.naacl-main.208.bib", "/X99-9999.bib",
    ]  # fmt: skip


def test_fetch_honours_retry_after(fake: FakeAcl, clock: FakeClock, http: Http) -> None:
    fake.fail_next(1, "429")
    lookup = acl.fetch(http, fake.service_config(), ["P16-1162"])
    assert "P16-1162" in lookup.found
    assert 1.0 in clock.sleeps  # the fake's Retry-After: 1
    assert len(fake.requests) == 2


def test_fetch_failure_is_reported_per_id(fake: FakeAcl, clock: FakeClock) -> None:
    fake.fail_next(10, "503")
    with make_http(clock=clock, retries=1) as client:
        lookup = acl.fetch(client, fake.service_config(), ["P16-1162", "N19-1423"])
    assert not lookup.found and not lookup.missing
    assert set(lookup.failed) == {"P16-1162", "N19-1423"}
    assert "HTTP 503" in lookup.failed["P16-1162"]


def test_an_unusable_answer_is_asked_again(fake: FakeAcl, http: Http) -> None:
    fake.fail_next(1, "rate-exceeded-200")  # a 200 that is no BibTeX
    lookup = acl.fetch(http, fake.service_config(), ["P16-1162"])
    assert "P16-1162" in lookup.found
    assert len(fake.requests) == 2


def test_answers_that_stay_unusable_fail_the_id(fake: FakeAcl, clock: FakeClock) -> None:
    fake.fail_next(10, "malformed")  # half of the .bib: no closing brace
    with make_http(clock=clock, retries=1) as client:
        lookup = acl.fetch(client, fake.service_config(), ["P16-1162"])
    assert not lookup.found and not lookup.missing
    assert "unreadable answer" in lookup.failed["P16-1162"]
    assert len(fake.requests) == 2
