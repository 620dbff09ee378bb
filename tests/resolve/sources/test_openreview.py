"""sources.openreview: note parsing (v2 wrapped, v1 plain, accepted vs submitted), key_of, and
fetch() through the fake API (batched v2 search, v1 fallback, errors, throttling)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from fakes import FakeClock, World, make_http
from fakes.openreview import FakeOpenReview, openreview_note
from list2bib.config import ServiceConfig
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, WorkKind
from list2bib.resolve.sources import openreview

ICLR_2024 = "The Twelfth International Conference on Learning Representations"


@pytest.fixture
def fake(world: World) -> Iterator[FakeOpenReview]:
    with FakeOpenReview(world) as server:
        yield server


def _note(world: World, key: str) -> dict[str, Any]:
    work = world.work(key)
    return openreview_note(work, wrapped=work["openreview"]["api"] == 2)


# --- parse -------------------------------------------------------------------------------------


def test_iclr_poster_is_published_with_the_bibtex_booktitle(world: World) -> None:
    record = openreview.parse_note(_note(world, "lightman2023lets"))
    assert record.kind is WorkKind.PUBLISHED
    assert record.entry_type == "inproceedings"
    assert record.venue == {"booktitle": ICLR_2024}
    assert (record.year, record.month) == ("2024", 1)  # pdate: accepted January 2024
    assert record.authors[0] == Person("Lightman", "Hunter")
    assert record.openreview_id == "v8L0pN6EOi"
    assert record.url == "https://openreview.net/forum?id=v8L0pN6EOi"


def test_tmlr_is_an_article(world: World) -> None:
    record = openreview.parse_note(_note(world, "wei2022emergent"))
    assert record.entry_type == "article"
    assert record.venue == {"journal": "Transactions on Machine Learning Research"}
    assert record.kind is WorkKind.PUBLISHED


def test_rejected_submission_never_claims_the_venue(world: World) -> None:
    record = openreview.parse_note(_note(world, "openreview2025submitted"))
    assert record.kind is WorkKind.PREPRINT
    assert record.entry_type == "misc"
    assert "booktitle" not in record.venue and "journal" not in record.venue
    assert not any("ICLR" in value for value in record.venue.values())
    assert record.authors == ()  # `Anonymous` is nobody
    assert record.url == "https://openreview.net/forum?id=zZ9xRejct01"


@pytest.mark.parametrize(
    ("venue", "venueid", "bibtex_note"),
    [
        ("Submitted to ICLR 2025", "ICLR.cc/2025/Conference/Submission", ""),
        ("ICLR 2025 Withdrawn Submission", "ICLR.cc/2025/Conference/Withdrawn_Submission", ""),
        ("", "", "under review"),
    ],
)  # fmt: skip
def test_each_unpublished_marker_alone_is_enough(
    venue: str, venueid: str, bibtex_note: str
) -> None:
    bibtex = (
        "@inproceedings{\nx2025,\ntitle={A Paper},\nauthor={Ada Lovelace},\n"
        f"booktitle={{The Thirteenth International Conference on Learning Representations}},\n"
        f"year={{2025}},\nnote={{{bibtex_note}}}\n}}"
    )
    content = {"title": "A Paper", "authors": ["Ada Lovelace"], "venue": venue, "venueid": venueid}
    note = {"id": "abc", "forum": "abc", "content": {**content, "_bibtex": bibtex}}
    record = openreview.parse_note(note, wrapped=False)
    assert record.kind is WorkKind.PREPRINT
    assert "booktitle" not in record.venue


def test_v1_note_content_is_unwrapped_and_braces_dropped(world: World) -> None:
    record = openreview.parse_note(_note(world, "hu2021lora"), wrapped=False)
    assert record.title == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert record.venue == {"booktitle": "International Conference on Learning Representations"}
    assert record.year == "2022"


def test_neurips_on_openreview_without_pdate_has_no_submission_month(world: World) -> None:
    record = openreview.parse_note(_note(world, "meng2022locating"), wrapped=False)
    assert record.venue == {"booktitle": "Advances in Neural Information Processing Systems"}
    assert (record.year, record.month) == ("2022", None)  # cdate is May: not when it appeared


def test_venue_without_bibtex_uses_the_known_venue_names() -> None:
    content = {
        "title": {"value": "A Paper"},
        "authors": {"value": ["Ada Lovelace"]},
        "venue": {"value": "NeurIPS 2023 oral"},
        "venueid": {"value": "NeurIPS.cc/2023/Conference"},
    }
    record = openreview.parse_note({"id": "n1", "content": content})
    assert record.venue == {"booktitle": "Advances in Neural Information Processing Systems"}
    assert record.year == "2023"


def test_untitled_note_is_an_error() -> None:
    with pytest.raises(ValueError, match="no title"):
        openreview.parse_note({"id": "x", "content": {"title": {"value": ""}}})


def test_key_of_and_v1_address() -> None:
    assert openreview.key_of(Identifier(IdKind.OPENREVIEW, "-h6WAS6eE4")) == "-h6WAS6eE4"
    assert openreview.key_of(Identifier(IdKind.ARXIV, "2202.05262")) is None
    assert openreview.v1_base_url("https://api2.openreview.net") == "https://api.openreview.net"
    assert openreview.v1_base_url("http://127.0.0.1:8/api2") == "http://127.0.0.1:8/api"
    assert openreview.v1_base_url("https://mirror.example.org") is None


# --- fetch -------------------------------------------------------------------------------------


def test_fetch_batches_v2_and_falls_back_to_v1(fake: FakeOpenReview, http: Http) -> None:
    ids = ["v8L0pN6EOi", "yzkSU5zdwD", "zZ9xRejct01", "nZeVKeeFYf9", "unknown123"]
    lookup = openreview.fetch(http, fake.service_config(batch_size=100), ids)
    assert set(lookup.found) == {"v8L0pN6EOi", "yzkSU5zdwD", "zZ9xRejct01", "nZeVKeeFYf9"}
    assert lookup.missing == frozenset({"unknown123"})
    assert not lookup.failed
    search, *singles = fake.requests
    assert (search.method, search.path) == ("POST", "/api2/notes/search")
    assert json.loads(search.body)["ids"] == ids
    # Only the ids v2 did not return are asked of v1, one each.
    assert [(r.path, r.query["id"]) for r in singles] == [
        ("/api/notes", "nZeVKeeFYf9"),
        ("/api/notes", "unknown123"),
    ]
    assert lookup.found["nZeVKeeFYf9"].kind is WorkKind.PUBLISHED


def test_fetch_respects_the_batch_size(fake: FakeOpenReview, http: Http) -> None:
    ids = ["v8L0pN6EOi", "yzkSU5zdwD", "zZ9xRejct01"]
    lookup = openreview.fetch(http, fake.service_config(batch_size=2), ids)
    assert set(lookup.found) == set(ids)
    assert [len(json.loads(r.body)["ids"]) for r in fake.requests] == [2, 1]


def test_fetch_honours_retry_after(fake: FakeOpenReview, clock: FakeClock, http: Http) -> None:
    fake.fail_next(1, "429")
    lookup = openreview.fetch(http, fake.service_config(batch_size=10), ["v8L0pN6EOi"])
    assert "v8L0pN6EOi" in lookup.found
    assert 1.0 in clock.sleeps


def test_v1_is_asked_only_where_an_address_for_it_is_known(
    fake: FakeOpenReview, http: Http
) -> None:
    mirror = ServiceConfig(f"{fake.root}/v2", 0.0, 10)  # no `api2` in it: no v1 derived
    lookup = openreview.fetch(http, mirror, ["nZeVKeeFYf9"])
    assert lookup.missing == frozenset({"nZeVKeeFYf9"})
    assert len(fake.requests) == 1
    lookup = openreview.fetch(http, mirror, ["nZeVKeeFYf9"], v1_base=fake.v1_url)
    assert "nZeVKeeFYf9" in lookup.found


def test_fetch_failure_marks_the_batch_failed(fake: FakeOpenReview, clock: FakeClock) -> None:
    fake.fail_next(20, "503")
    with make_http(clock=clock, retries=1) as client:
        lookup = openreview.fetch(client, fake.service_config(batch_size=10), ["a1", "b2"])
    assert set(lookup.failed) == {"a1", "b2"}
    assert "HTTP 503" in lookup.failed["a1"]
    assert not lookup.missing


def test_fetch_asks_per_id_when_the_search_is_refused(fake: FakeOpenReview, http: Http) -> None:
    fake.search_enabled = False
    lookup = openreview.fetch(http, fake.service_config(batch_size=10), ["v8L0pN6EOi", "zz"])
    assert "v8L0pN6EOi" in lookup.found
    assert lookup.missing == frozenset({"zz"})
    assert [(r.method, r.path, r.query.get("id")) for r in fake.requests] == [
        ("POST", "/api2/notes/search", None),
        ("GET", "/api2/notes", "v8L0pN6EOi"),
        ("GET", "/api2/notes", "zz"),
        ("GET", "/api/notes", "zz"),
    ]


def test_an_answer_that_is_not_json_is_asked_again(fake: FakeOpenReview, http: Http) -> None:
    fake.fail_next(1, "html-200")
    lookup = openreview.fetch(http, fake.service_config(batch_size=10), ["v8L0pN6EOi"])
    assert "v8L0pN6EOi" in lookup.found
    assert len(fake.requests) == 2
