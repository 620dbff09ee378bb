"""CSL-JSON output: valid against the CSL data schema (tests/data/csl/csl-data.json, from
github.com/citation-style-language/schema, MIT) and rendered by citeproc-py, a CSL processor."""

from __future__ import annotations

import json
from pathlib import Path

import citeproc  # type: ignore[import-untyped]
import jsonschema
import pytest
from citeproc import (  # type: ignore[import-untyped]
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

from list2bib import pipeline
from list2bib.bibtex.render import entry_type
from list2bib.config import Config
from list2bib.csl.render import csl_item, plain, render_csl
from list2bib.model import Person, Record, Reference, Status, WorkKind
from system.test_latex import REFERENCES

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "csl" / "csl-data.json").read_text("utf-8")
)
STYLE = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
REAL_LISTS = Path(__file__).resolve().parents[3] / "shared" / "lists"


def _text() -> str:
    return render_csl(REFERENCES, {r.key: entry_type(r) for r in REFERENCES})


def _bibliography(items: list[dict[str, object]]) -> list[str]:
    style = CitationStylesStyle(str(STYLE), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(line) for line in bibliography.bibliography()]


def test_output_is_valid_csl_data_and_stable() -> None:
    text = _text()
    items = json.loads(text)
    jsonschema.validate(items, SCHEMA)
    assert [item["id"] for item in items] == sorted(
        (r.key for r in REFERENCES), key=lambda k: (k.casefold(), k)
    )
    assert _text() == text


def test_types_dates_and_plain_text() -> None:
    items = {item["id"]: item for item in json.loads(_text())}
    meng, godel, elhage = items["meng2022locating"], items["godel1931uber"], items["elhage2022toy"]
    assert meng["type"] == "article"  # a preprint, as arXiv's own CSL says
    assert (meng["publisher"], meng["number"]) == ("arXiv", "arXiv:2202.05262")
    assert meng["DOI"] == "10.48550/arXiv.2202.05262"
    assert meng["issued"] == {"date-parts": [[2022, 2]]}
    assert godel["type"] == "article-journal" and "publisher" not in godel
    assert godel["container-title"] == "Monatshefte für Mathematik und Physik"
    assert godel["page"] == "173-198"
    assert elhage["type"] == "webpage"
    assert items["vaswani2017attention"]["type"] == "paper-conference"
    assert items["vaswani2017attention"]["volume"] == "30"
    assert items["someblog"]["note"].startswith("unresolved")
    assert "issued" not in items["someblog"]  # undated: the processor prints its "n.d."
    assert {"family": "Kaiser", "given": "Łukasz"} in items["vaswani2017attention"]["author"]
    assert {"literal": "OpenAI"} in items["wubben2004near"]["author"]
    assert godel["title"].startswith("Über formal unentscheidbare Sätze")  # no BibTeX braces
    assert items["hu2021lora"]["title"].startswith("LoRA: Low-rank adaptation of LLMs")


def test_plain_removes_bibtex_markup() -> None:
    assert plain(r"Proceedings of {ACL} \& {EMNLP}") == "Proceedings of ACL & EMNLP"
    assert plain("173--198") == "173–198"


def test_a_user_bib_written_in_latex_is_plain_text_in_csl_json(tmp_path: Path) -> None:
    listing = tmp_path / "mine.bib"
    listing.write_text(
        "@article{k1,\n"
        '  author = {Kaiser, {\\L}ukasz and G{\\"o}del, Kurt and {\\aa}{\\O}},\n'
        "  title = {Z{\\l}oty {\\\"U}ber {\\L}{\\'o}d{\\'z} \\emph{na} {\\O}resund},\n"
        '  journal = {J. T{\\"u}bingen},\n  year = {2020},\n}\n',
        "utf-8",
    )
    config = Config(output=tmp_path / "refs.json", cache_dir=tmp_path / "cache", offline=True)
    pipeline.build([listing], config)
    [item] = json.loads((tmp_path / "refs.json").read_text("utf-8"))
    assert item["title"] == "Złoty Über Łódź na Øresund"
    assert item["container-title"] == "J. Tübingen"
    assert item["author"] == [
        {"family": "Kaiser", "given": "Łukasz"},
        {"family": "Gödel", "given": "Kurt"},
        {"literal": "åØ"},
    ]


def test_rendered_by_a_csl_processor() -> None:
    lines = _bibliography(json.loads(_text()))
    assert len(lines) == len(REFERENCES)
    joined = "\n".join(lines)
    assert "Vaswani, A." in joined and "Attention is All you Need" in joined
    assert "Meng, K., Bau, D. and Belinkov, Y. (2022)" in joined


def test_a_json_output_is_csl_json_and_keys_match_the_bibtex_ones(tmp_path: Path) -> None:
    listing = tmp_path / "papers.md"
    listing.write_text("# Papers\n\n- [A post](https://example.org/a) (2021)\n", "utf-8")
    for name in ("refs.json", "refs.bib"):
        config = Config(output=tmp_path / name, cache_dir=tmp_path / "cache", offline=True)
        pipeline.build([listing], config)
    items = json.loads((tmp_path / "refs.json").read_text("utf-8"))
    jsonschema.validate(items, SCHEMA)
    assert all(f"{{{item['id']}," in (tmp_path / "refs.bib").read_text() for item in items)


def test_a_name_without_family_is_literal() -> None:
    ref = Reference(
        "x",
        Record(source="list", entry_type="misc", title="T", authors=(Person("", "Plato"),)),
        (),
        Status.RESOLVED,
    )
    assert csl_item(ref, "misc")["author"] == [{"literal": "Plato"}]


@pytest.mark.skipif(not REAL_LISTS.is_dir(), reason="../shared/lists not present")
def test_real_lists_validate_and_render(tmp_path: Path) -> None:
    lists = sorted(p for p in REAL_LISTS.glob("*.md") if p.name != "README.md")
    config = Config(output=tmp_path / "refs.json", cache_dir=tmp_path / "cache", offline=True)
    pipeline.build(lists, config)
    items = json.loads(config.output.read_text("utf-8"))
    assert len(items) > 500
    jsonschema.validate(items, SCHEMA)
    assert len(_bibliography(items[:50])) == 50


def test_editors_and_series_of_a_proceedings_volume() -> None:
    record = Record(
        source="dblp", entry_type="inproceedings", title="T", year="2006",
        venue={"booktitle": "SPIRE", "editor": "Fabio Crestani and Mark Sanderson",
               "series": "Lecture Notes in Computer Science", "volume": "4209"},
    )  # fmt: skip
    item = csl_item(Reference("x", record, (), Status.RESOLVED), "inproceedings")
    assert item["editor"] == [
        {"family": "Crestani", "given": "Fabio"}, {"family": "Sanderson", "given": "Mark"},
    ]  # fmt: skip
    assert (item["collection-title"], item["volume"]) == (
        "Lecture Notes in Computer Science",
        "4209",
    )
    jsonschema.validate([item], SCHEMA)


def test_the_day_a_page_was_read_is_accessed() -> None:
    record = Record(
        source="page", entry_type="misc", title="T", url="https://x.org/p",
        venue={"howpublished": "X", "urldate": "2026-01-05"}, kind=WorkKind.WEB,
    )  # fmt: skip
    item = csl_item(Reference("x", record, (), Status.RESOLVED), "misc")
    assert item["accessed"] == {"date-parts": [[2026, 1, 5]]}
    assert (item["type"], item["container-title"]) == ("webpage", "X")
    jsonschema.validate([item], SCHEMA)
