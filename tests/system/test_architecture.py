"""The architecture of src/list2bib, checked on the source so it cannot drift: ranks of the
packages, no cycles, who may import which library, module size, and that every module imports
on its own. See ARCHITECTURE.md for the rules and why."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "list2bib"
MAX_LINES = 450

# Rank of each top-level part of the package; a module may import a lower rank or its own part.
RANKS: dict[str, int] = {
    "model": 0,
    "errors": 0,
    "text": 1,
    "config": 1,
    "infra": 2,
    "bibtex": 2,
    "csl": 2,
    "read": 3,
    "resolve": 3,
    "works": 3,
    "zotero": 3,
    "report": 3,
    "pipeline": 4,
    "cli": 5,
}
# The stages: each turns one model type into the next and knows none of the others.
STAGES = frozenset(name for name, rank in RANKS.items() if rank == 3)
# `list2bib` itself holds only __version__; `python -m list2bib` is a door into cli.
SPECIAL_PARTS: dict[str, tuple[str, int]] = {
    "list2bib": ("list2bib", 0),
    "list2bib.__main__": ("cli", 5),
}

# A library (or a call such as os.replace) and the packages allowed to use it.
OWNERS: dict[str, tuple[str, ...]] = {
    "requests": ("list2bib.infra",),
    "requests_cache": ("list2bib.infra",),
    "bibtexparser": ("list2bib.bibtex",),
    "markdown_it": ("list2bib.read",),
    # Lists are read in read/; a fetched web page's citation metadata is read where the page
    # source asks for it (resolve/ cannot import read/: both are stages).
    "html.parser": ("list2bib.read", "list2bib.resolve.pagemeta"),
    "click": ("list2bib.cli",),
    "rich": ("list2bib.cli", "list2bib.report"),
    "sys.exit": ("list2bib.cli",),
    "os.environ": ("list2bib.config",),
    "os.getenv": ("list2bib.config",),
    "os.putenv": ("list2bib.config",),
    "tomllib": ("list2bib.config",),
    "os.replace": ("list2bib.infra.files",),
    "pyzotero": (),  # a test-only reader of what the Zotero client wrote
}
SOURCES = "list2bib.resolve.sources"


@dataclass(frozen=True, slots=True)
class Ref:
    """One import (or use of a module attribute such as os.environ) at a line of a module."""

    target: str
    line: int


@dataclass(frozen=True, slots=True)
class Facts:
    """What one module imports from list2bib, and every other name it imports or uses."""

    internal: tuple[Ref, ...]
    external: tuple[Ref, ...]


# --- reading the source ---------------------------------------------------------------------


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def source_files(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _internal(name: str, known: Iterable[str]) -> str:
    """The longest known module that `name` is, or is inside (`list2bib.model.Record` is
    list2bib.model)."""
    return max((m for m in known if _within(name, m)), key=len, default=name)


def read_facts(source: str, name: str, is_package: bool, known: frozenset[str]) -> Facts:
    """Every import in the module, wherever it is: ast.walk also enters `if TYPE_CHECKING:`
    blocks and function bodies, so those imports count like any other."""
    tree = ast.parse(source)
    root = name.split(".")[0]
    internal: list[Ref] = []
    external: list[Ref] = []
    aliases: dict[str, str] = {}  # local name -> module, for os.environ and the like

    def add(target: str, line: int) -> None:
        if _within(target, root):
            internal.append(Ref(_internal(target, known), line))
        else:
            external.append(Ref(target, line))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if is_package else name.rpartition(".")[0]
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - (node.level - 1)])
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                if alias.name == "*":
                    add(base, node.lineno)
                    continue
                full = f"{base}.{alias.name}"
                if _within(base, root):
                    add(full if full in known else base, node.lineno)
                else:
                    add(base, node.lineno)
                    add(full, node.lineno)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            external.append(Ref(f"{aliases[node.value.id]}.{node.attr}", node.lineno))
    # `from x import a, b` is one import of x, not two.
    return Facts(tuple(dict.fromkeys(internal)), tuple(dict.fromkeys(external)))


def read_package(root: Path = PACKAGE) -> dict[str, Facts]:
    files = source_files(root)
    known = frozenset(files)
    return {
        name: read_facts(path.read_text(encoding="utf-8"), name, path.stem == "__init__", known)
        for name, path in files.items()
    }


# --- the rules, as pure functions over {module: Facts} ----------------------------------------


def part_of(module: str) -> tuple[str, int] | None:
    """The top-level part of list2bib a module belongs to, and its rank (None: no rank yet)."""
    if module in SPECIAL_PARTS:
        return SPECIAL_PARTS[module]
    top = module.split(".")[1]
    return (top, RANKS[top]) if top in RANKS else None


def _between_parts(
    facts: Mapping[str, Facts],
) -> list[tuple[str, Ref, tuple[str, int], tuple[str, int]]]:
    """Every import from one ranked part of list2bib into another: (module, import, parts)."""
    edges = []
    for module, fact in sorted(facts.items()):
        for ref in fact.internal:
            mine, theirs = part_of(module), part_of(ref.target)
            if mine and theirs and mine[0] != theirs[0]:
                edges.append((module, ref, mine, theirs))
    return edges


def rank_violations(facts: Mapping[str, Facts]) -> list[str]:
    return [
        f"{module}:{ref.line} imports {ref.target} ({theirs[0]}, rank {theirs[1]}); "
        f"{module} is {mine[0]}, rank {mine[1]}: only a lower rank or its own package"
        for module, ref, mine, theirs in _between_parts(facts)
        if theirs[1] >= mine[1]
    ]


def stage_crossings(facts: Mapping[str, Facts]) -> list[str]:
    return [
        f"{module}:{ref.line} imports {ref.target}: stage {mine[0]} reaches into "
        f"stage {theirs[0]} (stages meet only in model types and pipeline)"
        for module, ref, mine, theirs in _between_parts(facts)
        if {mine[0], theirs[0]} <= STAGES
    ]


def cycles(facts: Mapping[str, Facts]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph = {
        m: sorted({r.target for r in f.internal if r.target in facts}) for m, f in facts.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def describe_cycle(facts: Mapping[str, Facts], component: Sequence[str]) -> str:
    edges = [
        f"{module}:{ref.line} -> {ref.target}"
        for module in component
        for ref in facts[module].internal
        if ref.target in component and ref.target != module
    ]
    return "cycle among " + ", ".join(component) + " (" + "; ".join(edges) + ")"


def owner_violations(facts: Mapping[str, Facts], owners: Mapping[str, Sequence[str]]) -> list[str]:
    found = set()
    for module, fact in facts.items():
        for name, allowed in owners.items():
            lines = [r.line for r in fact.external if _within(r.target, name)]
            if lines and not any(_within(module, owner) for owner in allowed):
                where = " or ".join(allowed) or "no module of list2bib"
                found.add(f"{module}:{min(lines)} uses {name}, which belongs to {where}")
    return sorted(found)


def source_importers(facts: Mapping[str, Facts]) -> list[str]:
    """Concrete services (resolve/sources/<name>) are chosen and asked only inside resolve/."""
    return [
        f"{module}:{ref.line} imports {ref.target}: only resolve/ picks a concrete source"
        for module, fact in sorted(facts.items())
        for ref in fact.internal
        if ref.target.startswith(SOURCES + ".") and not _within(module, "list2bib.resolve")
    ]


def unguarded_statements(source: str) -> list[int]:
    """Top-level statements of a __main__ module that would run on a plain import."""
    harmless = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    lines = []
    for stmt in ast.parse(source).body:
        if isinstance(stmt, harmless) or (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        ):
            continue
        if isinstance(stmt, ast.If) and ast.unparse(stmt.test).replace("'", '"') in (
            '__name__ == "__main__"',
            '"__main__" == __name__',
        ):
            continue
        lines.append(stmt.lineno)
    return lines


def report(found: Sequence[str]) -> str:
    return f"{len(found)} violation(s):\n  " + "\n  ".join(found)


# --- the checks on the real source ------------------------------------------------------------

FILES = source_files()
FACTS = read_package()


def test_every_module_has_a_rank() -> None:
    unranked = sorted(m for m in FACTS if part_of(m) is None)
    assert not unranked, f"give these a rank in RANKS and ARCHITECTURE.md: {unranked}"


@pytest.mark.parametrize("module", sorted(FACTS))
def test_imports_only_lower_ranks_or_its_own_package(module: str) -> None:
    found = rank_violations({module: FACTS[module]})
    assert not found, report(found)


def test_no_stage_imports_another_stage() -> None:
    found = stage_crossings(FACTS)
    assert not found, report(found)


def test_no_import_cycles() -> None:
    found = [describe_cycle(FACTS, component) for component in cycles(FACTS)]
    assert not found, report(found)


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_library_used_only_by_its_owner(library: str) -> None:
    found = owner_violations(FACTS, {library: OWNERS[library]})
    assert not found, report(found)


def test_concrete_sources_are_imported_only_inside_resolve() -> None:
    found = source_importers(FACTS)
    assert not found, report(found)


@pytest.mark.parametrize("module", sorted(FILES))
def test_module_is_at_most_max_lines(module: str) -> None:
    lines = len(FILES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES}): split it"


def test_python_m_list2bib_runs_nothing_on_import() -> None:
    lines = unguarded_statements((PACKAGE / "__main__.py").read_text(encoding="utf-8"))
    guard = 'if __name__ == "__main__":'
    assert not lines, f"list2bib/__main__.py lines {lines} run on import: put them under {guard}"


def _import_alone(module: str) -> str | None:
    """Import one module in a fresh interpreter; what went wrong, or None."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no message"]
        return f"{module}: exit code {done.returncode}: {tail[0]}"
    if done.stdout:
        return f"{module}: printed on import: {done.stdout[:80]!r}"
    return None


