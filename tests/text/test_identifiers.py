"""Tests for list2bib.identifiers: every link/id form it must recognise, and what it must refuse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from list2bib.model import Identifier, IdKind, Link
from list2bib.text.identifiers import (
    arxiv_abs_url,
    arxiv_doi,
    bib_field_identifiers,
    doi_url,
    find_identifiers_in_text,
    identifiers_from_links,
    is_paper_link,
    parse_identifier,
)

NEURIPS_HASH = "1457c0d6bfcb4967418bfb8ac142f64a"
S2_SHA = "204e3073870fae3d05bcbc2f6a8e263d9b72e776"


def ident(text: str) -> Identifier:
    """`"arxiv:2202.05262"` -> Identifier(IdKind.ARXIV, "2202.05262"), built without the parser."""
    kind, _, value = text.partition(":")
    return Identifier(IdKind(kind), value)


PARSE_CASES: list[tuple[str, str | None]] = [
    # --- arXiv, new style: URLs
    ("https://arxiv.org/abs/2202.05262", "arxiv:2202.05262"),
    ("https://arxiv.org/abs/2202.05262v3", "arxiv:2202.05262"),
    ("https://arxiv.org/pdf/2202.05262", "arxiv:2202.05262"),
    ("https://arxiv.org/pdf/2202.05262.pdf", "arxiv:2202.05262"),
    ("https://arxiv.org/pdf/2202.05262v2.pdf", "arxiv:2202.05262"),
    ("https://arxiv.org/html/2202.05262v1", "arxiv:2202.05262"),
    ("http://arxiv.org/abs/2202.05262", "arxiv:2202.05262"),
    ("http://arxiv.org/pdf/2202.05262v1.pdf", "arxiv:2202.05262"),
    ("https://www.arxiv.org/abs/2202.05262", "arxiv:2202.05262"),
    ("http://export.arxiv.org/abs/2202.05262", "arxiv:2202.05262"),
    ("https://arxiv.org/abs/2202.05262#", "arxiv:2202.05262"),
    ("https://arxiv.org/abs/2202.05262?context=cs", "arxiv:2202.05262"),
    ("https://arxiv.org/abs/2202.05262/", "arxiv:2202.05262"),
    ("arxiv.org/abs/2202.05262", "arxiv:2202.05262"),
    ("https://huggingface.co/papers/2202.05262", "arxiv:2202.05262"),
    # --- arXiv, old style
    ("https://arxiv.org/abs/hep-th/9901001", "arxiv:hep-th/9901001"),
    ("arxiv.org/abs/hep-th/9901001", "arxiv:hep-th/9901001"),
    ("https://arxiv.org/pdf/hep-th/9901001v2.pdf", "arxiv:hep-th/9901001"),
    ("https://arxiv.org/abs/astro-ph/0601001", "arxiv:astro-ph/0601001"),
    ("https://arxiv.org/abs/cond-mat/0207270v1", "arxiv:cond-mat/0207270"),
    ("https://arxiv.org/abs/math.GT/0309136", "arxiv:math/0309136"),
    ("https://arxiv.org/abs/astro-ph%2F0601001", "arxiv:astro-ph/0601001"),
    ("arXiv:math.GT/0309136", "arxiv:math/0309136"),
    ("arXiv:Hep-Th/9901001v1", "arxiv:hep-th/9901001"),
    ("hep-th/9901001", "arxiv:hep-th/9901001"),
    ("cs/9901001", "arxiv:cs/9901001"),
    # --- arXiv, prefixed and bare ids
    ("arxiv:2202.05262", "arxiv:2202.05262"),
    ("arXiv:2202.05262v2", "arxiv:2202.05262"),
    ("arXiv: 2202.05262", "arxiv:2202.05262"),
    ("arXiv 2202.05262", "arxiv:2202.05262"),
    ("ARXIV:2202.05262", "arxiv:2202.05262"),
    ("2202.05262", "arxiv:2202.05262"),
    ("  2202.05262v12 ", "arxiv:2202.05262"),
    ("0704.0001", "arxiv:0704.0001"),
    ("1412.9999", "arxiv:1412.9999"),
    ("1501.00001", "arxiv:1501.00001"),
    # --- arXiv DataCite DOIs are arXiv ids
    ("10.48550/arXiv.2202.05262", "arxiv:2202.05262"),
    ("10.48550/ARXIV.2202.05262", "arxiv:2202.05262"),
    ("doi:10.48550/arxiv.2202.05262", "arxiv:2202.05262"),
    ("https://doi.org/10.48550/arXiv.2202.05262", "arxiv:2202.05262"),
    ("https://doi.org/10.48550/arXiv.hep-th/9901001", "arxiv:hep-th/9901001"),
    # --- arXiv negatives
    ("1234.12345", None),  # month 34
    ("2213.00001", None),  # month 13
    ("2200.00001", None),  # month 00
    ("0612.1234", None),  # new scheme began 0704
    ("1501.0001", None),  # 5 digits since 2015
    ("1412.00001", None),  # 4 digits until 2014
    ("2202.052621", None),
    ("arxiv:1234.12345", None),
    ("foo-bar/9901001", None),  # unknown archive
    ("hep-th/0801001", None),  # old scheme ended 0703
    ("hep-th/9913001", None),  # month 13
    ("https://arxiv.org/abs/1234.12345", "url:https://arxiv.org/abs/1234.12345"),
    ("https://arxiv.org/list/cs.CL/recent", "url:https://arxiv.org/list/cs.CL/recent"),
    # --- DOI
    ("10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("doi:10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("DOI: 10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("DOI 10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("https://doi.org/10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("http://dx.doi.org/10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("https://doi.org/10.1000/abc%2Fdef", "doi:10.1000/abc/def"),
    ("doi.org/10.1000/abc%2Fdef", "doi:10.1000/abc/def"),
    ("10.1038/NATURE14236", "doi:10.1038/nature14236"),
    ("10.1145/3442188.3445922.", "doi:10.1145/3442188.3445922"),
    ("10.1145/3442188.3445922,", "doi:10.1145/3442188.3445922"),
    ("10.1145/3442188.3445922;", "doi:10.1145/3442188.3445922"),
    ('10.1145/3442188.3445922"', "doi:10.1145/3442188.3445922"),
    ("10.1145/3442188.3445922)", "doi:10.1145/3442188.3445922"),
    ("10.1145/3442188.3445922]", "doi:10.1145/3442188.3445922"),
    ("10.1016/0010-0277(88)90032-8", "doi:10.1016/0010-0277(88)90032-8"),  # balanced: kept
    ("https://dl.acm.org/doi/10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("https://dl.acm.org/doi/abs/10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("https://dl.acm.org/doi/pdf/10.1145/3442188.3445922", "doi:10.1145/3442188.3445922"),
    ("https://onlinelibrary.wiley.com/doi/full/10.1002/asi.24750", "doi:10.1002/asi.24750"),
    ("https://onlinelibrary.wiley.com/doi/10.1002/asi.24750/abstract", "doi:10.1002/asi.24750"),
    ("https://onlinelibrary.wiley.com/doi/epdf/10.1002/asi.24750", "doi:10.1002/asi.24750"),
    (
        "https://link.springer.com/article/10.1007/s11023-020-09548-1",
        "doi:10.1007/s11023-020-09548-1",
    ),
    (
        "https://link.springer.com/chapter/10.1007/978-3-030-58452-8_13",
        "doi:10.1007/978-3-030-58452-8_13",
    ),
    (
        "https://link.springer.com/content/pdf/10.1007/978-3-030-58452-8_13.pdf",
        "doi:10.1007/978-3-030-58452-8_13",
    ),
    (
        "https://www.tandfonline.com/doi/abs/10.1080/09540091.2020.1769394",
        "doi:10.1080/09540091.2020.1769394",
    ),
    (
        "https://www.tandfonline.com/doi/full/10.1080/09540091.2020.1769394",
        "doi:10.1080/09540091.2020.1769394",
    ),
    (
        "https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0130140",
        "doi:10.1371/journal.pone.0130140",
    ),
    (
        "https://journals.plos.org/plosone/article?id=10.1371%2Fjournal.pone.0130140",
        "doi:10.1371/journal.pone.0130140",
    ),
    ("https://www.science.org/doi/10.1126/science.abj8754", "doi:10.1126/science.abj8754"),
    ("https://pubs.acs.org/doi/10.1021/acs.jcim.0c00915", "doi:10.1021/acs.jcim.0c00915"),
    (
        "http://www.mitpressjournals.org/doi/pdfplus/10.1162/neco.1997.9.8.1735",
        "doi:10.1162/neco.1997.9.8.1735",
    ),
    ("https://www.nature.com/articles/s41586-021-03819-2", "doi:10.1038/s41586-021-03819-2"),
    ("https://www.nature.com/articles/s41586-021-03819-2.pdf", "doi:10.1038/s41586-021-03819-2"),
    (
        "http://www.nature.com/nature/journal/v518/n7540/full/nature14236.html",
        "doi:10.1038/nature14236",
    ),
    (
        "https://www.biorxiv.org/content/10.1101/2020.03.14.988345v1.full.pdf",
        "doi:10.1101/2020.03.14.988345",
    ),
    (
        "https://ieeexplore.ieee.org/document/9156610",
        "url:https://ieeexplore.ieee.org/document/9156610",
    ),
    # --- ACL Anthology (and its DOIs)
    ("10.18653/v1/2021.naacl-main.208", "acl:2021.naacl-main.208"),
    ("https://doi.org/10.18653/v1/N19-1423", "acl:N19-1423"),
    ("2021.naacl-main.208", "acl:2021.naacl-main.208"),
    ("2023.findings-emnlp.12", "acl:2023.findings-emnlp.12"),
    ("N19-1423", "acl:N19-1423"),
    ("P16-1162", "acl:P16-1162"),
    ("W19-4828", "acl:W19-4828"),
    ("acl:n19-1423", "acl:N19-1423"),
    ("https://aclanthology.org/2021.naacl-main.208/", "acl:2021.naacl-main.208"),
    ("https://aclanthology.org/2021.naacl-main.208.pdf", "acl:2021.naacl-main.208"),
    ("https://aclanthology.org/2021.naacl-main.208.bib", "acl:2021.naacl-main.208"),
    ("https://aclanthology.org/2021.naacl-main.208v2.pdf", "acl:2021.naacl-main.208"),
    ("https://aclanthology.org/N19-1423", "acl:N19-1423"),
    ("https://www.aclweb.org/anthology/N19-1423", "acl:N19-1423"),
    ("https://www.aclweb.org/anthology/N19-1423.pdf", "acl:N19-1423"),
    ("https://aclweb.org/anthology/P16-1162/", "acl:P16-1162"),
    ("http://aclweb.org/anthology/D/D15/D15-1041.pdf", "acl:D15-1041"),
    ("http://anthology.aclweb.org/D/D14/D14-1162.pdf", "acl:D14-1162"),
    ("http://www.aclweb.org/anthology/N13-1#page=784", "url:http://www.aclweb.org/anthology/N13-1"),
    # --- OpenReview
    ("https://openreview.net/forum?id=2HJRwwbV3G", "openreview:2HJRwwbV3G"),
    ("https://openreview.net/pdf?id=2HJRwwbV3G", "openreview:2HJRwwbV3G"),
    ("https://openreview.net/attachment?id=2HJRwwbV3G&name=pdf", "openreview:2HJRwwbV3G"),
    ("https://openreview.net/forum?id=6t0Kwf8-jrj&noteId=abc", "openreview:6t0Kwf8-jrj"),
    ("openreview:2HJRwwbV3G", "openreview:2HJRwwbV3G"),
    (
        "https://openreview.net/group?id=ICML.cc/2024/Workshop/MI",
        "url:https://openreview.net/group?id=ICML.cc/2024/Workshop/MI",
    ),
    # --- PMLR
    ("https://proceedings.mlr.press/v139/radford21a.html", "pmlr:v139/radford21a"),
    ("https://proceedings.mlr.press/v139/radford21a/radford21a.pdf", "pmlr:v139/radford21a"),
    ("http://proceedings.mlr.press/v37/ioffe15.pdf", "pmlr:v37/ioffe15"),
    ("http://www.jmlr.org/proceedings/papers/v32/graves14.pdf", "pmlr:v32/graves14"),
    (
        "http://jmlr.org/papers/volume15/srivastava14a/srivastava14a.pdf",
        "url:http://jmlr.org/papers/volume15/srivastava14a/srivastava14a.pdf",
    ),
    # --- NeurIPS proceedings
    (
        f"https://proceedings.neurips.cc/paper/2020/hash/{NEURIPS_HASH}-Abstract.html",
        f"neurips:2020/{NEURIPS_HASH}",
    ),
    (
        f"https://proceedings.neurips.cc/paper/2020/file/{NEURIPS_HASH}-Paper.pdf",
        f"neurips:2020/{NEURIPS_HASH}",
    ),
    (
        f"https://proceedings.neurips.cc/paper_files/paper/2022/hash/{NEURIPS_HASH}-Abstract-Conference.html",
        f"neurips:2022/{NEURIPS_HASH}",
    ),
    (
        f"https://proceedings.neurips.cc/paper_files/paper/2022/file/{NEURIPS_HASH}-Paper-Conference.pdf",
        f"neurips:2022/{NEURIPS_HASH}",
    ),
    (
        f"https://papers.nips.cc/paper/2017/hash/{NEURIPS_HASH}-Abstract.html",
        f"neurips:2017/{NEURIPS_HASH}",
    ),
    ("https://papers.nips.cc/paper/7181-attention-is-all-you-need", "neurips:paper/7181"),
    ("http://papers.nips.cc/paper/7181-attention-is-all-you-need.pdf", "neurips:paper/7181"),
    # --- Semantic Scholar
    (
        f"https://www.semanticscholar.org/paper/Attention-is-All-you-Need-Vaswani-Shazeer/{S2_SHA}",
        f"s2:{S2_SHA}",
    ),
    (f"https://www.semanticscholar.org/paper/{S2_SHA.upper()}", f"s2:{S2_SHA}"),
    ("https://api.semanticscholar.org/CorpusID:12345", "s2:CorpusId:12345"),
    ("CorpusId:12345", "s2:CorpusId:12345"),
    ("s2:CorpusId:12345", "s2:CorpusId:12345"),
    # --- DBLP
    ("https://dblp.org/rec/conf/nips/VaswaniSPUJGKP17", "dblp:conf/nips/VaswaniSPUJGKP17"),
    ("https://dblp.org/rec/conf/nips/VaswaniSPUJGKP17.html", "dblp:conf/nips/VaswaniSPUJGKP17"),
    ("https://dblp.org/rec/conf/nips/VaswaniSPUJGKP17.bib", "dblp:conf/nips/VaswaniSPUJGKP17"),
    ("https://dblp.uni-trier.de/rec/conf/nips/VaswaniSPUJGKP17", "dblp:conf/nips/VaswaniSPUJGKP17"),
    (
        "https://dblp.uni-trier.de/rec/bibtex/conf/nips/VaswaniSPUJGKP17",
        "dblp:conf/nips/VaswaniSPUJGKP17",
    ),
    ("https://dblp.org/rec/journals/corr/abs-1706-03762.html", "dblp:journals/corr/abs-1706-03762"),
    # --- plain URLs
    (
        "https://transformer-circuits.pub/2021/framework/index.html",
        "url:https://transformer-circuits.pub/2021/framework/index.html",
    ),
    (
        "https://www.lesswrong.com/posts/abc/some-post",
        "url:https://www.lesswrong.com/posts/abc/some-post",
    ),
    (
        "https://openai.com/research/language-models-can-explain-neurons",
        "url:https://openai.com/research/language-models-can-explain-neurons",
    ),
    ("HTTPS://Example.COM/Path/Page?q=A#frag", "url:https://example.com/Path/Page?q=A"),
    ("http://example.com/post", "url:http://example.com/post"),
    ("url:https://example.com/post", "url:https://example.com/post"),
    # --- not identifiers
    ("", None),
    ("   ", None),
    ("abc", None),
    ("10.1234", None),
    ("10.1234/", None),
    ("10.12/abc", None),
    ("doi:", None),
    ("doi:abc", None),
    ("mailto:someone@example.com", None),
    ("./docs/x.md", None),
    ("#section", None),
    ("example.com/page", None),  # schemeless and no scholarly id
    ("ftp://example.com/paper.pdf", None),
    ("pmid:12345", None),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_identifier(text: str, expected: str | None) -> None:
    assert parse_identifier(text) == (ident(expected) if expected else None)


@pytest.mark.parametrize("expected", sorted({e for _, e in PARSE_CASES if e}))
def test_str_of_identifier_parses_back(expected: str) -> None:
    assert parse_identifier(expected) == ident(expected)


NOT_PAPERS = [
    "https://github.com/kmeng01/rome",
    "https://github.com/kmeng01/rome/tree/main/rome",
    "https://github.com/kmeng01/rome/blob/main/README.md",
    "https://github.com/kmeng01/rome/stargazers",
    "https://gitlab.com/owner/repo",
    "https://huggingface.co/spaces/owner/demo",
    "https://huggingface.co/datasets/zjunlp/KnowEdit",
    "https://huggingface.co/meta-llama/Llama-2-7b",
    "https://colab.research.google.com/github/stanfordnlp/pyvene/blob/main/tutorial.ipynb",
    "https://img.shields.io/github/stars/kmeng01/rome?style=social",
    "https://badge.fury.io/py/list2bib",
    "https://visitor-badge.laobi.icu/badge?page_id=owner.repo",
    "https://api.star-history.com/svg?repos=owner/repo&type=Date",
    "https://star-history.com/#owner/repo&Date",
    "https://github.com/owner/repo/actions/workflows/ci.yml/badge.svg",
    "https://arxiv.org/html/2202.05262v1/x1.png",
    "https://example.com/figure.PNG",
    "https://example.com/a.jpg",
    "https://example.com/a.jpeg",
    "https://example.com/a.gif",
    "https://example.com/a.webp",
    "https://example.com/logo.svg",
    "#anchor",
    "#section-2",
    "mailto:someone@example.com",
    "./docs/x.md",
    "docs/x.md",
    "../README.md",
    "",
]

PAPERS = [
    "https://arxiv.org/abs/2202.05262",
    "https://rome.baulab.info/",
    "https://zepingyu0512.github.io/neuron-attribution.github.io/",
    "https://github.com/owner/repo/blob/main/paper.pdf",
    "https://raw.githubusercontent.com/owner/repo/main/paper.pdf",
    "https://huggingface.co/papers/2202.05262",
    "https://huggingface.co/blog/mechanistic-interpretability",
    "https://transformer-circuits.pub/2022/toy_model/index.html",
    "https://openreview.net/forum?id=2HJRwwbV3G",
    "http://papers.nips.cc/paper/7181-attention-is-all-you-need.pdf",
    "arxiv.org/abs/2202.05262",  # schemeless, but plainly an id
    "arXiv:2202.05262",
]


@pytest.mark.parametrize("url", NOT_PAPERS)
def test_is_paper_link_false(url: str) -> None:
    assert is_paper_link(url) is False


@pytest.mark.parametrize("url", PAPERS)
def test_is_paper_link_true(url: str) -> None:
    assert is_paper_link(url) is True


def test_identifiers_from_links_orders_by_kind_then_first_seen_and_drops_non_papers() -> None:
    links = [
        Link("https://github.com/kmeng01/rome", "code"),
        Link("https://img.shields.io/github/stars/kmeng01/rome", ""),
        Link("https://rome.baulab.info/", "project"),
        Link("https://dblp.org/rec/conf/nips/MengBAB22", "dblp"),
        Link(
            f"https://proceedings.neurips.cc/paper_files/paper/2022/hash/{NEURIPS_HASH}-Abstract-Conference.html"
        ),
        Link("https://openreview.net/forum?id=-h6WAS6eE4", "OpenReview"),
        Link("https://arxiv.org/pdf/2202.05262v5.pdf", "pdf"),
        Link("https://arxiv.org/abs/2202.05262", "arXiv"),  # same work: deduplicated
        Link("https://arxiv.org/abs/2210.07229", "follow-up"),
        Link("https://doi.org/10.48550/arXiv.2202.05262", "doi"),
        Link("#citation"),
        Link("mailto:a@b.org"),
        Link("./figures/overview.png"),
        Link("https://example.org/talk"),
    ]
    assert identifiers_from_links(links) == (
        ident("arxiv:2202.05262"),
        ident("arxiv:2210.07229"),
        ident("openreview:-h6WAS6eE4"),
        ident(f"neurips:2022/{NEURIPS_HASH}"),
        ident("dblp:conf/nips/MengBAB22"),
        ident("url:https://rome.baulab.info/"),
        ident("url:https://example.org/talk"),
    )


def test_identifiers_from_links_dblp_before_s2_and_acl_before_pmlr() -> None:
    links = [
        Link(f"https://www.semanticscholar.org/paper/{S2_SHA}"),
        Link("https://dblp.org/rec/conf/nips/VaswaniSPUJGKP17"),
        Link("https://proceedings.mlr.press/v139/radford21a.html"),
        Link("https://aclanthology.org/N19-1423/"),
        Link("https://doi.org/10.1145/3442188.3445922"),
    ]
    assert [str(i) for i in identifiers_from_links(links)] == [
        "doi:10.1145/3442188.3445922",
        "acl:N19-1423",
        "pmlr:v139/radford21a",
        "dblp:conf/nips/VaswaniSPUJGKP17",
        f"s2:{S2_SHA}",
    ]


def test_identifiers_from_links_empty() -> None:
    assert identifiers_from_links([]) == ()
    assert identifiers_from_links([Link("https://github.com/a/b"), Link("#x")]) == ()


TEXT_CASES: list[tuple[str, list[str]]] = [
    ("Paper X (arXiv:2101.00001)", ["arxiv:2101.00001"]),
    ("Locating and Editing Factual Associations in GPT. arXiv 2202.05262v2.", ["arxiv:2202.05262"]),
    (
        "old one: arXiv:hep-th/9901001, and arXiv:math.GT/0309136",
        ["arxiv:hep-th/9901001", "arxiv:math/0309136"],
    ),
    ("see doi:10.1145/3442188.3445922.", ["doi:10.1145/3442188.3445922"]),
    ("(DOI: 10.1145/3442188.3445922)", ["doi:10.1145/3442188.3445922"]),
    (
        "published as 10.1038/s41586-021-03819-2; preprint 10.48550/arXiv.2202.05262",
        ["arxiv:2202.05262", "doi:10.1038/s41586-021-03819-2"],
    ),
    (
        "DOIs: 10.1000/b, 10.1000/a and arXiv:2101.00002 then arXiv:2101.00001",
        ["arxiv:2101.00002", "arxiv:2101.00001", "doi:10.1000/b", "doi:10.1000/a"],
    ),
    ("links: https://arxiv.org/abs/2202.05262. and https://github.com/a/b", ["arxiv:2202.05262"]),
    ("(https://doi.org/10.1145/3442188.3445922)", ["doi:10.1145/3442188.3445922"]),
    (
        "blog https://example.com/post, then arXiv:2101.00001",
        ["arxiv:2101.00001", "url:https://example.com/post"],
    ),
    ("duplicates: arXiv:2101.00001v1 arXiv:2101.00001v2", ["arxiv:2101.00001"]),
    # negatives
    ("a bare 2202.05262 is not enough", []),
    ("arXiv:1234.12345 is not a valid id", []),
    ("10.1234 has no suffix", []),
    ("version 10.2 of the tool, 3.14/2", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_find_identifiers_in_text(text: str, expected: list[str]) -> None:
    assert find_identifiers_in_text(text) == tuple(ident(e) for e in expected)


def test_arxiv_doi_and_abs_url() -> None:
    assert arxiv_doi("2202.05262") == "10.48550/arXiv.2202.05262"
    assert arxiv_doi("hep-th/9901001") == "10.48550/arXiv.hep-th/9901001"
    assert arxiv_abs_url("2202.05262") == "https://arxiv.org/abs/2202.05262"
    assert arxiv_abs_url("hep-th/9901001") == "https://arxiv.org/abs/hep-th/9901001"
    assert parse_identifier(arxiv_doi("2202.05262")) == ident("arxiv:2202.05262")
    assert parse_identifier(arxiv_abs_url("hep-th/9901001")) == ident("arxiv:hep-th/9901001")


@pytest.mark.parametrize(
    ("doi", "url"),
    [
        ("10.1145/3442188.3445922", "https://doi.org/10.1145/3442188.3445922"),
        ("10.1016/0010-0277(88)90032-8", "https://doi.org/10.1016/0010-0277(88)90032-8"),
        (
            "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0",
            "https://doi.org/10.1002/(sici)1097-4571(199806)49:8%3C693::aid-asi4%3E3.0.co;2-0",
        ),
        ("10.1000/a#c?d%e", "https://doi.org/10.1000/a%23c%3Fd%25e"),
    ],
)
def test_doi_url(doi: str, url: str) -> None:
    assert doi_url(doi) == url
    assert parse_identifier(url) == ident(f"doi:{doi}")


ID_ALPHABET = st.sampled_from(list("0123456789abcvAZ.:/-_?#=&%()[]@ \thepthrxivdoiurlsw"))
ID_PREFIXES = st.sampled_from(
    [
        "",
        "https://",
        "https://doi.org/",
        "https://arxiv.org/abs/",
        "arxiv.org/pdf/",
        "doi:",
        "arxiv:",
        "url:",
        "acl:",
        "s2:",
        "10.1234/",
        "https://openreview.net/forum?id=",
        "https://dblp.org/rec/",
    ]
)


@given(ID_PREFIXES, st.text(ID_ALPHABET))
def test_any_text_parses_to_none_or_a_round_tripping_identifier(prefix: str, rest: str) -> None:
    text = prefix + rest
    result = parse_identifier(text)
    if result is not None:
        assert parse_identifier(str(result)) == result
    find_identifiers_in_text(text)  # never raises
    is_paper_link(text)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"journal": "arXiv preprint arXiv:2202.05262"}, ["arxiv:2202.05262"]),  # Google Scholar
        ({"journal": "CoRR", "volume": "abs/2210.07229"}, ["arxiv:2210.07229"]),  # DBLP
        ({"journal": "Nature", "volume": "abs/2210.07229"}, []),
        ({"eprint": "2104.08696"}, ["arxiv:2104.08696"]),  # no archivePrefix
        ({"eprint": "2104.08696", "archiveprefix": "arXiv"}, ["arxiv:2104.08696"]),
        ({"eprint": "hep-th/9901001", "archiveprefix": "HAL"}, []),
        ({"eprint": "not-an-id"}, []),
        ({"arxivid": "2104.08164v2"}, ["arxiv:2104.08164"]),
        ({"note": r"\url{https://arxiv.org/abs/2110.11309}"}, ["arxiv:2110.11309"]),
        (
            {"howpublished": r"\url{https://doi.org/10.1145/3442188.3445922}"},
            ["doi:10.1145/3442188.3445922"],
        ),
        ({"url": "https://openreview.net/forum?id=0DcZxeWfOPt"}, ["openreview:0DcZxeWfOPt"]),
        ({"url": "https://example.org/blog/post"}, []),  # a plain URL is a link, not an id here
        (
            {"doi": "10.1145/3442188.3445922", "journal": "arXiv preprint arXiv:2202.05262"},
            ["arxiv:2202.05262", "doi:10.1145/3442188.3445922"],
        ),
    ],
)
def test_bib_fields_give_the_identifiers_people_write_in_them(
    fields: dict[str, str], expected: list[str]
) -> None:
    assert [str(i) for i in bib_field_identifiers(fields)] == expected
