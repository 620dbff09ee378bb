"""The module boundaries of the design, checked on the source so they cannot drift."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "list2bib"
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


# The command-line package: one module per command group.
CLI_MODULES = {module_name(p) for p in sorted((PACKAGE / "cli").glob("*.py"))}


def importers_of(prefix: str) -> set[str]:
    return {
        module_name(path)
        for path in MODULES
        if any(name == prefix or name.startswith(prefix + ".") for name in imports_of(path))
    }


@pytest.mark.parametrize(
    ("library", "allowed"),
    [
        ("requests", {"list2bib.infra.http"}),
        ("requests_cache", {"list2bib.infra.http"}),
        ("bibtexparser", {"list2bib.bibtex.render"}),
        ("click", CLI_MODULES),
        ("markdown_it", {"list2bib.read.document"}),
    ],
)
def test_only_one_module_imports(library: str, allowed: set[str]) -> None:
    assert importers_of(library) <= allowed


def test_leaf_modules_import_nothing_from_the_package() -> None:
    for leaf in ("model.py", "errors.py"):
        assert not any(n.startswith("list2bib") for n in imports_of(PACKAGE / leaf)), leaf


def test_nothing_imports_cli_or_pipeline() -> None:
    assert importers_of("list2bib.cli") <= {"list2bib.__main__"} | CLI_MODULES
    assert importers_of("list2bib.pipeline") <= CLI_MODULES


def test_only_config_reads_the_environment() -> None:
    readers = {
        module_name(path)
        for path in MODULES
        if "os.environ" in path.read_text(encoding="utf-8")
        or "getenv(" in path.read_text(encoding="utf-8")
    }
    assert readers <= {"list2bib.config"}


def test_only_cli_exits() -> None:
    exiting = {
        module_name(path) for path in MODULES if "sys.exit(" in path.read_text(encoding="utf-8")
    }
    assert exiting <= CLI_MODULES


def test_the_suite_cannot_reach_the_internet() -> None:
    """The conftest guard is what makes 'offline only' true; check that it bites."""
    import socket

    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    with pytest.raises(AssertionError, match="network"):
        socket.getaddrinfo("export.arxiv.org", 443)