def test_every_module_imports_on_its_own() -> None:
    """A real fresh interpreter per module (clearing sys.modules would not undo a partially
    initialised import), a few at a time."""
    workers = min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(workers) as pool:
        found = [problem for problem in pool.map(_import_alone, sorted(FILES)) if problem]
    assert not found, report(found)


# --- the checker itself catches what it should ------------------------------------------------


def _facts(internal: Sequence[tuple[str, int]] = (), external: Sequence[str] = ()) -> Facts:
    return Facts(tuple(Ref(t, n) for t, n in internal), tuple(Ref(t, 1) for t in external))


SYNTHETIC: dict[str, Facts] = {
    "list2bib": _facts(),
    "list2bib.__main__": _facts([("list2bib.cli", 1)]),
    "list2bib.model": _facts(),
    "list2bib.text.titles": _facts([("list2bib.model", 1), ("list2bib.bibtex.latex", 3)]),
    "list2bib.bibtex.latex": _facts([("list2bib.model", 1)]),
    "list2bib.resolve.book": _facts([("list2bib.works.dedupe", 7), ("list2bib.resolve.rounds", 9)]),
    "list2bib.resolve.rounds": _facts(
        [("list2bib.resolve.book", 4), ("list2bib.resolve.sources.arxiv", 5)]
    ),
    "list2bib.resolve.sources.arxiv": _facts([("list2bib.infra.http", 2)], ["requests"]),
    "list2bib.infra.http": _facts([("list2bib.errors", 1)], ["requests.adapters"]),
    "list2bib.works.dedupe": _facts([("list2bib.text.titles", 2)], ["os.environ"]),
    "list2bib.works.state": _facts([("list2bib.resolve.sources.arxiv", 2)]),
    "list2bib.cli": _facts([("list2bib.pipeline", 1)], ["click", "sys.exit"]),
    "list2bib.pipeline": _facts([("list2bib.cli", 8)]),
}


