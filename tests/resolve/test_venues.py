"""venues: the venue table, names as S2/DBLP/Crossref write them, list hints and disagreements."""

from __future__ import annotations

import pytest

from list2bib.model import Record, WorkKind
from list2bib.resolve import venues

NEURIPS22_DBLP = (
    "Advances in Neural Information Processing Systems 35: Annual Conference on Neural "
    "Information Processing Systems 2022, NeurIPS 2022, New Orleans, LA, USA, November 28 - "
    "December 9, 2022"
)
ACL22_DBLP = (
    "Proceedings of the 60th Annual Meeting of the Association for Computational Linguistics "
    "(Volume 1: Long Papers), ACL 2022, Dublin, Ireland, May 22-27, 2022"
)


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("NeurIPS", "NeurIPS"),
        ("NIPS", "NeurIPS"),
        ("Neural Information Processing Systems", "NeurIPS"),  # S2
        ("Adv. Neural Inf. Process. Syst.", "NeurIPS"),
        (NEURIPS22_DBLP, "NeurIPS"),
        (
            "The Eleventh International Conference on Learning Representations, ICLR 2023, "
            "Kigali, Rwanda, May 1-5, 2023",
            "ICLR",
        ),
        (
            "Forty-first International Conference on Machine Learning, ICML 2024, Vienna, "
            "Austria, July 21-27, 2024",
            "ICML",
        ),
        ("International Conference on Machine Learning", "ICML"),
        (ACL22_DBLP, "ACL"),
        ("Annual Meeting of the Association for Computational Linguistics", "ACL"),
        ("Proceedings of the 2019 Conference of the North", "NAACL"),  # Crossref's truncation
        ("North American Chapter of the Association for Computational Linguistics", "NAACL"),
        (
            "Proceedings of the 2023 Conference on Empirical Methods in Natural Language "
            "Processing",
            "EMNLP",
        ),
        (
            "Findings of the Association for Computational Linguistics: EMNLP 2023, Singapore, "
            "December 6-10, 2023",
            "Findings of EMNLP",
        ),
        (
            "Findings of the Association for Computational Linguistics: ACL-IJCNLP 2021",
            "Findings of ACL",
        ),
        ("Nat. Mac. Intell.", "Nature Machine Intelligence"),
        ("Trans. Mach. Learn. Res.", "TMLR"),
        ("J. Mach. Learn. Res.", "JMLR"),
        ("2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)", "CVPR"),
        ("Proceedings of the National Academy of Sciences of the United States of America", "PNAS"),
        ("The Web Conference", "WWW"),
        ("Conference on Language Modeling", "COLM"),
        ("Transactions of the Association for Computational Linguistics", "TACL"),
        ("Distill", "Distill"),
        ("EMNLP (Findings)", "Findings of EMNLP"),  # a DBLP search hit's venue
        ("ACL (1)", "ACL"),
    ],
)
def test_lookup_knows_the_spellings_services_use(name: str, short: str) -> None:
    venue = venues.lookup(name)
    assert venue is not None, name
    assert venue.short == short


@pytest.mark.parametrize(
    "name", ["arXiv.org", "ArXiv", "CoRR", "", "Asian Test Symposium", "Proceedings of the"]
)
def test_lookup_refuses_what_it_does_not_know(name: str) -> None:
    assert venues.lookup(name) is None


def test_every_venue_has_a_field_and_entry_type_that_agree() -> None:
    assert len(venues.VENUES) >= 30
    for venue in venues.VENUES:
        assert venue.bibtex_field in {"booktitle", "journal"}
        expected = "inproceedings" if venue.bibtex_field == "booktitle" else "article"
        assert venue.entry_type == expected, venue.short
        assert venues.lookup(venue.short) is venue
        assert venues.lookup(venue.title_for("2022")) is venue, venue.short


def test_normalise_turns_dblp_booktitles_into_the_conventional_title() -> None:
    assert (
        venues.normalise("booktitle", NEURIPS22_DBLP, "2022")
        == "Advances in Neural Information Processing Systems"
    )
    assert (
        venues.normalise("booktitle", ACL22_DBLP, "2022")
        == "Proceedings of the 60th Annual Meeting of the Association for Computational "
        "Linguistics (Volume 1: Long Papers)"
    )


