"""The fixture world the fakes serve, and where the real answers recorded from the services are.

The world (`tests/data/world.json`)
------------------------------------
`{"works": [work, ...]}`; every work is a real paper (facts only; author lists may be abridged,
times of day are approximate). A work:

    key         str    readable handle for tests (`meng2022locating`); unique
    title       str    the title as its publisher writes it
    authors     [author]
    exercises   str    why the work is in the world (documentation only)
    arxiv       {...}  present when the work is on arXiv:
        id          versionless id (`2202.05262`, `hep-th/9711200`)
        versions    [ISO timestamp, ...], v1 first: `<published>` is v1, `<updated>` the version
        primary     primary category;  categories: [str] (primary first)
        title, authors      optional: how arXiv writes them when it differs from the publisher
        summary, comment, journal_ref, doi      optional, as the arXiv record has them
        license     optional DataCite `copyright` (default: arXiv's non-exclusive licence)
        datacite    optional bool (default true): the DataCite DOI `10.48550/arXiv.<id>` resolves
    crossref    {...}  present when the work has a Crossref DOI:
        doi         as Crossref stores it (often lower-cased)
        type        Crossref type: journal-article, proceedings-article, book-chapter, monograph
        container   str or [str] (journal / proceedings / book; [book, series] for chapters)
        issued      date parts ([1970, 8, 14], [2019]); published_print, published_online alike
        volume, issue, page, publisher, subtitle, ISSN, ISBN, event ({name, location, acronym})
        title, authors      optional overrides (Crossref's own spelling of the title and names)
        csl         optional dict merged last into the CSL answer (to reproduce a quirk exactly)

An author is `{"given": "Peter H. N.", "family": "de With"}` (arXiv writes `given family`; CSL
gets the parts) or `{"name": "OpenAI"}` for an organisation (CSL `name`/`literal`, arXiv as is);
optional `affiliation` (str) is shown by arXiv. To add a service later, add a section to the works
that have it and a `Fake<Service>(world)` in its own module here that indexes that section.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

WORLD_PATH = Path(__file__).resolve().parents[1] / "data" / "world.json"


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    """The works the fakes serve. Mutate (`add`) before starting a fake; fakes index it at start."""

    works: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path = WORLD_PATH) -> World:
        """The world file, then every `world.d/*.json` beside it (name order): a work whose key
        already exists gets the new file's sections added (a service's view of a known paper);
        a new key is a new work."""
        works: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["works"]
        by_key = {w["key"]: w for w in works}
        for extra in sorted((path.parent / "world.d").glob("*.json")):
            for work in json.loads(extra.read_text(encoding="utf-8"))["works"]:
                if work["key"] in by_key:
                    by_key[work["key"]].update({k: v for k, v in work.items() if k != "key"})
                else:
                    works.append(work)
                    by_key[work["key"]] = work
        return cls(works)

    def copy(self) -> World:
        return World(copy.deepcopy(self.works))

    def add(self, work: dict[str, Any]) -> None:
        self.works.append(work)

    def work(self, key: str) -> dict[str, Any]:
        return next(w for w in self.works if w["key"] == key)

    def arxiv(self) -> dict[str, dict[str, Any]]:
        """Works on arXiv by versionless id."""
        return {w["arxiv"]["id"]: w for w in self.works if "arxiv" in w}

    def crossref(self) -> dict[str, dict[str, Any]]:
        """Works with a Crossref DOI, by lower-cased DOI."""
        return {w["crossref"]["doi"].lower(): w for w in self.works if "crossref" in w}

    def datacite(self) -> dict[str, dict[str, Any]]:
        """arXiv works by their lower-cased DataCite DOI `10.48550/arxiv.<id>`."""
        return {
            f"10.48550/arxiv.{w['arxiv']['id']}": w
            for w in self.works
            if "arxiv" in w and w["arxiv"].get("datacite", True)
        }


def author_name(author: Mapping[str, str]) -> str:
    """How arXiv writes an author: `given family`, or the organisation's name."""
    if "name" in author:
        return author["name"]
    return f"{author.get('given', '')} {author['family']}".strip()


# The real answers recorded from the services, beside the project when it is checked out with its
# shared folder; conformance tests skip without them.
RECORDED = Path(__file__).resolve().parents[3] / "shared" / "recorded"
needs_recorded = pytest.mark.skipif(
    not RECORDED.is_dir(), reason="recorded answers (../shared/recorded) not present"
)
