"""sources.doi: the CSL parser (Crossref and DataCite flavours, hand-written fixtures and the real
recordings) and fetch() through the fake doi.org and its agencies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from fakes import RECORDED as RECORDED_ROOT
from fakes import (
    FakeClock,
    FakeDoi,
    World,
    all_requests,
    make_http,
    needs_recorded,
)
from fakes.crossref import ACCEPT_BIBTEX, ACCEPT_CSL
from list2bib.infra.http import Http
from list2bib.model import Person, Record, WorkKind
from list2bib.resolve.sources import doi

DATA = Path(__file__).parents[2] / "data" / "doi"
RECORDED = RECORDED_ROOT


@pytest.fixture
def fake(world: World) -> Iterator[FakeDoi]:
    with FakeDoi(world) as server:
        yield server


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


# --- parse: hand-written fixtures --------------------------------------------------------------


def test_parse_crossref_book_chapter_golden() -> None:
    record = doi.parse_csl(_load("crossref_csl_10.1007_11880561_13.json"))
    assert record == Record(
        source="doi",
        entry_type="incollection",
        title="Output-Sensitive Autocompletion Search",
        authors=(
            Person("Bast", "Holger"),
            Person("Mortensen", "Christian W."),
            Person("Weber", "Ingmar"),
        ),
        year="2006",
        doi="10.1007/11880561_13",
        url="https://doi.org/10.1007/11880561_13",
        venue={
            "booktitle": "String Processing and Information Retrieval",
            "pages": "150--162",
            "publisher": "Springer Berlin Heidelberg",
        },
        kind=WorkKind.PUBLISHED,
    )


def test_parse_datacite_arxiv_golden() -> None:
    record = doi.parse_csl(_load("datacite_csl_10.48550_arXiv.1706.03762.json"))
    assert record == Record(
        source="doi",
        entry_type="misc",
        title="Attention Is All You Need",
        authors=(
            Person("Vaswani", "Ashish"),
            Person("Shazeer", "Noam"),
            Person("Parmar", "Niki"),
            Person("Uszkoreit", "Jakob"),
            Person("Jones", "Llion"),
            Person("Gomez", "Aidan N."),
            Person("Kaiser", "Lukasz"),
            Person("Polosukhin", "Illia"),
        ),
        year="2017",
        doi="10.48550/arXiv.1706.03762",
        arxiv_id="1706.03762",
        primary_class="cs.CL",
        url="https://arxiv.org/abs/1706.03762",
        kind=WorkKind.PREPRINT,
    )


def _crossref(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "journal-article",
        "title": "A Title",
        "DOI": "10.1234/ABC",
        "issued": {"date-parts": [[2020, 5, 1]]},
    }
    base.update(fields)
    return base


@pytest.mark.parametrize(
    ("csl_type", "entry_type", "container_field"),
    [
        ("journal-article", "article", "journal"),
        ("article-journal", "article", "journal"),
        ("proceedings-article", "inproceedings", "booktitle"),
        ("paper-conference", "inproceedings", "booktitle"),
        ("book-chapter", "incollection", "booktitle"),
        ("chapter", "incollection", "booktitle"),
        ("book", "book", None),
        ("monograph", "book", None),
        ("posted-content", "misc", None),
        ("report", "misc", None),
        ("dataset", "misc", None),
        ("other", "misc", None),
        ("something-new", "misc", None),
    ],
)
def test_type_mapping(csl_type: str, entry_type: str, container_field: str | None) -> None:
    record = doi.parse_csl(_crossref(type=csl_type, **{"container-title": ["Venue"]}))
    assert record.entry_type == entry_type
    if container_field:
        assert record.venue[container_field] == "Venue"
    else:
        assert "journal" not in record.venue and "booktitle" not in record.venue
    expected = WorkKind.PREPRINT if csl_type == "posted-content" else WorkKind.PUBLISHED
    assert record.kind is expected


def test_title_and_container_as_string_or_list() -> None:
    as_lists = doi.parse_csl(_crossref(title=["A Title"], **{"container-title": ["Nature", "Nat"]}))
    as_strings = doi.parse_csl(_crossref(title="A Title", **{"container-title": "Nature"}))
    assert as_lists == as_strings
    assert as_lists.venue["journal"] == "Nature"


def test_markup_is_stripped_from_titles() -> None:
    record = doi.parse_csl(
        _crossref(
            title="The genome of <i>Drosophila</i>\n  <jats:sub>2</jats:sub> &amp; more",
            subtitle=["<scp>A</scp> subtitle"],
        )
    )
    assert record.title == "The genome of Drosophila 2 & more: A subtitle"


def test_subtitle_not_repeated_and_no_double_punctuation() -> None:
    assert doi.parse_csl(_crossref(title="Why?", subtitle=["Because"])).title == "Why? Because"
    assert doi.parse_csl(_crossref(title="X: Y", subtitle=["Y"])).title == "X: Y"


def test_pages_get_a_bibtex_dash() -> None:
    assert doi.parse_csl(_crossref(page="635-641")).venue["pages"] == "635--641"
    assert doi.parse_csl(_crossref(page="635–641")).venue["pages"] == "635--641"
    assert doi.parse_csl(_crossref(page="e1002")).venue["pages"] == "e1002"


def test_volume_issue_publisher() -> None:
    record = doi.parse_csl(_crossref(volume="106", issue="11-12", publisher="Springer"))
    assert record.venue == {"volume": "106", "number": "11-12", "publisher": "Springer"}


@pytest.mark.parametrize(
    ("dates", "year", "month"),
    [
        ({"issued": {"date-parts": [[1970, 8, 14]]}}, "1970", 8),
        ({"issued": {"date-parts": [[2019]]}}, "2019", None),
        ({"issued": {"date-parts": [["2015", "5"]]}}, "2015", 5),
        (
            {"issued": {"date-parts": [[None]]}, "published-print": {"date-parts": [[2001, 2]]}},
            "2001",
            2,
        ),
        ({"issued": None, "published-online": {"date-parts": [[2024, 5, 8]]}}, "2024", 5),
        ({"issued": {"date-parts": [[None]]}}, None, None),
    ],
)
def test_dates(dates: dict[str, Any], year: str | None, month: int | None) -> None:
    data = _crossref()
    del data["issued"]
    data.update(dates)
    record = doi.parse_csl(data)
    assert (record.year, record.month) == (year, month)


def test_authors_people_organisations_particles_suffixes() -> None:
    record = doi.parse_csl(
        _crossref(
            author=[
                {"given": "Henry S.", "family": "Frank", "sequence": "first", "affiliation": []},
                {"name": "The Supernova Cosmology Project", "sequence": "additional"},
                {"literal": "OpenAI"},
                {"given": "Ludwig", "family": "Beethoven", "non-dropping-particle": "van"},
                {"given": "Martin Luther", "family": "King", "suffix": "Jr."},
                {"given": "Kurt", "family": "Gödel"},
                {"family": "Aristotle"},
                {"given": "Madonna"},
                {"affiliation": []},
            ]
        )
    )
    assert record.authors == (
        Person("Frank", "Henry S."),
        Person("The Supernova Cosmology Project", literal=True),
        Person("OpenAI", literal=True),
        Person("van Beethoven", "Ludwig"),
        Person("King Jr.", "Martin Luther"),
        Person("Gödel", "Kurt"),
        Person("Aristotle"),
        Person("Madonna"),
    )


def test_doi_is_lower_cased_and_url_normalised() -> None:
    record = doi.parse_csl(
        _crossref(DOI="10.1007/BF01700692", URL="http://dx.doi.org/10.1007/BF01700692")
    )
    assert record.doi == "10.1007/bf01700692"
    assert record.url == "https://doi.org/10.1007/bf01700692"
    other = doi.parse_csl(_crossref(URL="https://example.org/paper"))
    assert other.url == "https://example.org/paper"


@pytest.mark.parametrize(
    ("raw", "canonical", "arxiv_id"),
    [
        ("10.48550/ARXIV.1706.03762", "10.48550/arXiv.1706.03762", "1706.03762"),
        ("10.48550/arxiv.2202.05262", "10.48550/arXiv.2202.05262", "2202.05262"),
        ("10.48550/ARXIV.HEP-TH/9711200", "10.48550/arXiv.hep-th/9711200", "hep-th/9711200"),
        ("10.48550/arXiv.math.GT/0309136", "10.48550/arXiv.math/0309136", "math/0309136"),
    ],
)
def test_arxiv_datacite_dois(raw: str, canonical: str, arxiv_id: str) -> None:
    assert doi.canonical_doi(raw) == canonical
    record = doi.parse_csl({"type": "article", "title": "T", "DOI": raw, "publisher": "arXiv"})
    assert (record.doi, record.arxiv_id, record.entry_type) == (canonical, arxiv_id, "misc")
    assert record.kind is WorkKind.PREPRINT
    assert record.url == f"https://arxiv.org/abs/{arxiv_id}"


def test_proceedings_from_event_when_no_container() -> None:
    record = doi.parse_csl(
        _crossref(
            type="proceedings-article",
            event={"name": "the 40th Annual Meeting", "location": "Philadelphia, Pennsylvania"},
        )
    )
    assert record.venue["booktitle"] == "the 40th Annual Meeting"
    assert record.venue["address"] == "Philadelphia, Pennsylvania"
    as_text = doi.parse_csl(_crossref(type="paper-conference", event="NeurIPS 2022"))
    assert as_text.venue["booktitle"] == "NeurIPS 2022"


def test_thesis_publisher_is_the_school() -> None:
    record = doi.parse_csl(_crossref(type="dissertation", publisher="MIT"))
    assert record.entry_type == "phdthesis" and record.venue == {"school": "MIT"}


def test_untitled_item_is_rejected() -> None:
    with pytest.raises(ValueError, match="no title"):
        doi.parse_csl(_crossref(title=[]))


# --- parse: conformance with the real recordings -----------------------------------------------


@needs_recorded
def test_recorded_crossref_csl_transform() -> None:
    data = json.loads(
        (RECORDED / "crossref/transform_csljson_10.1126_science.169.3946.635.json").read_bytes()
    )
    record = doi.parse_csl(data)
    assert record.entry_type == "article" and record.kind is WorkKind.PUBLISHED
    assert record.title == (
        "The Structure of Ordinary Water: "
        "New data and interpretations are yielding new insights into this fascinating substance."
    )
    assert record.authors == (Person("Frank", "Henry S."),)
    assert (record.year, record.month) == ("1970", 8)
    assert record.doi == "10.1126/science.169.3946.635"
    assert record.url == "https://doi.org/10.1126/science.169.3946.635"
    assert record.venue == {
        "journal": "Science",
        "volume": "169",
        "number": "3946",
        "pages": "635--641",
        "publisher": "American Association for the Advancement of Science (AAAS)",
    }


@needs_recorded
@pytest.mark.parametrize(
    ("name", "entry_type", "container"),
    [
        ("works_10.1038_s42256-024-00832-8.json", "article", "Nature Machine Intelligence"),
        (
            "works_10.1145_3184558.3186235_proceedings-article_PRETTYPRINTED.json",
            "inproceedings",
            "Companion of the The Web Conference 2018 on The Web Conference 2018 - WWW '18",
        ),
        ("works_10.1063_1.4938384.json", None, None),
        ("works_10.1371_journal.pone.0033693_public_pool.json", "article", None),
    ],
)
def test_recorded_crossref_rest_messages_parse_too(
    name: str, entry_type: str | None, container: str | None
) -> None:
    """The REST `/works/<doi>` message is CSL-like with lists everywhere; the parser takes it."""
    message = json.loads((RECORDED / "crossref" / name).read_bytes())["message"]
    record = doi.parse_csl(message)
    assert record.title and record.year and record.authors
    assert record.doi == message["DOI"].lower()
    if entry_type:
        assert record.entry_type == entry_type
    if container:
        assert container in record.venue.values()


@needs_recorded
def test_recorded_error_pages_are_what_the_fake_mimics() -> None:
    assert "<title>Error: DOI Not Found</title>" in (
        RECORDED / "doi/404_doi_not_found_10.1126_foo.html"
    ).read_text(encoding="utf-8")
    assert "<title>Error: Not a DOI</title>" in (RECORDED / "doi/400_not_a_doi_foo.html").read_text(
        encoding="utf-8"
    )
    assert (
        RECORDED / "crossref/works_10.1371_notarealdoi_404.txt"
    ).read_bytes() == b"Resource not found."


# --- the fakes answer like the services ---------------------------------------------------------


def test_fake_redirects_to_crossref_keeping_accept(fake: FakeDoi) -> None:
    answer = requests.get(
        f"{fake.base_url}/10.1126/science.169.3946.635", headers={"Accept": ACCEPT_BIBTEX}
    )
    [redirect] = answer.history
    assert redirect.status_code == 302 and redirect.headers["Vary"] == "Origin, Accept"
    assert redirect.headers["Location"] == (
        f"{fake.crossref.root}/v1/works/10.1126%2Fscience.169.3946.635/transform"
    )
    assert b"<title>Handle Redirect</title>" in redirect.content
    # Crossref's one-line BibTeX with a leading space.
    assert answer.text.startswith(
        " @article{Frank_1970, title={The Structure of Ordinary Water: New"
    )
    assert "month=Aug, pages={635–641} }" in answer.text
    csl = requests.get(
        f"{fake.base_url}/10.1126/science.169.3946.635", headers={"Accept": ACCEPT_CSL}
    )
    assert csl.headers["Content-Type"] == ACCEPT_CSL
    assert b'"DOI":"10.1126\\/science.169.3946.635"' in csl.content  # Crossref escapes "/"


def test_fake_redirects_arxiv_dois_to_datacite(fake: FakeDoi) -> None:
    bib = requests.get(
        f"{fake.base_url}/10.48550/arXiv.1706.03762", headers={"Accept": ACCEPT_BIBTEX}
    )
    assert bib.text.startswith(
        "@misc{https://doi.org/10.48550/arxiv.1706.03762,\n  doi = {10.48550/ARXIV.1706.03762},"
    )
    assert (
        "  keywords = {Computation and Language (cs.CL), Machine Learning (cs.LG), FOS:" in bib.text
    )
    csl = requests.get(f"{fake.base_url}/10.48550/arXiv.1706.03762", headers={"Accept": ACCEPT_CSL})
    assert csl.json()["DOI"] == "10.48550/ARXIV.1706.03762"
    assert csl.text.startswith('{\n  "type": "article",')


def test_fake_errors(fake: FakeDoi) -> None:
    missing = requests.get(f"{fake.base_url}/10.1126/foo", headers={"Accept": ACCEPT_CSL})
    assert missing.status_code == 404 and "<title>Error: DOI Not Found</title>" in missing.text
    not_doi = requests.get(f"{fake.base_url}/foo", headers={"Accept": ACCEPT_CSL})
    assert not_doi.status_code == 400 and "<title>Error: Not a DOI</title>" in not_doi.text
    agency = requests.get(f"{fake.crossref.root}/works/10.1234%2Fnope/transform/{ACCEPT_BIBTEX}")
    assert agency.status_code == 404 and agency.content == b"Resource not found."
    landing = requests.get(f"{fake.base_url}/10.1038/nature14539")
    assert landing.status_code == 200 and landing.url.startswith(f"{fake.root}/landing/")


def test_fake_crossref_rest_message(fake: FakeDoi) -> None:
    answer = requests.get(f"{fake.crossref.root}/works/10.1007/11880561_13?mailto=x@example.org")
    body = answer.json()
    assert body["message-type"] == "work" and body["message"]["title"] == [
        "Output-Sensitive Autocompletion Search"
    ]
    assert answer.headers["x-api-pool"] == "polite"
    agency = requests.get(f"{fake.crossref.root}/works/10.48550/arXiv.2304.05376/agency").json()
    assert agency["message"]["agency"]["id"] == "datacite"


# --- fetch --------------------------------------------------------------------------------------


def test_fetch_crossref_doi_follows_the_redirect(fake: FakeDoi, http: Http) -> None:
    lookup = doi.fetch(http, fake.service_config(), ["10.1126/science.169.3946.635"])
    record = lookup.found["10.1126/science.169.3946.635"]
    assert record.entry_type == "article" and record.venue["journal"] == "Science"
    assert record.venue["pages"] == "635--641" and (record.year, record.month) == ("1970", 8)
    [hop] = fake.requests
    [answer] = fake.crossref.requests
    assert hop.path == "/10.1126/science.169.3946.635"
    assert hop.headers["accept"] == answer.headers["accept"] == ACCEPT_CSL
    assert answer.path == "/v1/works/10.1126%2Fscience.169.3946.635/transform"
    assert not fake.datacite.requests


def test_fetch_parses_crossref_and_datacite_differently(fake: FakeDoi, http: Http) -> None:
    ids = ["10.18653/v1/N19-1423", "10.48550/arXiv.1810.04805"]
    lookup = doi.fetch(http, fake.service_config(), ids)
    published, preprint = lookup.found[ids[0]], lookup.found[ids[1]]
    assert published.entry_type == "inproceedings" and published.kind is WorkKind.PUBLISHED
    assert published.venue["booktitle"] == "Proceedings of the 2019 Conference of the North"
    assert published.venue["pages"] == "4171--4186"
    assert published.doi == "10.18653/v1/n19-1423"
    assert preprint.entry_type == "misc" and preprint.kind is WorkKind.PREPRINT
    assert preprint.doi == "10.48550/arXiv.1810.04805" and preprint.arxiv_id == "1810.04805"
    assert preprint.primary_class == "cs.CL" and preprint.year == "2018" and preprint.month is None
    assert published.title == preprint.title
    assert len(fake.datacite.requests) == 1 and len(fake.crossref.requests) == 1


def test_fetch_world_works(fake: FakeDoi, http: Http, world: World) -> None:
    ids = [w["crossref"]["doi"] for w in world.works if "crossref" in w]
    lookup = doi.fetch(http, fake.service_config(), ids)
    assert set(lookup.found) == set(ids) and not lookup.failed and not lookup.missing
    by_key = {w["key"]: lookup.found[w["crossref"]["doi"]] for w in world.works if "crossref" in w}
    assert by_key["godel1931formal"].authors == (Person("Gödel", "Kurt"),)
    assert by_key["bast2006output"].entry_type == "incollection"
    assert (
        by_key["bast2006output"].venue["booktitle"] == "String Processing and Information Retrieval"
    )
    assert by_key["perlmutter1999measurements"].authors[-1] == Person(
        "The Supernova Cosmology Project", literal=True
    )
    assert by_key["ipcc2023climate"].entry_type == "book"
    assert by_key["ipcc2023climate"].authors[0].literal
    assert (by_key["lecun2015deep"].year, by_key["lecun2015deep"].month) == ("2015", 5)
    assert by_key["buhmann2018dl"].authors[-1] == Person("Bin", "Simon")


def test_fetch_organisation_on_datacite(fake: FakeDoi, http: Http) -> None:
    lookup = doi.fetch(http, fake.service_config(), ["10.48550/arXiv.2303.08774"])
    assert lookup.found["10.48550/arXiv.2303.08774"].authors == (Person("OpenAI", literal=True),)


def test_fetch_is_case_insensitive_and_lower_cases(fake: FakeDoi, http: Http) -> None:
    lookup = doi.fetch(http, fake.service_config(), ["10.1007/BF01700692"])
    assert lookup.found["10.1007/BF01700692"].doi == "10.1007/bf01700692"


def test_fetch_unknown_and_not_a_doi_are_missing(fake: FakeDoi, http: Http) -> None:
    lookup = doi.fetch(
        http, fake.service_config(), ["10.1126/foo", "foo", "10.1103/PhysRevD.89.084044"]
    )
    assert lookup.missing == frozenset({"10.1126/foo", "foo", "10.1103/PhysRevD.89.084044"})
    assert not lookup.found and not lookup.failed
    assert not fake.crossref.requests


def test_fetch_agency_404_is_missing(fake: FakeDoi, http: Http) -> None:
    fake.crossref.hide("10.1038/nature14539")
    lookup = doi.fetch(http, fake.service_config(), ["10.1038/nature14539"])
    assert lookup.missing == frozenset({"10.1038/nature14539"})
    assert len(fake.crossref.requests) == 1


def test_fetch_persistent_503_is_failed(fake: FakeDoi, clock: FakeClock) -> None:
    with make_http(clock=clock, retries=2) as http:
        fake.fail_next(3, "503")
        lookup = doi.fetch(
            http, fake.service_config(), ["10.1038/nature14539", "10.1007/11880561_13"]
        )
    message = lookup.failed["10.1038/nature14539"]
    assert message.startswith("doi:") and "503" in message and "3 attempts" in message
    assert set(lookup.found) == {"10.1007/11880561_13"}  # the run goes on


def test_fetch_retries_a_throttled_agency(fake: FakeDoi, http: Http, clock: FakeClock) -> None:
    fake.crossref.fail_next(1, "429")
    lookup = doi.fetch(http, fake.service_config(), ["10.1162/neco.1997.9.8.1735"])
    assert lookup.found["10.1162/neco.1997.9.8.1735"].title == "Long Short-Term Memory"
    assert len(fake.requests) == 2 and len(fake.crossref.requests) == 2
    assert 1.0 in clock.sleeps


def test_fetch_retries_a_reset(fake: FakeDoi, http: Http) -> None:
    fake.datacite.fail_next(1, "reset")
    lookup = doi.fetch(http, fake.service_config(), ["10.48550/arXiv.2202.05262"])
    assert lookup.found["10.48550/arXiv.2202.05262"].arxiv_id == "2202.05262"


def test_an_unusable_answer_is_asked_again(fake: FakeDoi, http: Http) -> None:
    fake.crossref.fail_next(1, "rate-exceeded-200")  # a 200 that is not JSON
    lookup = doi.fetch(http, fake.service_config(), ["10.1038/nature14539"])
    assert "10.1038/nature14539" in lookup.found


@pytest.mark.parametrize("kind", ["malformed", "html-200", "truncated"])
def test_answers_that_stay_unusable_fail_the_doi(fake: FakeDoi, kind: str) -> None:
    fake.crossref.fail_next(10, kind)
    with make_http(clock=FakeClock(), retries=2) as client:
        lookup = doi.fetch(client, fake.service_config(), ["10.1038/nature14539"])
    assert not lookup.found and not lookup.missing
    assert "10.1038/nature14539" in lookup.failed
    assert len(fake.crossref.requests) == 3  # asked once and retried twice, never kept


def test_fetch_caches_answers_and_misses(fake: FakeDoi, http: Http) -> None:
    ids = ["10.1126/science.169.3946.635", "10.1126/foo", "10.48550/arXiv.1706.03762"]
    first = doi.fetch(http, fake.service_config(), ids)
    count = len(all_requests(fake.servers))
    second = doi.fetch(http, fake.service_config(), ids)
    assert first == second
    assert len(all_requests(fake.servers)) == count


def test_fetch_sends_the_user_agent_with_mailto_on_every_hop(fake: FakeDoi, http: Http) -> None:
    doi.fetch(
        http, fake.service_config(), ["10.1126/science.169.3946.635", "10.48550/arXiv.1706.03762"]
    )
    for request in all_requests(fake.servers):
        agent = request.headers["user-agent"]
        assert agent.startswith("list2bib/") and "mailto:tester@example.org" in agent


def test_fetch_escapes_unusual_dois(fake: FakeDoi, http: Http) -> None:
    lookup = doi.fetch(http, fake.service_config(), ["10.1023/a:1026654312961"])
    assert lookup.found["10.1023/a:1026654312961"].venue["journal"] == (
        "International Journal of Theoretical Physics"
    )
    assert fake.requests[0].path == "/10.1023/a%3A1026654312961"