def test_checker_finds_rank_violations() -> None:
    assert rank_violations(SYNTHETIC) == [
        "list2bib.pipeline:8 imports list2bib.cli (cli, rank 5); list2bib.pipeline is pipeline, "
        "rank 4: only a lower rank or its own package",
        "list2bib.resolve.book:7 imports list2bib.works.dedupe (works, rank 3); "
        "list2bib.resolve.book is resolve, rank 3: only a lower rank or its own package",
        "list2bib.text.titles:3 imports list2bib.bibtex.latex (bibtex, rank 2); "
        "list2bib.text.titles is text, rank 1: only a lower rank or its own package",
        "list2bib.works.state:2 imports list2bib.resolve.sources.arxiv (resolve, rank 3); "
        "list2bib.works.state is works, rank 3: only a lower rank or its own package",
    ]


def test_checker_finds_stage_crossings_cycles_owners_and_sources() -> None:
    assert [line.split(":")[0] for line in stage_crossings(SYNTHETIC)] == [
        "list2bib.resolve.book",
        "list2bib.works.state",
    ]
    assert cycles(SYNTHETIC) == [
        ["list2bib.cli", "list2bib.pipeline"],
        ["list2bib.resolve.book", "list2bib.resolve.rounds"],
    ]
    assert owner_violations(SYNTHETIC, OWNERS) == [
        "list2bib.resolve.sources.arxiv:1 uses requests, which belongs to list2bib.infra",
        "list2bib.works.dedupe:1 uses os.environ, which belongs to list2bib.config",
    ]
    assert source_importers(SYNTHETIC) == [
        "list2bib.works.state:2 imports list2bib.resolve.sources.arxiv: "
        "only resolve/ picks a concrete source"
    ]


def test_reader_sees_type_checking_relative_and_attribute_imports() -> None:
    source = "\n".join(
        [
            "from __future__ import annotations",
            "import os",
            "from typing import TYPE_CHECKING",
            "from list2bib import model, __version__",
            "from . import titles",
            "from ..bibtex.latex import clean_text",
            "if TYPE_CHECKING:",
            "    from list2bib.works.dedupe import Work",
            "def late() -> str:",
            "    import requests",
            "    return os.environ['HOME']",
        ]
    )
    known = frozenset(
        {
            "list2bib",
            "list2bib.model",
            "list2bib.text",
            "list2bib.text.titles",
            "list2bib.bibtex.latex",
            "list2bib.works.dedupe",
        }
    )
    facts = read_facts(source, "list2bib.text.names", is_package=False, known=known)
    assert {(r.target, r.line) for r in facts.internal} == {
        ("list2bib.model", 4),
        ("list2bib", 4),
        ("list2bib.text.titles", 5),
        ("list2bib.bibtex.latex", 6),
        ("list2bib.works.dedupe", 8),
    }
    external = {r.target for r in facts.external}
    assert {"os", "requests", "os.environ"} <= external


def test_guard_check_flags_a_bare_call() -> None:
    assert unguarded_statements('"""Doc."""\nfrom x import main\n\nmain()\n') == [4]
    guarded = 'from x import main\n\nif __name__ == "__main__":\n    main()\n'
    assert unguarded_statements(guarded) == []


def test_the_suite_cannot_reach_the_internet() -> None:
    """The conftest guard is what makes 'offline only' true; check that it bites."""
    import socket

    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    with pytest.raises(AssertionError, match="network"):
        socket.getaddrinfo("export.arxiv.org", 443)
