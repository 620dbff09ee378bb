"""Reference -> Zotero item data (types, creators, identifiers, citation key, marker, tags), the
identities read back from any item, and the pure plan (keys, collections, adoption, prune)."""

from __future__ import annotations

from dataclasses import replace

from fakes.zotero import reference
from fakes.zotero_schema import CREATOR_TYPES, ITEM_FIELDS
from list2bib.model import ListEntry, Person, Record, Reference, Status, WorkKind
from list2bib.resolve.venues import conference_name
from list2bib.text.identity import normal_doi
from list2bib.zotero.index import Index
from list2bib.zotero.items import desired, identities, item_type, syncable
from list2bib.zotero.plan import KEY_ALPHABET, make_plan, object_key


def only_valid_fields(data: dict[str, object]) -> bool:
    kind = str(data["itemType"])
    allowed = set(ITEM_FIELDS[kind]) | {"itemType", "creators", "tags", "collections"}
    return set(data) <= allowed


def test_published_conference_paper() -> None:
    ref = reference("meng2022locating", doi="10.5555/3600270.3601532", venue="NeurIPs 2023 oral",
                    tags=("editing",))  # fmt: skip
    item = desired(ref, conference_name)
    assert item is not None
    data = item.data
    assert data["itemType"] == "conferencePaper" and only_valid_fields(data)
    assert data["proceedingsTitle"] == "Advances in Neural Information Processing Systems"
    # From the venue table and the record's year, never the list's raw hint.
    assert data["conferenceName"] == "NeurIPS 2022"
    plain = desired(ref)
    assert plain is not None and plain.data["conferenceName"] == ""
    assert data["DOI"] == "10.5555/3600270.3601532" and data["date"] == "2022-02"
    assert data["citationKey"] == "meng2022locating"
    assert data["creators"][0] == {
        "creatorType": "author",
        "firstName": "Kevin",
        "lastName": "Meng",
    }
    assert "list2bib-id: doi:10.5555/3600270.3601532" in data["extra"]
    assert {t["tag"] for t in data["tags"]} == {"editing", "NeurIPs 2023 oral"}
    assert item.identity == "doi:10.5555/3600270.3601532"


def test_doi_holds_the_items_own_doi_and_extra_the_arxiv_id() -> None:
    venue = {"booktitle": "International Conference on Learning Representations"}
    iclr = Record(source="dblp", entry_type="inproceedings", title="LoRA", year="2022",
                  arxiv_id="2106.09685", doi="10.48550/arXiv.2106.09685", venue=venue)  # fmt: skip
    item = desired(Reference("hu2022lora", iclr, (), Status.RESOLVED), conference_name)
    assert item is not None
    data = item.data
    assert data["itemType"] == "conferencePaper" and data["DOI"] == ""
    assert data["conferenceName"] == "ICLR 2022"
    assert "arXiv: 2106.09685" in data["extra"].splitlines()
    _, dois, arxiv = identities(data)
    assert (dois, arxiv) == (set(), {"2106.09685"})


def test_arxiv_only_work_is_a_preprint() -> None:
    item = desired(reference("x", arxiv="2202.05262", kind="preprint"))
    assert item is not None
    data = item.data
    assert data["itemType"] == "preprint" and only_valid_fields(data)
    assert data["repository"] == "arXiv" and data["archiveID"] == "arXiv:2202.05262"
    assert data["DOI"] == "10.48550/arXiv.2202.05262"
    assert item.identity == "arxiv:2202.05262" and item.arxiv_id == "2202.05262"


def test_journal_article_blog_and_organisation_author() -> None:
    org = (Person("OpenAI", literal=True),)
    venue = {"journal": "Nature", "number": "7"}
    record = Record("doi", "article", "Attention", org, "2020", doi="10.1/J", venue=venue)
    data = desired(Reference("k", record, (), Status.RESOLVED))
    assert data is not None
    assert data.data["itemType"] == "journalArticle" and data.data["issue"] == "7"
    assert data.data["publicationTitle"] == "Nature"
    assert data.data["creators"] == [{"creatorType": "author", "name": "OpenAI"}]
    assert only_valid_fields(data.data)
    site = {"howpublished": "transformer-circuits.pub"}
    page = "https://transformer-circuits.pub/blog/x"
    blog = Record("list", "misc", "Toy models", url=page, kind=WorkKind.WEB, venue=site)
    assert item_type(blog) == "blogPost"
    assert item_type(replace(blog, url="https://example.org/x")) == "webpage"
    web = desired(Reference("toy", blog, (), Status.UNRESOLVED))
    assert web is not None and only_valid_fields(web.data)
    assert web.data["blogTitle"] == "transformer-circuits.pub"


def test_unresolved_papers_are_not_synced() -> None:
    ref = reference("x", arxiv="2202.05262")
    assert syncable(ref)
    assert not syncable(replace(ref, status=Status.UNRESOLVED))


def test_creator_types_are_valid_for_every_type() -> None:
    for kind, types in CREATOR_TYPES.items():
        assert "author" in types or kind == "attachment", kind


