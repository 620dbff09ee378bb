"""Made-up works and the paper lists that name them, for tests and benchmarks at volume.

`synthetic_world(arxiv=..., dois=..., pages=..., iclr=...)` adds works to the fixture world:
- arXiv works `2301.NNNNN` (NNNNN from 1): every third published at NeurIPS 2023 by Semantic
  Scholar's account (with its DBLP key; DBLP lists it in its NeurIPS 2023 volume with the
  proceedings page), every fifth announcing a journal DOI `10.5555/bench.N` that Crossref knows;
- ICLR papers `iclr_arxiv_id(n)`, posted in October 2023, that Semantic Scholar dates 2023 (the
  preprint's year: after ICLR 2023 met, so in doubt) and DBLP lists in its ICLR 2024 volume;
- DOI-only works `10.5555/doi.N` (Crossref journal articles, no preprint);
- blog pages under `https://blogN.example.org/posts/notes-N/`.
Titles are distinct word sequences, so a title search can tell any two apart.
`synthetic_list(folder, arxiv=..., dois=..., titles=..., pages=...)` writes an awesome-style
Markdown list naming the first works of each kind (the last `titles` arXiv works by title alone).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakes import World

_WORDS_A = (
    "Sparse", "Robust", "Causal", "Scalable", "Efficient", "Latent", "Modular", "Contrastive",
    "Adaptive", "Recurrent", "Hierarchical", "Probabilistic", "Federated", "Invariant",
    "Structured", "Implicit", "Neural", "Symbolic", "Continual", "Bayesian",
)  # fmt: skip
_WORDS_B = (
    "Attention", "Retrieval", "Planning", "Memory", "Reasoning", "Alignment", "Distillation",
    "Tokenization", "Routing", "Pretraining", "Decoding", "Editing", "Probing", "Compression",
    "Calibration", "Grounding", "Search", "Feedback", "Curricula", "Steering",
)  # fmt: skip
_WORDS_C = (
    "Language Models", "Vision Transformers", "Graph Networks", "Speech Recognisers",
    "Protein Folding", "Code Generation", "Dialogue Agents", "Robot Control", "Time Series",
    "Tabular Data",
)  # fmt: skip


def title(n: int) -> str:
    """A distinct title for work number `n` (n >= 1)."""
    a = _WORDS_A[n % len(_WORDS_A)]
    b = _WORDS_B[(n // len(_WORDS_A)) % len(_WORDS_B)]
    c = _WORDS_C[(n // (len(_WORDS_A) * len(_WORDS_B))) % len(_WORDS_C)]
    return f"{a} {b} for {c}, Study {n}"


def arxiv_id(n: int) -> str:
    return f"{2301 + (n - 1) // 99_999}.{(n - 1) % 99_999 + 1:05d}"


ICLR_OFFSET = 800_000  # ICLR papers' numbers: their titles and ids apart from the others'


def iclr_arxiv_id(n: int) -> str:
    return f"2310.{n:05d}"


NEURIPS_2023 = {
    "key": "conf/nips/2023",
    "title": "Advances in Neural Information Processing Systems 36: Annual Conference on Neural "
    "Information Processing Systems 2023, NeurIPS 2023, New Orleans, LA, USA, December 10 - 16, "
    "2023",
    "editors": ["Alice Oh", "Tristan Naumann", "Amir Globerson", "Kate Saenko", "Moritz Hardt",
                "Sergey Levine"],
    "venue": "NeurIPS",
}  # fmt: skip
ICLR_2024 = {
    "key": "conf/iclr/2024",
    "title": "The Twelfth International Conference on Learning Representations, ICLR 2024, "
    "Vienna, Austria, May 7-11, 2024",
    "publisher": "OpenReview.net",
    "venue": "ICLR",
}


def synthetic_world(*, arxiv: int = 0, dois: int = 0, pages: int = 0, iclr: int = 0) -> World:
    world = World.load().copy()
    for n in range(1, arxiv + 1):
        work: dict[str, Any] = {
            "key": f"synthetic{n}",
            "title": title(n),
            "authors": [{"given": "Ada", "family": f"Tester{n}"}],
            "exercises": "volume",
            "arxiv": {
                "id": arxiv_id(n),
                "versions": ["2023-01-02T00:00:00Z"],
                "primary": "cs.CL",
                "categories": ["cs.CL"],
            },
        }
        if n % 3 == 0:
            work["s2"] = {
                "venue": "Neural Information Processing Systems",
                "publicationTypes": ["Conference"],
                "year": 2023,
                "externalIds": {"DBLP": f"conf/nips/Tester{n}23"},
            }
            work["dblp"] = [
                {
                    "key": f"conf/nips/Tester{n}23",
                    "type": "Conference and Workshop Papers",
                    "venue": "NeurIPS",
                    "year": 2023,
                    "ee": [
                        f"https://proceedings.neurips.cc/paper_files/paper/2023/hash/{n:032x}"
                        "-Abstract-Conference.html"
                    ],
                    "toc": "db/conf/nips/neurips2023.bht",
                    "proceedings": NEURIPS_2023,
                }
            ]
        if n % 5 == 0:
            doi = f"10.5555/bench.{n}"
            work["arxiv"]["doi"] = doi
            work["crossref"] = {
                "doi": doi,
                "type": "journal-article",
                "container": "Journal of Benchmarks",
                "issued": [2023, 6],
                "volume": "1",
            }
        world.add(work)
    for n in range(1, iclr + 1):
        world.add(_iclr_work(n))
    for n in range(1, dois + 1):
        world.add(
            {
                "key": f"synthdoi{n}",
                "title": title(500_000 + n),
                "authors": [{"given": "Bo", "family": f"Author{n}"}],
                "exercises": "volume",
                "crossref": {
                    "doi": f"10.5555/doi.{n}",
                    "type": "journal-article",
                    "container": "Journal of Synthetic Results",
                    "issued": [2022, 1 + n % 12],
                    "volume": str(1 + n % 9),
                    "page": f"{n}-{n + 9}",
                },
            }
        )
    for n in range(1, pages + 1):
        world.add(
            {
                "key": f"blog{n}",
                "title": f"Notes on Circuits, Part {n}",
                "authors": [{"given": "Bea", "family": f"Blogger{n}"}],
                "exercises": "pages",
                "web": [{"path": f"/blog{n}.example.org/posts/notes-{n}/", "html": _page(n)}],
            }
        )
    return world


def _iclr_work(n: int) -> dict[str, Any]:
    key = f"conf/iclr/Tester{ICLR_OFFSET + n}24"
    return {
        "key": f"synthiclr{n}",
        "title": title(ICLR_OFFSET + n),
        "authors": [{"given": "Ida", "family": f"Tester{ICLR_OFFSET + n}"}],
        "exercises": "volume",
        "arxiv": {
            "id": iclr_arxiv_id(n),
            "versions": ["2023-10-02T00:00:00Z"],
            "primary": "cs.LG",
            "categories": ["cs.LG"],
        },
        "s2": {
            "venue": "International Conference on Learning Representations",
            "publicationTypes": ["Conference"],
            "year": 2023,
            "externalIds": {"DBLP": key},
        },
        "dblp": [
            {
                "key": key,
                "type": "Conference and Workshop Papers",
                "venue": "ICLR",
                "year": 2024,
                "ee": [f"https://openreview.net/forum?id=synthiclr{n}"],
                "toc": "db/conf/iclr/iclr2024.bht",
                "proceedings": ICLR_2024,
            }
        ],
    }


def _page(n: int) -> str:
    return (
        f"<html><head><title>Notes on Circuits, Part {n} | Blog {n}</title>"
        f'<meta property="og:title" content="Notes on Circuits, Part {n}">'
        f'<meta property="og:site_name" content="Blog {n}">'
        f'<meta name="author" content="Bea Blogger{n}">'
        f'<meta property="article:published_time" content="2023-0{1 + n % 9}-01T00:00:00Z">'
        "</head><body><p>Text.</p></body></html>"
    )


def synthetic_list(
    folder: Path, *, arxiv: int = 0, dois: int = 0, titles: int = 0, pages: int = 0
) -> Path:
    """A list of `arxiv` arXiv links (the last `titles` of them given by title alone), `dois`
    DOI links and `pages` blog links, in topics of 50 entries."""
    entries: list[str] = []
    for n in range(1, arxiv + 1):
        if n > arxiv - titles:
            entries.append(f"- {title(n)}. [2023.1]")
        else:
            entries.append(
                f"- {title(n)}. [[pdf](https://arxiv.org/pdf/{arxiv_id(n)}.pdf)] [2023.1]"
            )
    entries += [
        f"- {title(500_000 + n)}. [[paper](https://doi.org/10.5555/doi.{n})]"
        for n in range(1, dois + 1)
    ]
    entries += [
        f"- Notes on Circuits, Part {n}. [[blog](https://blog{n}.example.org/posts/notes-{n}/)]"
        for n in range(1, pages + 1)
    ]
    lines = ["# Synthetic list", ""]
    for start in range(0, len(entries), 50):
        lines += [f"## Topic {start // 50 + 1}", "", *entries[start : start + 50], ""]
    path = folder / "synthetic.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
