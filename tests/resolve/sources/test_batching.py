"""Long identifier lists: arXiv takes them as a POSTed form, Crossref in URL-sized batches."""

from __future__ import annotations

from urllib.parse import urlencode

from fakes import FakeArxiv, FakeClock, FakeDoi, make_http
from list2bib.config import ServiceConfig
from list2bib.resolve.sources import arxiv, crossref
from synthetic import arxiv_id, synthetic_world


def test_a_long_id_list_is_posted_as_a_form_in_one_request() -> None:
    world = synthetic_world(arxiv=450)
    ids = [arxiv_id(n) for n in range(1, 451)]
    with FakeArxiv(world) as fake, make_http(clock=FakeClock()) as http:
        service = ServiceConfig(fake.base_url, 0.0, 1000)
        lookup = arxiv.fetch(http, service, ids)
        assert set(lookup.found) == set(ids)
        assert [r.method for r in fake.requests] == ["POST"]
        assert len(fake.requests[0].path) < 100  # the ids are in the body, not the URL
        # Answers to POSTs are cached like any other: a second run asks nothing.
        assert arxiv.fetch(http, service, ids) == lookup
        assert len(fake.requests) == 1


def test_a_short_id_list_stays_a_get() -> None:
    with FakeArxiv(synthetic_world(arxiv=3)) as fake, make_http(clock=FakeClock()) as http:
        service = ServiceConfig(fake.base_url, 0.0, 1000)
        assert len(arxiv.fetch(http, service, [arxiv_id(1), arxiv_id(2)]).found) == 2
        assert [r.method for r in fake.requests] == ["GET"]


def test_crossref_batches_are_cut_to_fit_its_url_limit() -> None:
    world = synthetic_world(dois=300)
    dois = [f"10.5555/doi.{n}" for n in range(1, 301)]
    with FakeDoi(world) as fake, make_http(clock=FakeClock()) as http:
        service = ServiceConfig(fake.crossref.base_url, 0.0, 200)
        lookup = crossref.fetch(http, service, dois)
        assert set(lookup.found) == set(dois)
        requests = fake.crossref.requests
        assert 2 <= len(requests) <= 3
        for request in requests:
            line = f"GET {request.path}?{urlencode(request.query)} HTTP/1.1"
            assert len(line) <= 4096, "Crossref answers 414 beyond 4 kB"
