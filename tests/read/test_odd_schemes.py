"""An entry whose only link is not a web address (ftp:, file:, data:, javascript:) stays an entry:
its link text is its title, the link itself is neither kept nor followed."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from list2bib.bibtex.parse import read_file
from list2bib.cli import main
from list2bib.read.dispatch import read_list

LIST = (
    "# Papers\n\n"
    "- [Sparse Codes for Old Servers](ftp://ftp.example.org/pub/sparse.ps.gz)\n"
    "- [Scripted Attention Tricks](javascript:alert(document.cookie))\n"
    "- [Local File Transformers](file:///etc/passwd)\n"
    "- [Inline Data Embeddings](data:text/html;base64,PHNjcmlwdD4=)\n"
    "- [A Web Paper](https://arxiv.org/abs/2101.00001)\n"
    "- [Write to us](mailto:maintainers@example.org)\n"
)
TITLES = ["Sparse Codes for Old Servers", "Scripted Attention Tricks", "Local File Transformers",
          "Inline Data Embeddings", "A Web Paper"]  # fmt: skip


def test_entries_with_only_an_odd_link_are_read(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(LIST, encoding="utf-8")
    entries = read_list(path)
    assert [e.title for e in entries] == TITLES
    assert [len(e.links) for e in entries] == [0, 0, 0, 0, 1]


@pytest.mark.parametrize("scheme", ["ftp:", "file:", "data:", "javascript:"])
def test_no_odd_target_reaches_the_bib(tmp_path: Path, scheme: str) -> None:
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    env = {"LIST2BIB_OFFLINE": "1", "LIST2BIB_CACHE_DIR": str(tmp_path / "cache")}
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(main, ["build", "list.md"], env=env)
    assert "Traceback" not in result.output
    bib = tmp_path / "output" / "references.bib"
    titles = {e.fields.get("title", "").strip("{}") for e in read_file(bib).entries}
    assert set(TITLES) <= titles  # none vanished
    assert scheme not in bib.read_text(encoding="utf-8")
