"""A user's field values stay BibTeX values: a concatenation (`{My note} # " -- " # me`) and an
`@string` name in a hand-edited field of an entry the list also produces come back byte for byte
after a build, the file compiles with bibtex and with biber, and a CRLF file keeps CRLF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_latex import BIBLATEX_DOC, PLAIN_DOC, _compile, _need

from fakes import FakeClock, FakeServices, World
from list2bib import pipeline
from list2bib.bibtex.parse import read_file
from list2bib.config import Config

STRINGS = '@string{me = {Jane Doe}}\n@string{venueshort = "Proc. of Things"}\n'
NOTE = '  note = {My note} # " -- " # me,\n'
ADDENDUM = "  addendum = venueshort,\n"


@pytest.fixture
def services() -> Iterator[FakeServices]:
    with FakeServices(World.load()) as fakes:
        yield fakes


def _built_then_edited(services: FakeServices, tmp_path: Path) -> tuple[Path, Path, Config]:
    listed = tmp_path / "list.txt"
    listed.write_text("arXiv:2202.05262\n", encoding="utf-8")
    config = services.config(tmp_path)
    pipeline.build([listed], config, clock=FakeClock())
    text = config.output.read_text(encoding="utf-8")
    start = text.index("@", text.index("meng2022locating") - 40)
    body = text.index("\n", start) + 1  # after `@inproceedings{meng2022locating,`
    edited = STRINGS + "\n" + text[:body] + NOTE + ADDENDUM + text[body:]
    config.output.write_text(edited, encoding="utf-8")
    return listed, config.output, config


def test_concatenation_and_string_names_survive_a_build(
    services: FakeServices, tmp_path: Path
) -> None:
    listed, output, config = _built_then_edited(services, tmp_path)
    for _ in range(2):  # the second run changes nothing further
        pipeline.build([listed], config, clock=FakeClock())
        text = output.read_text(encoding="utf-8")
        assert NOTE in text and ADDENDUM in text, text
        assert "@string{me = {Jane Doe}}" in text
        assert "{{My note}" not in text
    (entry,) = [e for e in read_file(output).entries if e.key == "meng2022locating"]
    assert entry.fields["addendum"] == "Proc. of Things"  # read as its value


@pytest.mark.parametrize("backend", ["bibtex", "biber"])
def test_the_kept_values_compile(services: FakeServices, tmp_path: Path, backend: str) -> None:
    _need("pdflatex", backend, "kpsewhich")
    listed, output, config = _built_then_edited(services, tmp_path)
    pipeline.build([listed], config, clock=FakeClock())
    document = PLAIN_DOC if backend == "bibtex" else BIBLATEX_DOC
    folder = tmp_path / "tex"
    folder.mkdir()
    _compile(folder, output.read_text(encoding="utf-8"), document, backend)
    bbl = (folder / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert "My note -- Jane Doe" in bbl or "My note -{}- Jane Doe" in bbl, bbl


def test_a_crlf_file_keeps_crlf(services: FakeServices, tmp_path: Path) -> None:
    listed, output, config = _built_then_edited(services, tmp_path)
    output.write_bytes(output.read_bytes().replace(b"\n", b"\r\n"))
    pipeline.build([listed], config, clock=FakeClock())
    data = output.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > 10
    assert NOTE.replace("\n", "\r\n").encode() in data
    again = pipeline.build([listed], config, clock=FakeClock())
    assert not again.written and output.read_bytes() == data