def test_long_abstracts_are_cut_to_zoteros_limit() -> None:
    ref = reference("x", doi="10.1/x")
    ref = replace(ref, record=replace(ref.record, abstract="é" * 40000))
    item = desired(ref)
    assert item is not None
    assert len(item.data["abstractNote"].encode("utf-8")) <= 65535


def test_identities_read_back_from_any_item() -> None:
    marker, dois, arxiv = identities(
        {
            "DOI": "https://doi.org/10.48550/arXiv.2202.05262",
            "extra": "list2bib-id: arxiv:2202.05262\nDOI: 10.1/ABC\narXiv: 2301.00001 [cs.CL]",
            "url": "https://arxiv.org/abs/1706.03762v5",
        }
    )
    assert marker == "arxiv:2202.05262"
    assert dois == {"10.1/abc"}
    assert arxiv == {"2202.05262", "2301.00001", "1706.03762"}
    assert normal_doi(" doi:10.1/X ") == "10.1/x"


def test_object_keys_are_deterministic_valid_and_avoid_taken_ones() -> None:
    key = object_key("12345", "item", "doi:10.1/x", ())
    assert key == object_key("12345", "item", "doi:10.1/x", ())
    assert len(key) == 8 and set(key) <= set(KEY_ALPHABET)
    assert object_key("12345", "item", "doi:10.1/x", {key}) != key
    assert object_key("99999", "item", "doi:10.1/x", ()) != key


def test_plan_reuses_collections_and_files_one_item_twice() -> None:
    index = Index("1")
    index.collections = {
        "ROOT2222": {"key": "ROOT2222", "version": 1, "name": "list2bib",
                     "parentCollection": False},
        "SURV2222": {"key": "SURV2222", "version": 1, "name": "Survey",
                     "parentCollection": "ROOT2222"},
    }  # fmt: skip
    ref = reference("x", doi="10.1/x", topics=(("Survey",), ("Survey", "probing")))
    item = desired(ref)
    assert item is not None
    plan = make_plan([item], index)
    assert [c.path for c in plan.collections] == ["list2bib > Survey > probing"]
    assert plan.collections[0].parent == "SURV2222"
    (create,) = plan.of("create")
    assert create.version == 0
    assert set(create.payload["collections"]) == {"SURV2222", plan.collections[0].key}


def test_plan_prefers_own_item_and_never_writes_fields_of_others() -> None:
    index = Index("1")
    index.items = {
        "HAND2222": {"key": "HAND2222", "version": 3, "itemType": "journalArticle",
                     "DOI": "10.1/x", "collections": [], "title": "hand"},
    }  # fmt: skip
    item = desired(reference("x", doi="10.1/x"))
    assert item is not None
    plan = make_plan([item], index)
    (filed,) = plan.of("file")
    assert filed.key == "HAND2222" and set(filed.payload) == {"collections"}
    assert make_plan([item], index, adopt=False).of("file") == ()
    assert make_plan([], index, prune=True).of("trash") == ()  # not ours: never trashed


def test_entries_without_topics_go_to_the_root() -> None:
    ref = reference("x", doi="10.1/x")
    ref = replace(ref, entries=(ListEntry("ids.txt", 1, (), "t"),))
    item = desired(ref)
    assert item is not None and item.topics == ()
    plan = make_plan([item], Index("1"), root="Reading")
    assert [c.path for c in plan.collections] == ["Reading"]
    assert plan.of("create")[0].payload["collections"] == [plan.collections[0].key]


def test_a_venue_paper_without_a_doi_is_a_conference_paper_not_a_preprint() -> None:
    record = Record(
        source="s2",
        entry_type="inproceedings",
        title="Locating and Editing Factual Associations in GPT",
        authors=(Person("Meng", "Kevin"),),
        year="2022",
        arxiv_id="2202.05262",
        venue={"booktitle": "Advances in Neural Information Processing Systems"},
        kind=WorkKind.PUBLISHED,
    )
    assert item_type(record) == "conferencePaper"
    item = desired(Reference("meng2022locating", record, (), Status.RESOLVED))
    assert item is not None
    assert item.data["proceedingsTitle"] == "Advances in Neural Information Processing Systems"


def test_only_a_page_that_answered_with_a_title_is_synced() -> None:
    page = Record(source="list", entry_type="misc", title="", url="https://example.org/x",
                  kind=WorkKind.WEB)  # fmt: skip
    assert not syncable(Reference("examplend", page, (), Status.UNRESOLVED))
    # The list's own title on a link that answered 404: a placeholder, never pushed.
    titled = replace(page, title="A post")
    assert not syncable(Reference("post", titled, (), Status.UNRESOLVED))
    fetched = replace(titled, source="page")
    assert syncable(Reference("post", fetched, (), Status.RESOLVED))
    assert not syncable(Reference("post", replace(fetched, title=" "), (), Status.RESOLVED))


def test_a_work_a_failing_service_left_short_is_not_synced() -> None:
    ref = reference("x", doi="10.1000/x")
    assert syncable(ref)
    assert not syncable(replace(ref, incomplete=True))
