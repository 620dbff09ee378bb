"""sources.page and pagemeta: page metadata (recorded Anthology pages, the world's pages, small
hand-written pages), the identifiers a page names, and fetch() through the fake web."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes import (
    RECORDED,
    FakeAcl,
    FakeArxiv,
    FakeClock,
    FakeOpenReview,
    FakeWeb,
    World,
    needs_recorded,
)
from list2bib.infra.http import Http
from list2bib.model import Identifier, IdKind, Person, WorkKind
from list2bib.resolve.pagemeta import extract
from list2bib.resolve.sources import acl, arxiv, openreview, page
from list2bib.text.titles import normalize_title

ROME = Identifier(IdKind.ARXIV, "2202.05262")


@pytest.fixture
def web(world: World) -> Iterator[FakeWeb]:
    with FakeWeb(world) as server:
        yield server


# --- parse: recorded ACL Anthology landing pages -----------------------------------------------


@needs_recorded
def test_recorded_anthology_page_is_a_publication_page() -> None:
    html = (RECORDED / "html_meta" / "acl_2021.naacl-main.208.html").read_text(encoding="utf-8")
    record, related = page.parse_page(html, "https://aclanthology.org/2021.naacl-main.208/")
    assert record.title == "How many data points is a prompt worth?"  # not the `<title>`
    assert record.kind is WorkKind.PUBLISHED and record.entry_type == "inproceedings"
    assert record.venue["booktitle"].startswith("Proceedings of the 2021 Conference")
    assert record.venue["pages"] == "2627--2636"
    assert record.doi == "10.18653/v1/2021.naacl-main.208"
    assert record.acl_id == "2021.naacl-main.208"
    assert (record.year, record.month) == ("2021", 6)  # `2021/6`
    assert record.authors[1] == Person("Rush", "Alexander M.")
    assert record.url == "https://aclanthology.org/2021.naacl-main.208/"  # unquoted canonical href
    assert record.abstract is None  # og:description is a teaser, not the abstract
    assert related == (Identifier(IdKind.ACL, "2021.naacl-main.208"),)


@needs_recorded
def test_recorded_old_anthology_page_without_doi() -> None:
    html = (RECORDED / "html_meta" / "acl_N04-1001.html").read_text(encoding="utf-8")
    record, _ = page.parse_page(html, "https://aclanthology.org/N04-1001/")
    assert record.kind is WorkKind.PUBLISHED  # venue and page numbers, though no DOI
    assert record.doi is None
    assert len(record.authors) == 8
    assert (record.year, record.month) == ("2004", None)


# --- parse: the world's pages, at their real addresses -----------------------------------------

TOY = "https://transformer-circuits.pub/2022/toy_model/index.html"


def test_transformer_circuits_page_uses_title_and_bibtex_block(world: World) -> None:
    html = world.work("elhage2022toy")["web"][0]["html"]
    record, related = page.parse_page(html, TOY)
    assert record.title == "Toy Models of Superposition"
    assert record.kind is WorkKind.WEB and record.entry_type == "misc"
    assert len(record.authors) == 16
    assert record.authors[0] == Person("Elhage", "Nelson")
    assert record.year == "2022"
    assert record.venue == {"howpublished": "Transformer Circuits Thread"}
    assert record.url == TOY
    assert related == ()


def test_transformer_circuits_2021_framework(world: World) -> None:
    html = world.work("elhage2021mathematical")["web"][0]["html"]
    record, _ = page.parse_page(html, "https://transformer-circuits.pub/2021/framework/index.html")
    assert record.title == "A Mathematical Framework for Transformer Circuits"
    assert record.year == "2021"
    assert record.authors[-1] == Person("Olah", "Chris")


def test_distill_article_is_a_publication_with_its_doi(world: World) -> None:
    html = world.work("olah2017feature")["web"][0]["html"]
    url = "https://distill.pub/2017/feature-visualization/"
    record, related = page.parse_page(html, url)
    assert record.kind is WorkKind.PUBLISHED and record.entry_type == "article"
    assert record.venue == {"journal": "Distill", "volume": "2", "number": "11", "pages": "e7"}
    assert record.doi == "10.23915/distill.00007"
    assert (record.year, record.month) == ("2017", 11)
    assert record.authors[0] == Person("Olah", "Chris")  # `Olah, Chris`
    assert record.url == "https://distill.pub/2017/feature-visualization"  # canonical, same site
    # Its own DOI, but not the four arXiv papers its text cites.
    assert related == (Identifier(IdKind.DOI, "10.23915/distill.00007"),)


def test_blog_post_open_graph_and_json_ld(world: World) -> None:
    html = world.work("weng2023prompt")["web"][0]["html"]
    url = "https://lilianweng.github.io/posts/2023-03-15-prompt-engineering/"
    record, related = page.parse_page(html, url)
    assert record.title == "Prompt Engineering"
    assert record.authors == (Person("Weng", "Lilian"),)
    assert (record.year, record.month) == ("2023", 3)
    assert record.venue == {"howpublished": "Lil'Log"}  # entity decoded
    assert record.kind is WorkKind.WEB
    assert related == ()  # a bibliography of arXiv links is not "the page's paper"


def test_lesswrong_post(world: World) -> None:
    html = world.work("nostalgebraist2020logit")["web"][0]["html"]
    url = "https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens"
    record, related = page.parse_page(html, url)
    assert record.title == "interpreting GPT: the logit lens"
    assert record.authors == (Person("nostalgebraist"),)
    assert (record.year, record.month) == ("2020", 8)
    assert record.venue == {"howpublished": "lesswrong.com"}
    assert related == ()  # its "paper" link goes to a blog post, no identifier


def test_page_with_only_a_title_loses_the_site_suffix(world: World) -> None:
    html = world.work("nanda2022glossary")["web"][0]["html"]
    url = "https://www.neelnanda.io/mechanistic-interpretability/glossary"
    record, related = page.parse_page(html, url)
    assert record.title == "A Comprehensive Mechanistic Interpretability Explainer & Glossary"
    assert record.authors == () and record.year is None
    assert record.venue == {"howpublished": "neelnanda.io"}
    assert related == ()


def test_project_page_names_its_paper(world: World) -> None:
    html = world.work("meng2022locating")["web"][0]["html"]
    record, related = page.parse_page(html, "https://rome.baulab.info/")
    assert record.title == world.work("meng2022locating")["title"]
    assert related == (ROME,)  # code, Colab and the follow-up project are not papers


def test_look_alike_page_reports_the_other_paper_but_keeps_its_title(world: World) -> None:
    html = world.work("sharma2024locating")["web"][0]["html"]
    record, related = page.parse_page(html, "https://baulab.info/mamba-rome/")
    assert record.title == "Locating and Editing Factual Associations in Mamba"
    assert related == (ROME,)  # reported; the caller compares titles and must refuse it
    assert record.kind is WorkKind.WEB


# --- parse: small pages ------------------------------------------------------------------------


def test_attribute_order_unquoted_values_and_entities() -> None:
    html = (
        '<html><head><meta content="Caf&eacute; &amp; Co." name=citation_title>'
        "<META NAME='citation_author' CONTENT='Zo&euml; van der Berg'>"
        "<meta content=2019-07-01 name=citation_date><title>ignored</title></head></html>"
    )
    meta = extract(html)
    assert meta.title == "Café & Co."
    assert meta.authors == ("Zoë van der Berg",)
    record, _ = page.parse_page(html, "https://example.org/x")
    assert record.authors == (Person("van der Berg", "Zoë"),)
    assert (record.year, record.month) == ("2019", 7)


def test_json_ld_graph_string_author_and_broken_scripts() -> None:
    html = (
        '<script type="application/ld+json">{broken</script>'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "Example"},'
        '{"@type": ["NewsArticle"], "headline": "Big News", "author": "Jane Roe",'
        ' "datePublished": "2024-05-06", "publisher": {"name": "The Paper"}}]}</script>'
    )
    record, _ = page.parse_page(html, "https://news.example.com/a")
    assert record.title == "Big News"
    assert record.authors == (Person("Roe", "Jane"),)
    assert (record.year, record.month) == ("2024", 5)
    assert record.venue == {"howpublished": "The Paper"}


def test_dublin_core_and_author_lists() -> None:
    html = (
        '<meta name="DC.title" content="A Report"><meta name="DC.creator" content="Ada Lovelace">'
        '<meta name="DC.creator" content="Charles Babbage"><meta name="DC.date" content="1843">'
    )
    record, _ = page.parse_page(html, "https://example.org/r")
    assert record.title == "A Report" and record.year == "1843"
    assert [p.family for p in record.authors] == ["Lovelace", "Babbage"]
    listed = extract('<meta name="author" content="Ada Lovelace, Charles Babbage and Alan Turing">')
    assert listed.authors == ("Ada Lovelace", "Charles Babbage", "Alan Turing")
    inverted = extract('<meta name="author" content="Lovelace, Ada">')
    assert inverted.authors == ("Lovelace, Ada",)  # one person, written family first
    url_only = extract('<meta property="article:author" content="https://example.org/ada">')
    assert url_only.authors == ()


def test_site_suffix_and_method_named_sites() -> None:
    suffixed = '<meta property="og:site_name" content="My Blog"><title>On Bees | My Blog</title>'
    assert page.parse_page(suffixed, "https://blog.example.org/bees")[0].title == "On Bees"
    lora = '<meta property="og:site_name" content="LoRA"><title>LoRA: Low-Rank Adaptation</title>'
    assert page.parse_page(lora, "https://lora.example.org/")[0].title == (
        "LoRA: Low-Rank Adaptation"
    )
    in_svg = "<svg><title>icon</title></svg><title>Real</title>"
    assert extract(in_svg).title == "Real"


def test_canonical_on_another_site_is_not_taken() -> None:
    html = '<link rel="canonical" href="https://elsewhere.example/x"><title>T</title>'
    assert page.parse_page(html, "https://example.org/x")[0].url == "https://example.org/x"
    relative = '<link rel="canonical" href="/x/"><title>T</title>'
    assert page.parse_page(relative, "https://example.org/x")[0].url == "https://example.org/x/"


def test_related_links_prefer_the_ones_that_say_paper() -> None:
    refs = "".join(f'<a href="https://arxiv.org/abs/2301.0000{i}">ref {i}</a>' for i in range(1, 6))
    html = (
        f"<title>Project</title><p>{refs}</p>"
        '<p>Paper: <a href="https://openreview.net/forum?id=abcDEF123">OpenReview</a></p>'
        '<p><a href="https://aclanthology.org/2023.acl-long.1.pdf">PDF</a></p>'
        '<meta name="citation_arxiv_id" content="2301.99999">'
    )
    _, related = page.parse_page(html, "https://example.org/")
    assert related == (
        Identifier(IdKind.ARXIV, "2301.99999"),
        Identifier(IdKind.OPENREVIEW, "abcDEF123"),
        Identifier(IdKind.ACL, "2023.acl-long.1"),
    )


def test_preprint_server_venue_is_not_a_publication() -> None:
    html = (
        '<meta name="citation_title" content="X"><meta name="citation_journal_title" '
        'content="bioRxiv"><meta name="citation_doi" content="10.1101/2020.01.01.123456">'
    )
    record, _ = page.parse_page(html, "https://www.biorxiv.org/content/x")
    assert record.kind is WorkKind.WEB and record.doi is None


def test_key_of_only_urls() -> None:
    assert page.key_of(Identifier(IdKind.URL, "https://a.example/")) == "https://a.example/"
    assert page.key_of(ROME) is None


# --- fetch -------------------------------------------------------------------------------------


def test_fetch_pages_with_related_and_missing(web: FakeWeb, http: Http) -> None:
    urls = [
        web.page("meng2022locating"),
        web.page("elhage2022toy"),
        web.page("weng2023prompt", 1),  # 404
        web.page("lecun2015deep"),  # .pdf
        web.url("/nowhere/at/all"),
    ]
    lookup = page.fetch(http, page.SERVICE_CONFIG, urls)
    assert set(lookup.found) == set(urls[:2])
    assert lookup.missing == frozenset(urls[2:])
    assert lookup.related == {urls[0]: (ROME,)}
    assert lookup.found[urls[1]].title == "Toy Models of Superposition"
    assert web.url("/www.cs.toronto.edu/~hinton/absps/NatureDeepReview.pdf") == urls[3]
    assert not any(r.path.endswith(".pdf") for r in web.requests)  # not downloaded
    assert all(r.headers["accept"].startswith("text/html") for r in web.requests)


def test_fetch_non_html_is_not_a_page(web: FakeWeb, http: Http) -> None:
    pdf = web.add_page("/papers/download?id=7", b"%PDF-1.7\n", content_type="application/pdf")
    data = web.add_page("/api/x", '{"a": 1}', content_type="application/json")
    lookup = page.fetch(http, page.SERVICE_CONFIG, [pdf, data])
    assert lookup.missing == frozenset({pdf, data}) and not lookup.found


def test_fetch_follows_redirects_and_reports_the_final_address(web: FakeWeb, http: Http) -> None:
    short = web.page("nostalgebraist2020logit", 1)
    lookup = page.fetch(http, page.SERVICE_CONFIG, [short])
    assert lookup.found[short].url == web.page("nostalgebraist2020logit", 0)


def test_fetch_refuses_non_web_schemes(web: FakeWeb, clock: FakeClock, http: Http) -> None:
    trap = web.add_page("/go", status=302, location="ftp://127.0.0.1/secret")
    lookup = page.fetch(http, page.SERVICE_CONFIG, [trap, "file:///etc/passwd"])
    # Asking again later cannot help: not a failure that makes a run partial.
    assert lookup.missing == {trap, "file:///etc/passwd"}
    assert not lookup.found and not lookup.failed


def test_fetch_honours_retry_after(web: FakeWeb, clock: FakeClock, http: Http) -> None:
    web.fail_next(1, "429")
    url = web.page("elhage2021mathematical")
    lookup = page.fetch(http, page.SERVICE_CONFIG, [url])
    assert url in lookup.found
    assert 1.0 in clock.sleeps


def test_fetch_oversize_page_is_read_from_its_head(web: FakeWeb, http: Http) -> None:
    head = "<html><head><title>Huge</title><meta name=citation_title content='Huge Page'></head>"
    body = head + "<body>" + "<p>filler</p>" * 300_000 + "</body></html>"
    assert len(body) > page.MAX_PAGE_BYTES
    url = web.add_page("/huge.html", body)
    assert page.fetch(http, page.SERVICE_CONFIG, [url]).found[url].title == "Huge Page"


def test_fetch_decodes_the_declared_charset(web: FakeWeb, http: Http) -> None:
    body = "<title>G\u00f6del</title>".encode("latin-1")
    url = web.add_page("/latin1", body, content_type="text/html; charset=ISO-8859-1")
    assert page.fetch(http, page.SERVICE_CONFIG, [url]).found[url].title == "G\u00f6del"


# --- one world, every service ------------------------------------------------------------------


def test_one_world_serves_page_arxiv_openreview_and_acl(world: World, http: Http) -> None:
    with (
        FakeWeb(world) as web,
        FakeArxiv(world) as ax,
        FakeOpenReview(world) as orv,
        FakeAcl(world) as anthology,
    ):
        pages = page.fetch(
            http,
            page.SERVICE_CONFIG,
            [web.page("meng2022locating"), web.page("sharma2024locating")],
        )
        rome = pages.found[web.page("meng2022locating")]
        mamba = pages.found[web.page("sharma2024locating")]
        linked = arxiv.fetch(http, ax.service_config(batch_size=10), ["2202.05262"])
        forum = openreview.fetch(http, orv.service_config(batch_size=10), ["-h6WAS6eE4"])
        bert = acl.fetch(http, anthology.service_config(), ["N19-1423"])
    paper = linked.found["2202.05262"]
    assert normalize_title(paper.title) == normalize_title(rome.title)
    assert normalize_title(paper.title) != normalize_title(mamba.title)
    assert forum.found["-h6WAS6eE4"].title == paper.title
    assert bert.found["N19-1423"].title.startswith("BERT")