def test_normalise_fills_in_truncations_and_abbreviations() -> None:
    cut = "Proceedings of the 2019 Conference of the North"  # Crossref's container for BERT
    assert venues.normalise("booktitle", cut, "2019") == (
        "Proceedings of the 2019 Conference of the North American Chapter of the Association "
        "for Computational Linguistics: Human Language Technologies"
    )
    assert venues.normalise("journal", "Nat. Mac. Intell.", "2024") == "Nature Machine Intelligence"
    assert venues.normalise("booktitle", "ACL", "2022") == (
        "Proceedings of the 60th Annual Meeting of the Association for Computational Linguistics"
    )
    assert venues.normalise("booktitle", "EMNLP (Findings)", "2023") == (
        "Findings of the Association for Computational Linguistics: EMNLP 2023"
    )
    assert venues.normalise("booktitle", "Findings of EMNLP", "2023") == (
        "Findings of the Association for Computational Linguistics: EMNLP 2023"
    )
    assert venues.normalise("booktitle", "Findings of EMNLP", None) == (
        "Findings of the Association for Computational Linguistics: EMNLP"
    )


def test_normalise_keeps_complete_and_unknown_names() -> None:
    full = (
        "Proceedings of the 2019 Conference of the North American Chapter of the Association "
        "for Computational Linguistics: Human Language Technologies, Volume 1 (Long and Short "
        "Papers)"
    )
    assert venues.normalise("booktitle", full, "2019") == full
    assert venues.normalise("journal", "Journal of Applied Physics", "2015") == (
        "Journal of Applied Physics"
    )
    spire = (
        "String Processing and Information Retrieval, 13th International Conference, {SPIRE} "
        "2006, Glasgow, UK, October 11-13, 2006, Proceedings"
    )
    assert venues.normalise("booktitle", spire, "2006") == (
        "String Processing and Information Retrieval, 13th International Conference"
    )


@pytest.mark.parametrize(
    ("hint", "short", "year", "findings"),
    [
        ("NeurIPS 2022", "NeurIPS", "2022", False),
        ("ICLR 2023 (oral)", "ICLR", "2023", False),
        ("ICLR'24", "ICLR", "2024", False),
        ("EMNLP 2023 Findings", "Findings of EMNLP", "2023", True),
        ("Findings of ACL 2023", "Findings of ACL", "2023", True),
        ("NIPS 2017", "NeurIPS", "2017", False),
        ("CVPR 2016 best paper", "CVPR", "2016", False),
        ("NeurIPS 2023 best paper", "NeurIPS", "2023", False),
        ("TMLR", "TMLR", None, False),
        ("arXiv 2023", None, "2023", False),
        ("NeurIPS 2023 Workshop", None, "2023", False),
        ("Blog 2024", None, "2024", False),
    ],
)
def test_parse_hint(hint: str, short: str | None, year: str | None, findings: bool) -> None:
    venue, got_year, got_findings = venues.parse_hint(hint)
    assert (venue.short if venue else None, got_year, got_findings) == (short, year, findings)


def _published(field: str, name: str, year: str) -> Record:
    return Record(
        source="test",
        entry_type="inproceedings" if field == "booktitle" else "article",
        title="A paper",
        year=year,
        venue={field: name},
        kind=WorkKind.PUBLISHED,
    )


def test_hint_agrees_and_disagrees() -> None:
    neurips = _published("booktitle", "Advances in Neural Information Processing Systems", "2022")
    assert venues.hint_agrees("NeurIPS 2022", neurips) is None
    assert venues.hint_agrees("NIPS 2022 (spotlight)", neurips) is None
    icml = _published("booktitle", "International Conference on Machine Learning", "2022")
    assert (
        venues.hint_agrees("NeurIPS 2022", icml) == "list says NeurIPS 2022, sources say ICML 2022"
    )
    assert venues.hint_agrees("NeurIPS 2021", neurips) == (
        "list says NeurIPS 2021, sources say NeurIPS 2022"
    )
    findings = _published(
        "booktitle", "Findings of the Association for Computational Linguistics: EMNLP 2023", "2023"
    )
    assert venues.hint_agrees("EMNLP 2023", findings) == (
        "list says EMNLP main, sources say Findings of EMNLP"
    )
    main = _published(
        "booktitle",
        "Proceedings of the 2023 Conference on Empirical Methods in Natural Language Processing",
        "2023",
    )
    assert venues.hint_agrees("EMNLP 2023 Findings", main) == (
        "list says Findings of EMNLP, sources say EMNLP main"
    )
    assert venues.hint_agrees("EMNLP 2023 Findings", findings) is None


def test_hint_agrees_says_nothing_when_it_cannot_compare() -> None:
    preprint = Record(source="test", entry_type="misc", title="A", kind=WorkKind.PREPRINT)
    assert venues.hint_agrees("NeurIPS 2022", preprint) is None
    unknown = _published("booktitle", "Asian Test Symposium", "2005")
    assert venues.hint_agrees("NeurIPS 2022", unknown) is None
    neurips = _published("booktitle", "Advances in Neural Information Processing Systems", "2022")
    assert venues.hint_agrees("arXiv 2021", neurips) is None
