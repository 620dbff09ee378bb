"""A published record's venue completed: canonical name, volume by year or PMLR address,
the publisher's common name (none for ICLR before OpenReview), LNCS chapters as papers."""

from __future__ import annotations

from pathlib import Path

import pytest

from list2bib.bibtex.render import reference_fields, render
from list2bib.model import Identifier, IdKind, Record, Reference, Status, WorkKind
from list2bib.resolve.proceedings import complete
from list2bib.resolve.sources import dblp


def record(venue: dict[str, str], year: str | None = "2017", **extra: object) -> Record:
    return Record(
        source="dblp", entry_type="inproceedings", title="T", year=year, venue=venue, **extra
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("venue", "year", "volume"),
    [
        ({"booktitle": "NeurIPS"}, "2017", "30"),
        ({"booktitle": "Advances in Neural Information Processing Systems"}, "2022", "35"),
        ({"journal": "Journal of Machine Learning Research"}, "2023", "24"),
        ({"journal": "Trans. Assoc. Comput. Linguistics"}, "2013", "1"),
    ],
)
def test_volume_by_year(venue: dict[str, str], year: str, volume: str) -> None:
    assert complete(record(venue, year)).venue["volume"] == volume


def test_a_given_volume_stays_and_no_year_gives_none() -> None:
    assert complete(record({"booktitle": "NeurIPS", "volume": "7"})).venue["volume"] == "7"
    assert "volume" not in complete(record({"booktitle": "NeurIPS"}, None)).venue
    assert "volume" not in complete(record({"booktitle": "Some Workshop"})).venue


def test_one_name_per_fixed_venue() -> None:
    twelfth = record({"booktitle": "The Twelfth International Conference on Learning "
                      "Representations"}, "2024")  # fmt: skip
    done = complete(twelfth)
    assert done.venue["booktitle"] == "International Conference on Learning Representations"


def test_pmlr_volume_from_the_address_or_the_list_link() -> None:
    by_url = complete(
        record({"booktitle": "ICML"}, url="https://proceedings.mlr.press/v202/a23.html")
    )
    assert (by_url.venue["volume"], by_url.venue["series"]) == (
        "202", "Proceedings of Machine Learning Research",
    )  # fmt: skip
    by_id = complete(record({"booktitle": "ICML"}), [Identifier(IdKind.PMLR, "v139/b21a")])
    assert by_id.venue["volume"] == "139"


def test_publisher_names_and_iclr_before_openreview() -> None:
    springer = complete(
        record({"booktitle": "X", "publisher": "Springer Science and Business Media LLC"})
    )
    assert springer.venue["publisher"] == "Springer"
    adam = complete(record({"booktitle": "ICLR", "publisher": "OpenReview.net"}, "2015"))
    assert "publisher" not in adam.venue
    lora = complete(record({"booktitle": "ICLR", "publisher": "OpenReview.net"}, "2022"))
    assert lora.venue["publisher"] == "OpenReview.net"


def test_a_chapter_in_lncs_is_a_conference_paper() -> None:
    chapter = Record(
        source="doi", entry_type="incollection", title="T", year="2020",
        venue={"booktitle": "Advances in Information Retrieval",
               "series": "Lecture Notes in Computer Science"},
    )  # fmt: skip
    assert complete(chapter).entry_type == "inproceedings"
    book = Record(source="doi", entry_type="incollection", title="T", venue={"booktitle": "B"})
    assert complete(book).entry_type == "incollection"


def test_preprints_and_the_users_own_entries_are_left_alone() -> None:
    preprint = record({"booktitle": "NeurIPS"}, kind=WorkKind.PREPRINT)
    assert complete(preprint) is preprint
    own = Record(source="bib", entry_type="inproceedings", title="T", year="2017",
                 venue={"booktitle": "NeurIPS"})  # fmt: skip
    assert complete(own) is own


RECORDED = Path(__file__).resolve().parents[3] / "shared" / "recorded" / "dblp"


@pytest.mark.skipif(not RECORDED.is_dir(), reason="../shared/recorded not present")
def test_dblp_editors_series_and_volume_reach_both_dialects() -> None:
    text = (RECORDED / "rec_conf_spire_BastMW06_param1_standard.bib").read_text("utf-8")
    record = complete(dblp.parse_bib(text, "conf/spire/BastMW06"))
    assert record.venue["editor"] == "Fabio Crestani and Paolo Ferragina and Mark Sanderson"
    assert record.venue["series"] == "Lecture Notes in Computer Science"
    assert (record.venue["volume"], record.venue["publisher"]) == ("4209", "Springer")
    ref = Reference("bast2006output", record, (), Status.RESOLVED)
    fields = dict(reference_fields(ref))
    assert fields["editor"].startswith("Fabio Crestani and")
    assert render([ref], biblatex=True).startswith("@inproceedings{bast2006output,")


def test_short_venue_names_on_request() -> None:
    long = record({"booktitle": "Advances in Neural Information Processing Systems"})
    assert complete(long, short=True).venue["booktitle"] == "NeurIPS"
    acl = record({"booktitle": "Proceedings of the 60th Annual Meeting of the Association for "
                  "Computational Linguistics (Volume 1: Long Papers)"}, "2022")  # fmt: skip
    assert complete(acl, short=True).venue["booktitle"] == "ACL"
    assert complete(acl).venue["booktitle"] == acl.venue["booktitle"]  # not fixed: kept


def test_a_dblp_hit_links_the_proceedings_page_before_arxiv() -> None:
    hit = {
        "title": "Attention is All you Need.", "year": "2017", "venue": "NIPS",
        "type": "Conference and Workshop Papers", "key": "conf/nips/VaswaniSPUJGKP17",
        "ee": ["https://arxiv.org/abs/1706.03762",
               "https://proceedings.neurips.cc/paper/2017/hash/3f5-Abstract.html"],
    }  # fmt: skip
    found = dblp.parse_hit(hit)
    assert found is not None
    assert found.url == "https://proceedings.neurips.cc/paper/2017/hash/3f5-Abstract.html"
    assert found.arxiv_id == "1706.03762"


def test_conference_papers_of_a_fixed_venue_have_no_month() -> None:
    submitted = record({"booktitle": "ICLR"}, "2022", month=9)  # OpenReview's submission month
    assert complete(submitted).month is None
    article = Record(source="crossref", entry_type="article", title="T", year="2015", month=5,
                     venue={"journal": "Nature"})  # fmt: skip
    assert complete(article).month == 5
