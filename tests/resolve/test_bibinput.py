"""A .bib given as a list: resolved again, but never written back worse than it was."""

from __future__ import annotations

from pathlib import Path

from list2bib.model import ListEntry, Person, Record, WorkKind
from list2bib.resolve.bibinput import combine, input_record


def bib_entry(entry_type: str, **fields: str) -> ListEntry:
    return ListEntry("refs.bib", 1, (), fields.get("title", ""), key="k",
                     fields=tuple(fields.items()), entry_type=entry_type)  # fmt: skip


PUBLISHED = bib_entry(
    "inproceedings",
    title="Locating and Editing Factual Associations in {GPT}",
    author="Meng, Kevin and {OpenAI and Friends} and Bau, David",
    booktitle="Advances in Neural Information Processing Systems",
    year="2022",
    month="dec",
    eprint="2202.05262",
    archiveprefix="arXiv",
    note="Read twice",
)
PREPRINT_RECORD = Record(
    source="arxiv",
    entry_type="misc",
    title="Locating and Editing Factual Associations in GPT",
    authors=(Person("Meng", "Kevin"),),
    year="2022",
    arxiv_id="2202.05262",
    primary_class="cs.CL",
    kind=WorkKind.PREPRINT,
)


def test_input_record_reads_the_users_fields() -> None:
    record = input_record(PUBLISHED)
    assert record.entry_type == "inproceedings" and record.kind is WorkKind.PUBLISHED
    assert [p.family for p in record.authors] == ["Meng", "OpenAI and Friends", "Bau"]
    assert record.authors[1].literal
    assert record.month == 12 and record.arxiv_id == "2202.05262"
    assert record.venue == {
        "booktitle": "Advances in Neural Information Processing Systems",
        "note": "Read twice",
    }


def test_arxiv_journal_is_not_a_venue() -> None:
    entry = bib_entry("article", title="T", journal="arXiv preprint arXiv:1706.03762")
    assert input_record(entry).kind is WorkKind.UNRESOLVED
    entry = bib_entry("article", title="T", journal="CoRR", eprint="1706.03762",
                      archiveprefix="arXiv")  # fmt: skip
    assert input_record(entry).kind is WorkKind.PREPRINT


def test_nothing_found_keeps_the_entry_as_it_was() -> None:
    problems: list[str] = []
    record = combine(None, PUBLISHED, problems)
    assert record == input_record(PUBLISHED)
    assert problems == ["kept the entry as the input .bib gives it"]


def test_a_preprint_does_not_replace_the_users_venue() -> None:
    problems: list[str] = []
    record = combine(PREPRINT_RECORD, PUBLISHED, problems)
    assert record.kind is WorkKind.PUBLISHED
    assert record.venue["booktitle"] == "Advances in Neural Information Processing Systems"
    assert record.primary_class == "cs.CL"  # what the service adds is still taken
    assert "venue of the input .bib" in problems[0]


def test_a_resolved_record_keeps_the_users_own_fields_but_not_stale_venues() -> None:
    entry = bib_entry("article", title="Attention", journal="arXiv preprint arXiv:1706.03762",
                      note="classic", abstract="We propose", eprint="1706.03762",
                      archiveprefix="arXiv")  # fmt: skip
    record = combine(PREPRINT_RECORD, entry, [])
    assert record.venue == {"note": "classic", "abstract": "We propose"}
    assert record.title == PREPRINT_RECORD.title


def test_bib_list_end_to_end_keeps_keys(tmp_path: Path) -> None:
    from fakes import FakeArxiv, FakeClock, FakeDoi, World
    from list2bib import pipeline
    from list2bib.bibtex.parse import read_entries
    from list2bib.config import Config, ServiceConfig

    source = tmp_path / "mine.bib"
    source.write_text(
        "@inproceedings{rome22,\n  title = {Locating and Editing Factual Associations in {GPT}},\n"
        "  author = {Meng, Kevin},\n  booktitle = {NeurIPS},\n  year = {2022},\n"
        "  eprint = {2202.05262},\n  archivePrefix = {arXiv},\n  note = {Read twice},\n}\n\n"
        "@misc{secret,\n  title = {An Unpublished Note},\n  author = {Doe, Jane},\n"
        "  year = {2020},\n  howpublished = {Personal communication},\n}\n",
        encoding="utf-8",
    )
    world = World.load()
    with FakeArxiv(world) as arxiv, FakeDoi(world) as doi:
        config = Config(
            output=tmp_path / "out.bib",
            cache_dir=tmp_path / "cache",
            services={"arxiv": ServiceConfig(arxiv.base_url, 0, 100),
                      "doi": ServiceConfig(doi.base_url, 0)},
        )  # fmt: skip
        pipeline.build([source], config, clock=FakeClock())
    out = {e.key: e for e in read_entries(config.output)}
    assert set(out) == {"rome22", "secret"}
    assert out["rome22"].entry_type == "inproceedings"
    assert out["rome22"].fields["booktitle"] == "NeurIPS"
    assert out["rome22"].fields["note"] == "Read twice"
    assert out["rome22"].fields["primaryclass"] == "cs.CL"
    assert out["secret"].fields["howpublished"] == "Personal communication"
    assert out["secret"].fields["author"] == "Doe, Jane"


def test_an_unverified_entry_of_a_users_bib_keeps_its_type(tmp_path: Path) -> None:
    from list2bib.bibtex.render import entry_type
    from list2bib.model import ListEntry, Reference, Status
    from list2bib.resolve.bibinput import input_record

    listed = ListEntry(
        source="in.bib", line=1, topics=(), title="Unknown Thing", key="unknownthing",
        entry_type="article", fields=(("title", "Unknown Thing"), ("journal", "J. Imaginary Res.")),
    )  # fmt: skip
    ref = Reference("unknownthing", input_record(listed), (listed,), Status.UNRESOLVED)
    assert entry_type(ref) == "article"
