"""A fake of DataCite's content negotiation for arXiv's DOIs (`10.48550/arXiv.<id>`), built from
the fixture world's `arxiv` sections."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from fakes.arxiv import _DEFAULT_LICENSE
from fakes.base import LoggedRequest, Reply
from fakes.crossref import ACCEPT_BIBTEX, ACCEPT_CSL, _accepts, _Agency

_ARXIV_SUBJECTS = {
    "cs.AI": "Artificial Intelligence",
    "cs.CL": "Computation and Language",
    "cs.CR": "Cryptography and Security",
    "cs.CV": "Computer Vision and Pattern Recognition",
    "cs.IT": "Information Theory",
    "cs.LG": "Machine Learning",
    "cs.NE": "Neural and Evolutionary Computing",
    "cs.RO": "Robotics",
    "stat.ML": "Machine Learning",
    "math.DG": "Differential Geometry",
    "math.IT": "Information Theory",
    "hep-th": "High Energy Physics - Theory",
    "hep-ph": "High Energy Physics - Phenomenology",
    "hep-ex": "High Energy Physics - Experiment",
    "astro-ph": "Astrophysics",
    "physics.chem-ph": "Chemical Physics",
}
_FOS = {
    "cs": "FOS: Computer and information sciences",
    "stat": "FOS: Computer and information sciences",
    "math": "FOS: Mathematics",
}


def datacite_csl(work: Mapping[str, Any]) -> dict[str, Any]:
    """DataCite's CSL for arXiv's DOI: standard CSL `article`, upper-cased DOI, year only."""
    ax = work["arxiv"]
    authors: list[dict[str, str]] = []
    for author in ax.get("authors") or work["authors"]:
        if "name" in author:
            authors.append({"literal": author["name"]})
        else:
            authors.append({"family": author["family"], "given": author.get("given", "")})
    return {
        "type": "article",
        "id": f"https://doi.org/10.48550/arxiv.{ax['id']}",
        "categories": _datacite_subjects(ax),
        "author": authors,
        "issued": {"date-parts": [[int(ax["versions"][0][:4])]]},
        "abstract": ax.get("summary") or f"Abstract of {work['title']}.",
        "DOI": f"10.48550/ARXIV.{ax['id'].upper()}",
        "publisher": "arXiv",
        "title": ax.get("title") or work["title"],
        "URL": f"https://arxiv.org/abs/{ax['id']}",
        "copyright": ax.get("license", _DEFAULT_LICENSE),
    }


def _datacite_subjects(ax: Mapping[str, Any]) -> list[str]:
    """`Name (term)` per category, primary first, then one FOS field per category (repeats kept,
    as DataCite writes them)."""
    categories = ax.get("categories") or [ax["primary"]]
    subjects = [f"{_ARXIV_SUBJECTS.get(cat, cat)} ({cat})" for cat in categories]
    return subjects + [_FOS.get(cat.split(".")[0], "FOS: Physical sciences") for cat in categories]


def datacite_bibtex(work: Mapping[str, Any]) -> str:
    """DataCite's BibTeX: multi-line, 2-space indent, the DOI URL as key, upper-cased DOI."""
    csl = datacite_csl(work)
    ax = work["arxiv"]
    names = [a.get("literal") or f"{a['family']}, {a['given']}" for a in csl["author"]]
    lines = [
        f"  doi = {{{csl['DOI']}}}",
        f"  url = {{{csl['URL']}}}",
        f"  author = {{{' and '.join(names)}}}",
        f"  keywords = {{{', '.join(csl['categories'])}}}",
        f"  title = {{{csl['title']}}}",
        "  publisher = {arXiv}",
        f"  year = {{{csl['issued']['date-parts'][0][0]}}}",
        f"  copyright = {{{csl['copyright']}}}",
    ]
    return f"@misc{{https://doi.org/10.48550/arxiv.{ax['id']},\n" + ",\n".join(lines) + "\n}\n"


class FakeDataCite(_Agency):
    """api.datacite.org-like content negotiation for arXiv's DOIs: `GET /dois/<doi>` with Accept."""

    def _build_index(self) -> dict[str, dict[str, Any]]:
        return self.world.datacite()

    def handle(self, request: LoggedRequest) -> Reply:
        doi = unquote(request.path.removeprefix("/dois/"))
        work = self.lookup(doi) if request.path.startswith("/dois/") else None
        if work is None:
            body = {
                "errors": [
                    {"status": "404", "title": "The resource you are looking for doesn't exist."}
                ]
            }
            return Reply(
                404,
                json.dumps(body).encode(),
                [("Content-Type", "application/json; charset=utf-8")],
            )
        if _accepts(request, ACCEPT_CSL):
            body_text = json.dumps(datacite_csl(work), indent=2, ensure_ascii=False)
            return Reply(
                200, body_text.encode("utf-8"), [("Content-Type", f"{ACCEPT_CSL}; charset=utf-8")]
            )
        if _accepts(request, ACCEPT_BIBTEX):
            return Reply(
                200,
                datacite_bibtex(work).encode("utf-8"),
                [("Content-Type", f"{ACCEPT_BIBTEX}; charset=utf-8")],
            )
        return Reply(406, b"Not acceptable.", [("Content-Type", "text/plain")])
