"""merge: this run's works against the entries of an existing references.bib (no network).

Works are built by hand; file entries come from `parse_file_text`, as the pipeline reads
them. A work found in the file keeps its key (unless the entry was a placeholder), an unverified
work keeps a real previous entry verbatim, and entries no work claims stay untouched in file order.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from list2bib.bibtex.parse import BibEntry, parse_file_text
from list2bib.bibtex.render import render
from list2bib.errors import InputError
from list2bib.model import Link, ListEntry, Person, Record, Reference, Status, WorkKind
from list2bib.resolve.settle import fallback_record
from list2bib.text.identifiers import entry_identifiers
from list2bib.text.identity import bib_identities, work_id
from list2bib.works.dedupe import Work
from list2bib.works.merge import MergePlan, plan
from list2bib.works.reconcile import hand_edits
from list2bib.works.renames import load_renames, renames_path, save_renames, updated_renames

MENG_ID = "2202.05262"
MENG_TITLE = "Locating and Editing Factual Associations in GPT"
VASWANI_ID = "1706.03762"
LSTM_DOI = "10.1162/neco.1997.9.8.1735"
HE_ID = "1512.03385"
HE_DOI = "10.1109/cvpr.2016.90"
PLACEHOLDER_MARK = "% list2bib: unresolved - built from papers.md:8, not verified"


# --- builders -------------------------------------------------------------------------------------


def list_entry(title: str = "x", *urls: str, line: int = 1) -> ListEntry:
    return ListEntry("papers.md", line, ("Papers",), title, tuple(Link(u) for u in urls))


def work(record: Record, status: Status = Status.RESOLVED, title: str = "x") -> Work:
    return Work(work_id(record), record, (list_entry(title),), status, ())


def preprint(arxiv_id: str, title: str = MENG_TITLE) -> Work:
    return work(
        Record(
            source="arxiv",
            entry_type="misc",
            title=title,
            authors=(Person("Meng", "Kevin"),),
            year="2022",
            doi=f"10.48550/arXiv.{arxiv_id}",
            arxiv_id=arxiv_id,
            primary_class="cs.CL",
            url=f"https://arxiv.org/abs/{arxiv_id}",
            kind=WorkKind.PREPRINT,
        )
    )


def published(doi: str, title: str = "Long Short-Term Memory", arxiv_id: str | None = None) -> Work:
    return work(
        Record(
            source="doi",
            entry_type="article",
            title=title,
            authors=(Person("Hochreiter", "Sepp"),),
            year="1997",
            doi=doi,
            arxiv_id=arxiv_id,
            url=f"https://doi.org/{doi}",
            venue={"journal": "Neural Computation"},
            kind=WorkKind.PUBLISHED,
        )
    )


def unverified(title: str, *urls: str) -> Work:
    """An entry the run could not resolve: the list's placeholder, with its link's identifiers."""
    entry = list_entry(title, *urls)
    return work(
        fallback_record(entry, entry_identifiers(entry)), status=Status.UNRESOLVED, title=title
    )


def bib(text: str) -> list[BibEntry]:
    return parse_file_text(text, source="references.bib").entries


def keys(entries: list[BibEntry]) -> list[str]:
    return [e.key for e in entries]


# --- bib_identities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"eprint": "2202.05262v5", "archiveprefix": "arXiv"}, ["arxiv:2202.05262"]),
        ({"eprint": " 2202.05262 ", "archiveprefix": "ARXIV"}, ["arxiv:2202.05262"]),
        ({"eprint": "hep-th/9711200v2"}, ["arxiv:hep-th/9711200"]),  # arXiv by default
        ({"eprint": "2202.05262", "archiveprefix": "HAL"}, []),
        ({"doi": "10.1162/NECO.1997.9.8.1735"}, [f"doi:{LSTM_DOI}"]),
        ({"doi": "https://doi.org/10.1162/NECO.1997.9.8.1735"}, [f"doi:{LSTM_DOI}"]),
        ({"doi": "10.48550/arXiv.2202.05262"}, ["arxiv:2202.05262"]),
        ({"doi": "not a doi"}, []),
        (
            {"url": "https://arxiv.org/pdf/2202.05262v2.pdf"},
            ["arxiv:2202.05262", "url:https://arxiv.org/pdf/2202.05262v2.pdf"],
        ),
        (
            {"url": "https://dx.doi.org/10.1162/NECO.1997.9.8.1735"},
            [f"doi:{LSTM_DOI}", "url:https://dx.doi.org/10.1162/NECO.1997.9.8.1735"],
        ),
        ({"url": "https://example.com/post/"}, ["url:https://example.com/post"]),
        ({"title": "{Long} {Short-Term} Memory"}, ["title:long short term memory"]),
        (
            {
                "eprint": "2202.05262v3",
                "doi": "10.48550/arXiv.2202.05262",
                "url": "https://arxiv.org/abs/2202.05262",
                "title": "Locating",
            },
            ["arxiv:2202.05262", "url:https://arxiv.org/abs/2202.05262", "title:locating"],
        ),
    ],
)
def test_bib_identities(fields: dict[str, str], expected: list[str]) -> None:
    assert bib_identities(fields) == expected


# --- plan: keys kept ------------------------------------------------------------------------------

FILE = """\
@misc{knuth84,
  title = {Literate Programming},
  year = 1984,
}

