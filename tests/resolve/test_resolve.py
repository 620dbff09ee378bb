"""resolve: list entries -> resolutions, through the fake arXiv API and doi.org.

The fakes serve a copy of the fixture world extended with a few synthetic works (DOIs under the
test prefix 10.5555, arXiv ids no real paper has) that exercise what the real world rarely shows
on purpose: an arXiv record announcing the DOI of a different paper.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from fakes import FakeArxiv, FakeClock, FakeDoi, FakeServer, FakeServices, World, make_http
from list2bib.config import Config
from list2bib.model import Identifier, IdKind, Link, ListEntry, Resolution, Status, WorkKind
from list2bib.resolve import rounds as resolve
from list2bib.resolve import settle
from list2bib.works import dedupe

MENG_ID = "2202.05262"
MENG_TITLE = "Locating and Editing Factual Associations in GPT"
MAMBA_ID = "2404.03646"
MAMBA_TITLE = "Locating and Editing Factual Associations in Mamba"
VASWANI_ID = "1706.03762"
LSTM_DOI = "10.1162/neco.1997.9.8.1735"
LSTM_TITLE = "Long Short-Term Memory"
HE_ID = "1512.03385"
HE_DOI = "10.1109/cvpr.2016.90"
HE_TITLE = "Deep Residual Learning for Image Recognition"
BERT_TITLE = "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
VALERO_ID = "1710.08557"
VALERO_DOI = "10.1186/s12984-017-0305-3"
MALDACENA_ID = "hep-th/9711200"
MALDACENA_DOI = "10.1023/a:1026654312961"

PREPRINT_ID = "2303.90003"
PREPRINT_TITLE = "A Preprint Nobody Published Yet"

# Synthetic works added to the world copy.
LOOKALIKE_DOI = "10.5555/l2b.lookalike-gpt"
MAMBA_ANNOUNCING_ID = "2404.90001"
UNRELATED_ANNOUNCING_ID = "2301.90002"
UNRELATED_TITLE = "A Survey of Greedy Graph Colouring Heuristics"
EXTRA_WORKS: list[dict[str, Any]] = [
    {
        "key": "l2b_preprint_only",
        "title": PREPRINT_TITLE,
        "authors": [{"given": "Ada", "family": "Tester"}],
        "arxiv": {
            "id": PREPRINT_ID,
            "versions": ["2023-03-07T10:00:00Z", "2023-05-01T10:00:00Z"],
            "primary": "cs.LG",
        },
        "exercises": "synthetic: on arXiv only; Semantic Scholar shows it as arXiv.org",
    },
    {
        "key": "l2b_lookalike_gpt",
        "title": MENG_TITLE,
        "authors": [{"given": "Kevin", "family": "Meng"}, {"given": "David", "family": "Bau"}],
        "crossref": {
            "doi": LOOKALIKE_DOI,
            "type": "journal-article",
            "container": "Journal of Test Fixtures",
            "issued": [2022, 12],
            "volume": "1",
            "publisher": "Test Publisher",
        },
        "exercises": "synthetic: a Crossref record titled like meng2022locating",
    },
    {
        "key": "l2b_mamba_announcing_gpt_doi",
        "title": MAMBA_TITLE,
        "authors": [
            {"given": "Arnab", "family": "Sen Sharma"},
            {"given": "David", "family": "Bau"},
        ],
        "arxiv": {
            "id": MAMBA_ANNOUNCING_ID,
            "versions": ["2024-04-04T17:58:31Z"],
            "primary": "cs.CL",
            "doi": LOOKALIKE_DOI,
        },
        "exercises": "synthetic: arXiv announces the DOI of a look-alike (one word differs)",
    },
    {
        "key": "l2b_unrelated_announcing_lstm_doi",
        "title": UNRELATED_TITLE,
        "authors": [{"given": "Ada", "family": "Tester"}],
        "arxiv": {
            "id": UNRELATED_ANNOUNCING_ID,
            "versions": ["2023-01-15T10:00:00Z"],
            "primary": "cs.DM",
            "doi": LSTM_DOI.upper(),
        },
        "exercises": "synthetic: arXiv announces the DOI of a totally different paper",
    },
]


# --- fixtures and helpers -------------------------------------------------------------------------


@dataclass
class Fakes:
    world: World
    services: FakeServices
    clock: FakeClock = field(default_factory=FakeClock)
    requests_by_host: dict[str, int] = field(default_factory=dict)

    @property
    def arxiv(self) -> FakeArxiv:
        return self.services.arxiv

    @property
    def doi(self) -> FakeDoi:
        return self.services.doi

    @property
    def crossref(self) -> FakeServer:
        return self.services.crossref

    @property
    def s2(self) -> FakeServer:
        return self.services.s2

    def config(self, *, arxiv_batch: int = 100) -> Config:
        config = self.services.config(Path("unused"), retries=1)
        services = dict(config.services)
        services["arxiv"] = replace(services["arxiv"], batch_size=arxiv_batch)
        return replace(config, services=services)

    def resolve(
        self,
        entries: Sequence[ListEntry],
        *,
        arxiv_batch: int = 100,
        progress: resolve.Progress | None = None,
    ) -> list[Resolution]:
        with make_http(clock=self.clock, retries=1) as http:
            result = resolve.resolve(entries, http, self.config(arxiv_batch=arxiv_batch), progress)
            self.requests_by_host = dict(http.requests_by_host)
        return result

    def one(self, entry: ListEntry) -> Resolution:
        (resolution,) = self.resolve([entry])
        return resolution

    @property
    def doi_paths(self) -> list[str]:
        """The DOIs doi.org was asked for, as sent (decoded, lower-cased)."""
        return [unquote(r.path).lstrip("/").lower() for r in self.doi.requests]

    @property
    def crossref_dois(self) -> list[str]:
        """The DOIs Crossref was asked for in `filter=doi:` batches, in order."""
        asked: list[str] = []
        for request in self.crossref.requests:
            for part in request.query.get("filter", "").split(","):
                if part.startswith("doi:"):
                    asked.append(part.removeprefix("doi:").lower())
        return asked


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    world = World.load().copy()
    for work in EXTRA_WORKS:
        world.add(copy.deepcopy(work))
    with FakeServices(world) as services:
        yield Fakes(world, services)


def entry(
    title: str,
    *urls: str,
    date: str | None = None,
    line: int = 1,
    topics: tuple[str, ...] = ("Papers",),
) -> ListEntry:
    return ListEntry(
        source="papers.md",
        line=line,
        topics=topics,
        title=title,
        links=tuple(Link(url, "pdf") for url in urls),
        date_hint=date,
    )


def has_problem(resolution: Resolution, *parts: str) -> bool:
    return any(all(part in problem for part in parts) for problem in resolution.problems)


# --- resolved through each identifier kind --------------------------------------------------------


TOY_PATH = "/transformer-circuits.pub/2022/toy_model/index.html"


def test_a_web_page_is_described_by_its_own_metadata(fakes: Fakes) -> None:
    url = fakes.services.page_url(TOY_PATH)
    resolution = fakes.one(entry("Toy Models of Superposition", url, date="2022.9"))
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert (record.kind, record.source, record.entry_type) == (WorkKind.WEB, "page", "misc")
    assert record.title == "Toy Models of Superposition"
    assert record.authors and record.authors[0].family == "Elhage"
    assert record.year == "2022"
    assert record.venue["howpublished"]


def test_a_page_that_cannot_be_read_is_kept_as_the_list_gives_it(fakes: Fakes) -> None:
    url = fakes.services.page_url("/example.com/blog/gone")
    resolution = fakes.one(entry("A Vanished Post", url, date="2022.9"))
    assert resolution.status is Status.UNRESOLVED
    assert resolution.identifiers[0].kind is IdKind.URL
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.WEB
    assert (record.url, record.year, record.title) == (url, "2022", "A Vanished Post")
    assert has_problem(resolution, "not a readable web page", "title search")


def test_an_arxiv_only_paper_is_the_arxiv_record(fakes: Fakes) -> None:
    resolution = fakes.one(entry(PREPRINT_TITLE, f"https://arxiv.org/abs/{PREPRINT_ID}v2"))
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PREPRINT
    assert (record.source, record.arxiv_id, record.primary_class) == ("arxiv", PREPRINT_ID, "cs.LG")
    assert (record.year, record.month) == ("2023", 3)  # v1's date, whatever version is linked
    assert record.doi == f"10.48550/arXiv.{PREPRINT_ID}"
    assert resolution.evidence == (f"arXiv {PREPRINT_ID}",)
    assert len(fakes.s2.requests) == 1  # asked whether it was published: it was not


def test_a_preprint_semantic_scholar_places_at_a_venue_is_written_as_published(
    fakes: Fakes,
) -> None:
    resolution = fakes.one(entry(MENG_TITLE, f"https://arxiv.org/abs/{MENG_ID}"))
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PUBLISHED
    assert record.entry_type == "inproceedings"
    assert record.venue["booktitle"] == "Advances in Neural Information Processing Systems"
    assert (record.arxiv_id, record.primary_class) == (MENG_ID, "cs.CL")  # both are known
    assert resolution.evidence[0] == f"arXiv {MENG_ID}"
    assert "Semantic Scholar" in resolution.evidence[1]


def test_a_doi_link_resolves_to_the_crossref_record(fakes: Fakes) -> None:
    resolution = fakes.one(entry(LSTM_TITLE, "https://doi.org/10.1162/NECO.1997.9.8.1735"))
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PUBLISHED
    assert (record.source, record.entry_type) == ("crossref", "article")
    assert record.doi == LSTM_DOI
    assert record.title == LSTM_TITLE
    assert record.year == "1997"
    assert record.arxiv_id is None
    assert fakes.arxiv.requests == []
    assert fakes.crossref_dois == [LSTM_DOI]
    assert fakes.doi_paths == []  # Crossref knew it: doi.org is not asked


def test_a_datacite_doi_crossref_does_not_have_goes_to_doi_org(fakes: Fakes) -> None:
    datacite_only = "10.5555/l2b.datacite-only"
    fakes.doi.crossref.hide(LSTM_DOI)
    resolution = fakes.one(entry(LSTM_TITLE, f"https://doi.org/{LSTM_DOI}"))
    assert fakes.crossref_dois == [LSTM_DOI]
    assert fakes.doi_paths == [LSTM_DOI]  # doi.org asked only for what Crossref lacked
    assert resolution.problems == ("doi:" + LSTM_DOI + ": no such record",)
    assert datacite_only not in fakes.doi_paths


def test_an_acl_anthology_link_resolves_through_its_doi(fakes: Fakes) -> None:
    resolution = fakes.one(entry("BERT", "https://aclanthology.org/N19-1423/"))
    assert resolution.identifiers == (Identifier(IdKind.ACL, "N19-1423"),)
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PUBLISHED
    assert record.entry_type == "inproceedings"
    assert record.doi == "10.18653/v1/n19-1423"
    assert record.title == BERT_TITLE
    # Crossref cuts this container title off; the venue table restores it.
    assert record.venue["booktitle"].startswith(
        "Proceedings of the 2019 Conference of the North American Chapter"
    )
    assert fakes.crossref_dois == ["10.18653/v1/n19-1423"]
    assert fakes.services.acl.requests == []  # the Anthology only when Crossref cannot answer


def test_an_acl_paper_comes_from_the_anthology_when_crossref_and_doi_org_fail(
    fakes: Fakes,
) -> None:
    fakes.crossref.fail_next(10, "503")
    fakes.doi.fail_next(10, "503")
    resolution = fakes.one(entry("BERT", "https://aclanthology.org/N19-1423/"))
    record = resolution.record
    assert resolution.status is Status.RESOLVED
    assert record is not None and record.source == "acl"
    assert record.doi == "10.18653/v1/n19-1423"
    assert len(fakes.services.acl.requests) == 1


def test_a_bare_identifier_written_as_the_title_is_looked_up(fakes: Fakes) -> None:
    resolution = fakes.one(entry(f"arXiv:{MENG_ID}"))
    assert resolution.identifiers == (Identifier(IdKind.ARXIV, MENG_ID),)
    assert resolution.record is not None and resolution.record.title == MENG_TITLE
    assert resolution.status is Status.RESOLVED


# --- preprint + published -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arxiv_id", "doi", "journal", "primary"),
    [
        (VALERO_ID, VALERO_DOI, "Journal of NeuroEngineering and Rehabilitation", "cs.RO"),
        # arXiv writes this DOI upper-case; Crossref stores it lower-case.
        (MALDACENA_ID, MALDACENA_DOI, "International Journal of Theoretical Physics", "hep-th"),
    ],
)
def test_an_announced_doi_gives_the_published_record_with_the_arxiv_fields(
    fakes: Fakes, arxiv_id: str, doi: str, journal: str, primary: str
) -> None:
    resolution = fakes.one(entry("", f"https://arxiv.org/abs/{arxiv_id}"))
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PUBLISHED
    assert record.source == "crossref"
    assert record.doi == doi
    assert record.venue["journal"] == journal
    assert (record.arxiv_id, record.primary_class) == (arxiv_id, primary)
    assert resolution.problems == ()
    assert fakes.crossref_dois == [doi]
    assert fakes.doi_paths == []


def test_the_published_title_wins_when_arxiv_words_it_a_little_differently(fakes: Fakes) -> None:
    resolution = fakes.one(entry("", f"https://arxiv.org/abs/{VALERO_ID}"))
    assert resolution.record is not None
    expected = fakes.world.work("valerocuevas2017neuromechanical")["title"]
    assert resolution.record.title == expected


def test_an_announced_doi_nobody_knows_keeps_the_preprint(fakes: Fakes) -> None:
    fakes.s2.fail_next(10, "503")  # and Semantic Scholar cannot say otherwise
    resolution = fakes.one(entry("Living with the Wrong Sign", "https://arxiv.org/abs/1312.2021"))
    assert resolution.status is Status.RESOLVED
    assert resolution.record is not None
    assert resolution.record.kind is WorkKind.PREPRINT
    assert resolution.record.published_doi == "10.1103/physrevd.89.084044"
    assert has_problem(resolution, "doi:10.1103/physrevd.89.084044", "no such record")
    assert has_problem(resolution, "kept the preprint")
    assert fakes.crossref_dois == ["10.1103/physrevd.89.084044"]
    assert fakes.doi_paths == ["10.1103/physrevd.89.084044"]


def test_an_announced_doi_that_fails_keeps_the_preprint_and_says_why(fakes: Fakes) -> None:
    fakes.crossref.fail_next(10, "503")
    fakes.doi.fail_next(10, "503")
    fakes.s2.fail_next(10, "503")
    fakes.services.openalex.fail_next(10, "503")  # nor can OpenAlex stand in for it
    resolution = fakes.one(entry("", f"https://arxiv.org/abs/{VALERO_ID}"))
    assert resolution.status is Status.RESOLVED
    assert resolution.record is not None
    assert resolution.record.kind is WorkKind.PREPRINT
    assert resolution.record.arxiv_id == VALERO_ID
    assert has_problem(resolution, f"doi:{VALERO_DOI}", "503")
    assert has_problem(resolution, "kept the preprint")


def test_semantic_scholar_stands_in_when_the_announced_doi_cannot_be_fetched(
    fakes: Fakes,
) -> None:
    fakes.crossref.fail_next(10, "503")
    fakes.doi.fail_next(10, "503")
    resolution = fakes.one(entry("", f"https://arxiv.org/abs/{VALERO_ID}"))
    record = resolution.record
    assert record is not None
    assert (record.kind, record.source) == (WorkKind.PUBLISHED, "s2")
    assert record.arxiv_id == VALERO_ID
    assert not has_problem(resolution, "kept the preprint")


def test_safety_an_announced_doi_of_a_totally_different_paper_is_not_merged(
    fakes: Fakes,
) -> None:
    resolution = fakes.one(
        entry(UNRELATED_TITLE, f"https://arxiv.org/abs/{UNRELATED_ANNOUNCING_ID}")
    )
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PREPRINT
    assert record.title == UNRELATED_TITLE
    assert record.arxiv_id == UNRELATED_ANNOUNCING_ID
    assert record.doi == f"10.48550/arXiv.{UNRELATED_ANNOUNCING_ID}"
    assert has_problem(resolution, f"doi:{LSTM_DOI}", "different title", "kept the arXiv record")
    assert fakes.crossref_dois == [LSTM_DOI]


def test_safety_an_announced_doi_of_a_look_alike_is_not_merged(fakes: Fakes) -> None:
    resolution = fakes.one(entry(MAMBA_TITLE, f"https://arxiv.org/abs/{MAMBA_ANNOUNCING_ID}"))
    record = resolution.record
    assert record is not None
    assert record.title == MAMBA_TITLE
    assert record.kind is WorkKind.PREPRINT
    assert record.doi == f"10.48550/arXiv.{MAMBA_ANNOUNCING_ID}"
    assert has_problem(resolution, f"doi:{LOOKALIKE_DOI}", "different title")


def test_safety_a_rejected_announced_doi_does_not_merge_the_works_later(fakes: Fakes) -> None:
    resolutions = fakes.resolve(
        [
            entry(UNRELATED_TITLE, f"https://arxiv.org/abs/{UNRELATED_ANNOUNCING_ID}", line=1),
            entry(LSTM_TITLE, f"https://doi.org/{LSTM_DOI}", line=2),
        ]
    )
    # resolve itself refuses to merge them ...
    assert [r.record.title for r in resolutions if r.record] == [UNRELATED_TITLE, LSTM_TITLE]
    # ... so the two list entries must stay two works.
    works = dedupe.cluster(resolutions)
    assert [w.record.title for w in works] == [UNRELATED_TITLE, LSTM_TITLE]


def test_an_arxiv_link_and_a_doi_link_to_the_same_work_are_merged(fakes: Fakes) -> None:
    resolution = fakes.one(
        entry(HE_TITLE, f"https://arxiv.org/abs/{HE_ID}v1", "https://doi.org/10.1109/CVPR.2016.90")
    )
    assert resolution.identifiers == (
        Identifier(IdKind.ARXIV, HE_ID),
        Identifier(IdKind.DOI, HE_DOI),
    )
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PUBLISHED
    assert (record.doi, record.arxiv_id, record.primary_class) == (HE_DOI, HE_ID, "cs.CV")
    assert record.venue["booktitle"].startswith("2016 IEEE Conference on Computer Vision")
    assert resolution.problems == ()


def test_an_arxiv_link_and_an_acl_doi_link_to_the_same_work_are_merged(fakes: Fakes) -> None:
    resolution = fakes.one(
        entry(
            BERT_TITLE,
            "https://arxiv.org/abs/1810.04805",
            "https://doi.org/10.18653/v1/N19-1423",
        )
    )
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PUBLISHED
    assert (record.doi, record.arxiv_id) == ("10.18653/v1/n19-1423", "1810.04805")


def test_links_to_two_different_works_are_not_merged(fakes: Fakes) -> None:
    resolution = fakes.one(
        entry(
            "Attention Is All You Need",
            f"https://arxiv.org/abs/{VASWANI_ID}",
            f"https://doi.org/{LSTM_DOI}",
        )
    )
    record = resolution.record
    assert record is not None
    assert record.kind is WorkKind.PREPRINT
    assert record.title == "Attention Is All You Need"
    assert record.arxiv_id == VASWANI_ID
    assert record.doi == f"10.48550/arXiv.{VASWANI_ID}"
    assert has_problem(resolution, f"doi:{LSTM_DOI}", "different title")


def test_links_to_two_look_alike_works_are_not_merged(fakes: Fakes) -> None:
    resolution = fakes.one(
        entry(MAMBA_TITLE, f"https://arxiv.org/abs/{MAMBA_ID}", f"https://doi.org/{LOOKALIKE_DOI}")
    )
    record = resolution.record
    assert record is not None
    assert (record.title, record.kind) == (MAMBA_TITLE, WorkKind.PREPRINT)
    assert has_problem(resolution, f"doi:{LOOKALIKE_DOI}", "different title")


# --- the list's own title -------------------------------------------------------------------------


def test_a_look_alike_list_title_is_a_warning(fakes: Fakes) -> None:
    resolution = fakes.one(entry(MAMBA_TITLE, f"https://arxiv.org/abs/{MENG_ID}"))  # one word
    assert resolution.status is Status.RESOLVED
    assert resolution.record is not None and resolution.record.title == MENG_TITLE
    assert len(resolution.problems) == 1
    assert MAMBA_TITLE in resolution.problems[0] and MENG_TITLE in resolution.problems[0]


def test_a_link_to_another_paper_altogether_gives_way_to_the_title(fakes: Fakes) -> None:
    listed = entry("Attention Is All You Need", f"https://arxiv.org/abs/{MENG_ID}")
    resolution = fakes.one(listed)
    assert resolution.status is Status.RESOLVED
    assert resolution.record is not None
    assert (resolution.record.title, resolution.record.arxiv_id) == (
        "Attention Is All You Need",
        VASWANI_ID,
    )
    assert resolution.lint == (f"{listed.where}: links arxiv:{MENG_ID}, which is {MENG_TITLE!r}",)


@pytest.mark.parametrize(
    "title",
    [
        "Locating and editing factual associations in GPT.",
        "LOCATING AND EDITING FACTUAL ASSOCIATIONS IN GPT",
        "Locating & Editing Factual Associations in GPT",
        "Locating and Editing Factual Associations",  # a fair short form
        "",  # a bare link: nothing to compare
    ],
)
def test_a_list_title_written_differently_is_no_warning(fakes: Fakes, title: str) -> None:
    resolution = fakes.one(entry(title, f"https://arxiv.org/abs/{MENG_ID}"))
    assert resolution.status is Status.RESOLVED
    assert resolution.problems == ()


# --- unresolved -----------------------------------------------------------------------------------


def test_an_unknown_arxiv_id_is_unresolved(fakes: Fakes) -> None:
    resolution = fakes.one(entry("A Missing Paper", "https://arxiv.org/abs/2301.99999v2"))
    assert resolution.status is Status.UNRESOLVED
    assert resolution.problems == ("arxiv:2301.99999: no such record",)
    record = resolution.record
    assert record is not None
    assert (record.source, record.kind, record.entry_type) == ("list", WorkKind.UNRESOLVED, "misc")
    assert record.arxiv_id == "2301.99999"
    assert record.title == "A Missing Paper"


def test_an_unknown_doi_is_unresolved(fakes: Fakes) -> None:
    resolution = fakes.one(entry("A Missing Article", "https://doi.org/10.5555/does-not-exist"))
    assert resolution.status is Status.UNRESOLVED
    assert resolution.problems == ("doi:10.5555/does-not-exist: no such record",)
    assert resolution.record is not None
    assert resolution.record.doi == "10.5555/does-not-exist"


def test_arxiv_down_semantic_scholar_gives_the_preprint(fakes: Fakes) -> None:
    fakes.arxiv.fail_next(2, "503")
    resolution = fakes.one(entry(PREPRINT_TITLE, f"https://arxiv.org/abs/{PREPRINT_ID}"))
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert (record.kind, record.arxiv_id, record.title) == (
        WorkKind.PREPRINT,
        PREPRINT_ID,
        PREPRINT_TITLE,
    )
    assert record.doi == f"10.48550/arXiv.{PREPRINT_ID}"
    assert "Semantic Scholar" in resolution.evidence[0]
    assert fakes.doi_paths == []  # one batch answered for all: no request per id
    assert fakes.clock.sleeps  # the retry waited on the fake clock, not for real


def test_arxiv_and_semantic_scholar_down_the_preprint_comes_from_datacite(fakes: Fakes) -> None:
    fakes.arxiv.fail_next(2, "503")
    fakes.s2.fail_next(2, "503")
    resolution = fakes.one(entry(PREPRINT_TITLE, f"https://arxiv.org/abs/{PREPRINT_ID}"))
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert (record.kind, record.arxiv_id, record.title) == (
        WorkKind.PREPRINT,
        PREPRINT_ID,
        PREPRINT_TITLE,
    )
    assert fakes.doi_paths == [f"10.48550/arxiv.{PREPRINT_ID}"]
    assert "DataCite" in resolution.evidence[0]


def test_every_source_down_gives_a_fallback_record_from_the_list(fakes: Fakes) -> None:
    fakes.arxiv.fail_next(2, "503")
    fakes.doi.fail_next(2, "503")
    fakes.s2.fail_next(2, "503")
    link = f"https://arxiv.org/pdf/{MENG_ID}v2.pdf"
    resolution = fakes.one(entry("ROME, as the list writes it", link, date="2022.2"))
    assert resolution.status is Status.UNRESOLVED
    assert has_problem(resolution, f"arxiv:{MENG_ID}: arxiv: ", "503")
    record = resolution.record
    assert record is not None
    assert (record.source, record.kind, record.entry_type) == ("list", WorkKind.UNRESOLVED, "misc")
    assert record.arxiv_id == MENG_ID  # a fact of the link
    assert record.doi is None
    assert record.title == "ROME, as the list writes it"
    assert record.year == "2022"
    assert record.url == link
    assert record.authors == ()  # nothing invented
    assert len(fakes.arxiv.requests) == 2


def test_crossref_and_doi_org_down_give_a_fallback_record_with_the_doi(fakes: Fakes) -> None:
    fakes.crossref.fail_next(10, "503")
    fakes.doi.fail_next(10, "503")
    link = "https://doi.org/10.1162/NECO.1997.9.8.1735"
    resolution = fakes.one(entry("LSTM", link, date="1997"))
    assert resolution.status is Status.UNRESOLVED
    assert has_problem(resolution, f"doi:{LSTM_DOI}: doi: ", "503")
    record = resolution.record
    assert record is not None
    assert (record.doi, record.arxiv_id) == (LSTM_DOI, None)
    assert (record.title, record.year, record.url) == ("LSTM", "1997", link)
    assert record.kind is WorkKind.UNRESOLVED


def test_arxiv_down_still_resolves_an_entry_through_its_doi(fakes: Fakes) -> None:
    fakes.arxiv.fail_next(2, "503")
    resolution = fakes.one(
        entry(HE_TITLE, f"https://arxiv.org/abs/{HE_ID}", f"https://doi.org/{HE_DOI}")
    )
    assert resolution.status is Status.RESOLVED
    assert resolution.record is not None
    assert resolution.record.kind is WorkKind.PUBLISHED
    assert resolution.record.doi == HE_DOI
    assert resolution.record.arxiv_id == HE_ID  # from the DataCite DOI arXiv's ids have


def test_an_entry_without_links_is_searched_by_title(fakes: Fakes) -> None:
    resolution = fakes.one(entry("A Paper Nobody Linked", date="2019-05"))
    assert resolution.status is Status.UNRESOLVED
    assert resolution.identifiers == ()
    (problem,) = resolution.problems
    assert problem.startswith("no arXiv id, DOI or other identifier in its links; title search")
    record = resolution.record
    assert record is not None
    assert (record.title, record.year, record.url) == ("A Paper Nobody Linked", "2019", None)
    assert record.kind is WorkKind.UNRESOLVED
    # Two services were asked once each, and offering nothing near, the others not at all.
    searchers = (fakes.s2, fakes.services.dblp, fakes.crossref, fakes.services.openalex)
    assert sorted(len(f.requests) for f in searchers) == [0, 0, 1, 1]


def test_a_title_found_by_the_first_search_stops_the_search(fakes: Fakes) -> None:
    resolution = fakes.one(entry(MENG_TITLE, date="2022.2"))
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert (record.arxiv_id, record.kind) == (MENG_ID, WorkKind.PUBLISHED)
    # The title is drawn to one of the services that name both versions; its answer settles it.
    assert re.match(r"title match \(100\) via (s2|openalex)\b", resolution.evidence[0])
    assert fakes.services.dblp.requests == []
    assert all("filter" in r.query for r in fakes.crossref.requests)  # DOI lookups, no search


def test_an_openreview_link_gives_the_venue_openreview_names(fakes: Fakes) -> None:
    url = "https://openreview.net/forum?id=v8L0pN6EOi"
    resolution = fakes.one(entry("Let's Verify Step by Step", url))
    assert resolution.identifiers == (Identifier(IdKind.OPENREVIEW, "v8L0pN6EOi"),)
    assert resolution.status is Status.RESOLVED
    record = resolution.record
    assert record is not None
    assert (record.kind, record.source) == (WorkKind.PUBLISHED, "openreview")
    assert "Learning Representations" in record.venue["booktitle"]


def test_a_rejected_openreview_submission_is_never_called_published(fakes: Fakes) -> None:
    resolution = fakes.one(entry("", "https://openreview.net/forum?id=zZ9xRejct01"))
    record = resolution.record
    assert record is not None
    assert record.kind is not WorkKind.PUBLISHED
    assert "booktitle" not in record.venue


def test_fallback_record_keeps_only_the_lists_facts() -> None:
    listed = entry(
        "A Title",
        f"https://arxiv.org/abs/{MENG_ID}v4",
        f"https://doi.org/{LSTM_DOI}",
        date="2021.07",
    )
    ids = resolve.entry_identifiers(listed)
    record = settle.fallback_record(listed, ids)
    assert (record.arxiv_id, record.doi) == (MENG_ID, None)  # arXiv id first, no second identity
    assert (record.title, record.year, record.url) == ("A Title", "2021", listed.links[0].url)
    assert (record.authors, record.venue, record.primary_class) == ((), {}, None)
    acl = entry("BERT", "https://aclanthology.org/N19-1423.pdf", date="June 2019")
    acl_record = settle.fallback_record(acl, resolve.entry_identifiers(acl))
    # A DOI derived from the Anthology id is no fact of the list: the link is kept, not a guess.
    assert (acl_record.doi, acl_record.url) == (None, "https://aclanthology.org/N19-1423.pdf")
    assert acl_record.year is None  # the hint does not start with a year
    tacl = entry("A TACL paper", "https://aclanthology.org/2022.tacl-1.74/")
    assert settle.fallback_record(tacl, resolve.entry_identifiers(tacl)).doi is None
    listed = entry("Listed", "https://doi.org/10.18653/v1/N19-1423")  # the list's own DOI
    assert settle.fallback_record(listed, resolve.entry_identifiers(listed)).doi is None


# --- requests: batched, each id once, none when nothing to look up --------------------------------


ARXIV_IDS = [MENG_ID, MAMBA_ID, VASWANI_ID, "2106.09685", "2201.11903", "2012.14913", "2305.20050"]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7, 100])
def test_arxiv_ids_are_asked_in_batches(fakes: Fakes, batch_size: int) -> None:
    entries = [entry("", f"https://arxiv.org/abs/{i}", line=n) for n, i in enumerate(ARXIV_IDS, 1)]
    # The same paper again, in other link forms: no extra id to ask for.
    entries += [
        entry("", f"https://arxiv.org/pdf/{MENG_ID}v2.pdf", line=20),
        entry("", f"https://doi.org/10.48550/arXiv.{VASWANI_ID}", line=21),
    ]
    resolutions = fakes.resolve(entries, arxiv_batch=batch_size)
    assert all(r.status is Status.RESOLVED for r in resolutions)
    requests = fakes.arxiv.requests
    assert len(requests) == math.ceil(len(ARXIV_IDS) / batch_size)
    asked = [r.query["id_list"].split(",") for r in requests]
    assert all(len(batch) <= batch_size for batch in asked)
    flat = [i for batch in asked for i in batch]
    assert sorted(flat) == sorted(ARXIV_IDS)  # each id once
    assert all(int(r.query["max_results"]) >= len(b) for r, b in zip(requests, asked, strict=True))
    assert fakes.requests_by_host[fakes.arxiv.host] == len(requests)
    assert fakes.requests_by_host[fakes.s2.host] == 1  # one batch for all: published versions?


def test_each_doi_is_asked_once_however_often_it_is_listed(fakes: Fakes) -> None:
    entries = [
        entry("", f"https://doi.org/{VALERO_DOI}", line=1),
        entry("", f"https://dx.doi.org/{VALERO_DOI.upper()}", line=2),
        entry("", f"https://link.springer.com/article/{VALERO_DOI}", line=3),
        entry("", f"https://arxiv.org/abs/{VALERO_ID}", line=4),  # arXiv announces the same DOI
        entry("", f"https://arxiv.org/abs/{MALDACENA_ID}", line=5),  # announced upper-case
        entry("", "https://doi.org/10.1023/A:1026654312961", line=6),
        entry("", "https://aclanthology.org/N19-1423/", line=7),
        entry("", "https://doi.org/10.18653/v1/n19-1423", line=8),
    ]
    resolutions = fakes.resolve(entries)
    assert Counter(fakes.crossref_dois) == {
        VALERO_DOI: 1,
        MALDACENA_DOI: 1,
        "10.18653/v1/n19-1423": 1,
    }
    assert len(fakes.crossref.requests) == 1  # one filter=doi: request for all three
    assert fakes.doi_paths == []
    assert all(r.status is Status.RESOLVED for r in resolutions)
    dois = [r.record.doi for r in resolutions if r.record]
    assert dois == [VALERO_DOI] * 4 + [MALDACENA_DOI] * 2 + ["10.18653/v1/n19-1423"] * 2
    assert len(fakes.arxiv.requests) == 1


def test_requests_for_entries_without_identifiers(fakes: Fakes) -> None:
    entries = [
        entry("Toy", fakes.services.page_url(TOY_PATH)),
        entry(MENG_TITLE.upper()),
        entry(MENG_TITLE),
    ]
    resolutions = fakes.resolve(entries)
    assert [r.status for r in resolutions] == [Status.RESOLVED] * 3
    assert len(fakes.services.web.requests) == 1  # the page, once
    # One title in two cases is drawn to the same first service (case is no part of the draw):
    # one search each there, none elsewhere; one batch for the arXiv id, and S2's for where the
    # preprint was published.
    searches = [r for r in fakes.s2.requests if "search" in r.path]
    searches += fakes.services.openalex.requests
    assert len(searches) == 2 and len({r.path for r in searches}) == 1
    assert fakes.services.dblp.requests == []
    assert all("filter" in r.query for r in fakes.crossref.requests)  # DOI lookups, no search
    assert len(fakes.arxiv.requests) == 1


def test_the_result_is_one_resolution_per_entry_in_list_order(fakes: Fakes) -> None:
    entries = [
        entry("b", f"https://arxiv.org/abs/{VASWANI_ID}", line=1),
        entry("a", fakes.services.page_url(TOY_PATH), line=2),
        entry("c", f"https://doi.org/{LSTM_DOI}", line=3),
        entry("d", f"https://arxiv.org/abs/{VASWANI_ID}v2", line=4),
    ]
    resolutions = fakes.resolve(entries)
    assert [r.entry for r in resolutions] == entries


class RecordingProgress:
    def __init__(self) -> None:
        self.added: Counter[str] = Counter()
        self.advanced: Counter[str] = Counter()

    def add(self, total: int, description: str) -> None:
        self.added[description] += total

    def advance(self, description: str, steps: int = 1) -> None:
        self.advanced[description] += steps


def test_progress_counts_batches_per_service(fakes: Fakes) -> None:
    progress = RecordingProgress()
    entries = [entry("", f"https://arxiv.org/abs/{i}") for i in ARXIV_IDS[:5]]
    entries.append(entry("", f"https://doi.org/{LSTM_DOI}"))
    fakes.resolve(entries, arxiv_batch=2, progress=progress)
    assert progress.added["arxiv"] == 3  # two full batches first, then the remainder
    assert progress.added["s2"] == 1
    assert progress.advanced == progress.added


# --- fallbacks between services and title ambiguity -----------------------------------------------


def test_semantic_scholar_down_dblp_finds_the_published_version(fakes: Fakes) -> None:
    fakes.s2.fail_next(10, "503")
    resolution = fakes.one(entry(MENG_TITLE, f"https://arxiv.org/abs/{MENG_ID}"))
    record = resolution.record
    assert record is not None
    assert (record.kind, record.source) == (WorkKind.PUBLISHED, "dblp")
    assert record.venue["booktitle"] == "Advances in Neural Information Processing Systems"
    assert (record.arxiv_id, record.dblp_key) == (MENG_ID, "conf/nips/MengBAB22")
    assert any("DBLP" in e for e in resolution.evidence)
    assert len(fakes.services.dblp.requests) == 1


def test_semantic_scholar_and_dblp_down_keep_the_preprint_and_say_so(fakes: Fakes) -> None:
    fakes.s2.fail_next(10, "503")
    fakes.services.dblp.fail_next(10, "503")
    resolution = fakes.one(entry(MENG_TITLE, f"https://arxiv.org/abs/{MENG_ID}"))
    assert resolution.record is not None
    assert resolution.record.kind is WorkKind.PREPRINT
    assert has_problem(resolution, "not checked for a published version", "503")


SAME_TITLE = "Emergent Structure in Synthetic Benchmarks"


def test_two_works_with_the_same_title_are_ambiguous_with_candidates(fakes: Fakes) -> None:
    for n, family in ((1, "Alpha"), (2, "Beta")):
        fakes.world.add(
            {
                "key": f"l2b_same_title_{n}",
                "title": SAME_TITLE,
                "authors": [{"given": "Ann", "family": family}],
                "arxiv": {
                    "id": f"2305.9000{n}",
                    "versions": ["2023-05-01T00:00:00Z"],
                    "primary": "cs.LG",
                },
                "exercises": "synthetic: two different works share a title",
            }
        )
    with FakeServices(fakes.world) as services:
        fresh = Fakes(fakes.world, services)
        resolution = fresh.one(entry(SAME_TITLE, date="2023.5"))
        assert resolution.status is Status.AMBIGUOUS
        assert {c.record.arxiv_id for c in resolution.candidates} >= {"2305.90001", "2305.90002"}
        assert has_problem(resolution, "2 different works")
        record = resolution.record
        assert record is not None and record.arxiv_id is None  # nothing chosen, nothing invented
        # A first author the list gives settles it.
        listed = replace(entry(SAME_TITLE), authors=("Ann Beta",))
        settled = fresh.one(listed)
        assert settled.status is Status.RESOLVED
        assert settled.record is not None and settled.record.arxiv_id == "2305.90002"


def test_a_placeholder_takes_its_year_from_the_venue_hint_or_the_arxiv_id() -> None:
    hinted = replace(entry("Aging with GRACE"), venue_hint="NeurIPS 2023")
    assert settle.fallback_record(hinted, ()).year == "2023"
    linked = entry("Aging with GRACE", "https://arxiv.org/abs/2211.11031")
    assert settle.fallback_record(linked, resolve.entry_identifiers(linked)).year == "2022"
    dated = replace(linked, date_hint="2023.5")
    assert settle.fallback_record(dated, resolve.entry_identifiers(dated)).year == "2023"
    old_style = entry("Old", "https://arxiv.org/abs/hep-th/9711200")
    assert settle.fallback_record(old_style, resolve.entry_identifiers(old_style)).year is None
