"""Local fakes of every remote service, one module per service, serving one fixture world; a fake
clock; `FakeServices` runs them all at once. Nothing here touches the network beyond 127.0.0.1.

The names tests use everywhere are re-exported here; a service's own helpers (the answers it
builds, its constants) are imported from its module.
"""

from __future__ import annotations

from fakes.acl import FakeAcl
from fakes.all import FakeServices
from fakes.arxiv import FakeArxiv
from fakes.base import FAULT_KINDS, FakeServer, LoggedRequest, Reply, all_requests
from fakes.clock import TEST_MAILTO, FakeClock, make_http
from fakes.crossref import FakeCrossref
from fakes.datacite import FakeDataCite
from fakes.dblp import FakeDblp
from fakes.doi import FakeDoi
from fakes.openalex import FakeOpenAlex
from fakes.openreview import FakeOpenReview
from fakes.s2 import FakeS2
from fakes.web import FakeWeb
from fakes.world import RECORDED, World, author_name, needs_recorded
from fakes.zotero import FakeZotero

__all__ = [
    "FAULT_KINDS",
    "RECORDED",
    "TEST_MAILTO",
    "FakeAcl",
    "FakeArxiv",
    "FakeClock",
    "FakeCrossref",
    "FakeDataCite",
    "FakeDblp",
    "FakeDoi",
    "FakeOpenAlex",
    "FakeOpenReview",
    "FakeS2",
    "FakeServer",
    "FakeServices",
    "FakeWeb",
    "FakeZotero",
    "LoggedRequest",
    "Reply",
    "World",
    "all_requests",
    "author_name",
    "make_http",
    "needs_recorded",
]