@misc{rome,
  title = {Locating and Editing},
  eprint = {2202.05262v5},
  archivePrefix = {arXiv},
}

@article{lstm97,
  title = {LSTM},
  doi = {https://doi.org/10.1162/NECO.1997.9.8.1735},
}

@misc{mine,
  note = {no identity but its title},
  title = {My Own Notes},
}

@misc{attention,
  title = {Attention},
  url = {https://arxiv.org/pdf/1706.03762v7.pdf},
}

@book{taocp,
  title = {The Art of Computer Programming},
}
"""


def test_works_in_the_file_keep_their_keys_and_the_rest_is_untouched_in_file_order() -> None:
    works = [preprint(MENG_ID), published(LSTM_DOI), preprint(VASWANI_ID), preprint("2404.03646")]
    result = plan(works, bib(FILE))
    assert result.reserved == {
        f"arxiv:{MENG_ID}": "rome",  # by eprint, version suffix dropped
        f"doi:{LSTM_DOI}": "lstm97",  # by DOI, URL form and upper case
        f"arxiv:{VASWANI_ID}": "attention",  # by arXiv URL
    }
    assert result.previous == {}
    assert keys(result.untouched) == ["knuth84", "mine", "taocp"]


@pytest.mark.parametrize(
    "doi_field",
    [
        "doi = {10.1162/neco.1997.9.8.1735}",
        "doi = {10.1162/NECO.1997.9.8.1735}",
        "doi = {https://doi.org/10.1162/neco.1997.9.8.1735}",
        "doi = {http://dx.doi.org/10.1162/NECO.1997.9.8.1735}",
        "doi = {doi:10.1162/neco.1997.9.8.1735}",
        "url = {https://doi.org/10.1162/NECO.1997.9.8.1735}",
    ],
)
def test_a_doi_in_any_case_or_url_form_finds_the_work(doi_field: str) -> None:
    entries = bib(f"@article{{hochreiter,\n  title = {{LSTM}},\n  {doi_field},\n}}\n")
    result = plan([published(LSTM_DOI)], entries)
    assert result.reserved == {f"doi:{LSTM_DOI}": "hochreiter"}
    assert result.untouched == []


def test_a_published_work_with_an_arxiv_id_is_found_by_either_identity() -> None:
    combined = published(HE_DOI, "Deep Residual Learning for Image Recognition", arxiv_id=HE_ID)
    by_eprint = bib(f"@misc{{resnet,\n  eprint = {{{HE_ID}v1}},\n}}\n")
    by_doi = bib(f"@inproceedings{{he16,\n  doi = {{{HE_DOI.upper()}}},\n}}\n")
    assert plan([combined], by_eprint).reserved == {f"arxiv:{HE_ID}": "resnet"}
    assert plan([combined], by_doi).reserved == {f"arxiv:{HE_ID}": "he16"}


def test_nothing_to_merge_with() -> None:
    assert plan([preprint(MENG_ID)], []) == MergePlan({}, {}, [])
    entries = bib(FILE)
    assert plan([], entries) == MergePlan({}, {}, entries)


# --- plan: placeholders and previous entries ------------------------------------------------------

PLACEHOLDER = f"""\
{PLACEHOLDER_MARK}
@misc{{locating2022,
  title = {{Locating and Editing Factual Associations in GPT}},
  url = {{https://arxiv.org/pdf/2202.05262.pdf}},
}}
"""


def test_placeholder_is_recognised_by_the_comment_just_before_it() -> None:
    entries = bib(
        PLACEHOLDER
        + "\n@misc{after,\n  title = {Next},\n}\n\n"
        + "% my notes on list2bib: unresolved things\n@misc{noted,\n  title = {Noted},\n}\n\n"
        + "% list2bib: ambiguous - built from b.md:2, not verified\n@misc{amb,\n  title = {A},\n}\n"
    )
    assert [(e.key, e.unverified) for e in entries] == [
        ("locating2022", True),
        ("after", False),
        ("noted", False),
        ("amb", True),
    ]


def test_a_placeholder_is_claimed_but_its_key_is_not_reserved() -> None:
    result = plan([preprint(MENG_ID)], bib(PLACEHOLDER))
    assert result.reserved == {}
    assert result.previous == {}
    assert result.untouched == []  # replaced by this run's entry, not kept beside it


def test_an_unverified_work_does_not_keep_a_placeholder_as_previous() -> None:
    failed = unverified(MENG_TITLE, f"https://arxiv.org/abs/{MENG_ID}v2")
    result = plan([failed], bib(PLACEHOLDER))
    assert (result.reserved, result.previous, result.untouched) == ({}, {}, [])


def test_the_same_entry_without_the_mark_is_a_real_entry_and_keeps_its_key() -> None:
    text = PLACEHOLDER.replace(PLACEHOLDER_MARK, "% checked by hand")
    result = plan([preprint(MENG_ID)], bib(text))
    assert result.reserved == {f"arxiv:{MENG_ID}": "locating2022"}


def test_an_unverified_work_keeps_the_real_previous_entry_verbatim() -> None:
    text = FILE + "\n" + PLACEHOLDER.replace("locating2022", "other")
    entries = bib(text)
    failed = unverified(MENG_TITLE, f"https://arxiv.org/abs/{MENG_ID}")  # arXiv was down
    result = plan([failed], entries)
    assert list(result.previous) == [f"arxiv:{MENG_ID}"]
    previous = result.previous[f"arxiv:{MENG_ID}"]
    assert previous.key == "rome"
    assert previous.raw.startswith("@misc{rome,") and "2202.05262v5" in previous.raw
    assert result.reserved == {}
    # `other` (a placeholder with the same identity) is not claimed: `rome` came first.
    assert keys(result.untouched) == ["knuth84", "lstm97", "mine", "attention", "taocp", "other"]


def test_an_unverified_work_without_identifiers_finds_its_entry_by_title() -> None:
    failed = unverified("My own notes")
    assert work_id(failed.record) == "title:my own notes"
    result = plan([failed], bib(FILE))
    assert keys(list(result.previous.values())) == ["mine"]
    assert "mine" not in keys(result.untouched)


def test_a_web_page_finds_its_entry_by_url() -> None:
    page = unverified("Toy Models", "https://transformer-circuits.pub/2022/toy_model/index.html")
    assert page.record.kind is WorkKind.WEB
    entries = bib(
        "@misc{toy,\n  title = {Toy Models of Superposition},\n"
        "  url = {https://transformer-circuits.pub/2022/toy_model/index.html},\n}\n"
    )
    result = plan([page], entries)
    assert list(result.previous.values()) == entries
    assert result.untouched == []


# --- plan: one entry, one work --------------------------------------------------------------------

BOTH = f"""\
@misc{{both,
  eprint = {{{MENG_ID}}},
  doi = {{{LSTM_DOI}}},
}}
"""


@pytest.mark.parametrize("arxiv_first", [True, False])
def test_one_file_entry_is_never_claimed_by_two_works(arxiv_first: bool) -> None:
    by_arxiv, by_doi = preprint(MENG_ID), published(LSTM_DOI)
    works = [by_arxiv, by_doi] if arxiv_first else [by_doi, by_arxiv]
    result = plan(works, bib(BOTH))
    assert result.reserved == {works[0].work_id: "both"}
    assert list(result.reserved.values()).count("both") == 1
    assert result.untouched == []


def test_a_work_takes_the_next_identity_when_its_strongest_entry_is_claimed() -> None:
    # Work 1 claims `rome` by its arXiv id; work 2 (same arXiv id + a DOI: in practice two works
    # the resolver refused to merge) then takes `lstm` by its DOI instead of nothing.
    first = preprint(MENG_ID)
    second = published(LSTM_DOI, arxiv_id=MENG_ID)
    second = Work("second", second.record, second.entries, second.status, ())
    entries = bib(
        f"@misc{{rome,\n  eprint = {{{MENG_ID}}},\n}}\n\n"
        f"@article{{lstm,\n  doi = {{{LSTM_DOI}}},\n}}\n"
    )
    result = plan([first, second], entries)
    assert result.reserved == {f"arxiv:{MENG_ID}": "rome", "second": "lstm"}
    assert result.untouched == []


def test_a_second_entry_with_the_same_identity_is_found_when_the_first_is_claimed() -> None:
    # `both` (arXiv id of Meng + DOI of LSTM) is claimed by the Meng work; `lstm` has the LSTM DOI
    # too and is the LSTM work's own entry. It must keep its key, not stay `untouched` while the
    # LSTM work is written again under a new key (two entries for one DOI in the output).
    entries = bib(BOTH + f"\n@article{{lstm,\n  doi = {{{LSTM_DOI}}},\n}}\n")
    result = plan([preprint(MENG_ID), published(LSTM_DOI)], entries)
    assert result.reserved == {f"arxiv:{MENG_ID}": "both", f"doi:{LSTM_DOI}": "lstm"}
    assert result.untouched == []


def test_an_eprint_written_with_the_arxiv_prefix_is_found() -> None:
    entries = bib("@misc{rome,\n  eprint = {arXiv:2202.05262},\n  archivePrefix = {arXiv},\n}\n")
    assert plan([preprint(MENG_ID)], entries).reserved == {f"arxiv:{MENG_ID}": "rome"}


# --- round trip: the entries list2bib writes are found again --------------------------------------


@pytest.mark.parametrize("ascii", [False, True])
def test_every_entry_list2bib_writes_is_claimed_by_its_work_on_the_next_run(ascii: bool) -> None:
    resolved_works = [
        preprint(MENG_ID),
        published(LSTM_DOI),
        published(HE_DOI, "Deep Residual Learning for Image Recognition", arxiv_id=HE_ID),
        published("10.1023/a:1026654312961", "The Large N Limit", arxiv_id="hep-th/9711200"),
        published("10.1007/bf01700692", "Über formal unentscheidbare Sätze"),
    ]
    unverified_works = [
        unverified("Mamba", "https://arxiv.org/abs/2404.03646v2"),
        unverified("A DOI whose service failed", "https://doi.org/10.1038/NATURE14539"),
        unverified("Toy Models", "https://transformer-circuits.pub/2022/toy_model/index.html"),
        unverified("Only a title"),
        # No link and a non-ASCII title: found again by its title only. Were it not claimed, it
        # would be kept verbatim *and* written again under a new key, one more on every run.
        unverified("Über formal unentscheidbare Sätze, Teil II"),
    ]
    works = resolved_works + unverified_works
    refs = [
        Reference(f"key{n:02d}", w.record, w.entries, w.status)
        for n, w in enumerate(works, start=1)
    ]
    text = render(refs, ascii=ascii)
    assert text.isascii() is ascii
    written = bib(text)
    assert len(written) == len(works)
    assert [e.unverified for e in written] == [False] * 5 + [True] * 5

    result = plan(works, written)
    assert result.reserved == {w.work_id: f"key{n:02d}" for n, w in enumerate(resolved_works, 1)}
    assert result.previous == {}  # placeholders are never kept as "previous"
    assert result.untouched == []  # every entry claimed: none written twice


@pytest.mark.parametrize(
    ("title", "identity"),
    [
        ("{B}ERT: Pre-training", "title:bert pre training"),
        ('G{\\"o}del Numbering', "title:godel numbering"),
        ("{\\L}ukasiewicz Logic", "title:lukasiewicz logic"),
    ],
)
def test_bib_title_identity_ignores_bibtex_markup(title: str, identity: str) -> None:
    assert bib_identities({"title": title}) == [identity]


# --- aliases, DBLP and last-resort identities, hand edits, the rename map ------------------------


def test_bib_identities_know_dblp_and_title_author_year() -> None:
    fields = {
        "title": "Locating and Editing Factual Associations in {GPT}",
        "author": "Meng, Kevin and Bau, David",
        "year": "2022",
        "biburl": "https://dblp.org/rec/conf/nips/MengBAB22.bib",
    }
    found = bib_identities(fields)
    assert "dblp:conf/nips/MengBAB22" in found
    assert found[-1] == "tay:locating and editing factual associations in gpt|meng|2022"


def test_a_title_author_year_match_finds_an_entry_without_ids() -> None:
    entries = bib(
        "@inproceedings{mine,\n  title = {Locating and Editing Factual Associations in {GPT}},\n"
        "  author = {Kevin Meng and David Bau},\n  year = {2022},\n}\n"
    )
    assert plan([preprint(MENG_ID)], entries).reserved == {f"arxiv:{MENG_ID}": "mine"}


TWO = """\
@misc{meng2022locating,
  title = {Locating},
  eprint = {2202.05262},
  ids = {mengold},
}

@inproceedings{rome,
  title = {Locating},
  doi = {10.1234/rome},
}
"""


@pytest.mark.parametrize("managed", [(), ("rome",)])
def test_two_entries_of_one_work_become_a_survivor_and_an_alias(managed: tuple[str, ...]) -> None:
    combined = work(replace(preprint(MENG_ID).record, published_doi="10.1234/rome"))
    result = plan([combined], bib(TWO), managed)
    survivor, other = ("rome", "meng2022locating") if managed else ("meng2022locating", "rome")
    assert result.reserved == {combined.work_id: survivor}
    assert result.untouched == []
    assert set(result.aliases[combined.work_id]) == {"mengold", other}
    assert result.merged == {combined.work_id: (other,)}  # mengold was an alias already


def test_an_unverified_work_merges_nothing() -> None:
    record = replace(preprint(MENG_ID).record, published_doi="10.1234/rome")
    combined = Work(
        work_id(record),
        record,
        (list_entry(),),
        Status.UNRESOLVED,
        (),
    )
    result = plan([combined], bib(TWO))
    assert [e.key for e in result.previous.values()] == ["meng2022locating"]
    assert keys(result.untouched) == ["rome"] and result.aliases == {}


def test_a_replaced_placeholder_key_becomes_an_alias() -> None:
    entries = bib(f"{PLACEHOLDER_MARK}\n@misc{{locating2022,\n  eprint = {{{MENG_ID}}},\n}}\n")
    result = plan([preprint(MENG_ID)], entries)
    assert result.reserved == {}
    assert result.aliases == {f"arxiv:{MENG_ID}": ("locating2022",)}


def test_hand_edits() -> None:
    written = {"title": "A  title", "year": "2022", "note": "x"}
    current = {"title": "A title", "year": "2023", "pages": "1--2", "ids": "old"}
    assert hand_edits(current, written) == {"year": "2023", "pages": "1--2", "note": None}


def test_renames_follow_chains_and_load_back(tmp_path: Path) -> None:
    path = renames_path(tmp_path / "refs.bib")
    assert path.name == "refs.bib.renames.json" and load_renames(path) == {}
    combined = updated_renames({"a": "b", "x": "y"}, {"b": "c", "y": "x"})
    assert combined == {"a": "c", "b": "c"}  # a cycle (x <-> y) names no rename
    assert save_renames(path, combined) and not save_renames(path, combined)
    assert load_renames(path) == combined
    path.write_text("[1]", encoding="utf-8")
    with pytest.raises(InputError, match="rename map"):
        load_renames(path)


def test_the_last_resort_never_claims_an_entry_with_another_doi() -> None:
    entries = bib(
        "@article{extension,\n  title = {Locating and Editing Factual Associations in {GPT}},\n"
        "  author = {Kevin Meng},\n  year = {2022},\n  doi = {10.1/journal},\n}\n"
    )
    result = plan([published("10.1/conference", MENG_TITLE)], entries)
    assert result.reserved == {} and keys(result.untouched) == ["extension"]
