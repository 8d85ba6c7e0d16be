"""No import cycle in course_utils, counting every import statement, wherever it is.

The graph is built with ``ast`` from the source files (nothing is imported): an edge
``a -> b`` for every ``import``/``from ... import`` in module ``a`` that names the
course_utils module ``b`` — at module level *and* inside functions, because a deferred
import only hides a cycle (the two modules still need each other). ``from pkg import name``
points at the submodule ``pkg.name`` when that is a module, else at ``pkg``. Edges to a
module's parent packages (which Python also runs on import) are not added: the package
``__init__`` files import nothing from their submodules.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = "course_utils"
ROOT = Path(__file__).resolve().parents[1]


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """``{dotted module name: file}`` for every module of the package."""
    out = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph(files: dict[str, Path]) -> dict[str, set[str]]:
    """``{module: set of course_utils modules it imports}`` (all import statements)."""
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, is_package, node)
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base
                         for a in node.names]
            else:
                continue
            for name in names:
                while name and name not in files:  # import a.b.c -> the module a.b.c
                    name = name.rpartition(".")[0]
                if name.startswith(PACKAGE) and name != module:
                    targets.add(name)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]`` (``a`` imports ``b`` ...), or None."""
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:  # graphlib lists each node before its importer
        return list(reversed(exc.args[1]))
    return None


def test_the_cycle_finder_finds_a_deferred_import_cycle(tmp_path: Path) -> None:
    """A function-level import that closes a loop counts (as datasets <-> mirror did)."""
    pkg = tmp_path / PACKAGE
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from course_utils.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n    return a\n")
    (pkg / "c.py").write_text("import course_utils.a\n")
    graph = import_graph(module_files(tmp_path))
    assert graph["course_utils.c"] == {"course_utils.a"}
    cycle = find_cycle(graph)
    assert cycle is not None and set(cycle) == {"course_utils.a", "course_utils.b"}
    (pkg / "b.py").write_text("def f():\n    return 1\n")
    assert find_cycle(import_graph(module_files(tmp_path))) is None


def test_course_utils_has_no_import_cycle() -> None:
    files = module_files()
    graph = import_graph(files)
    assert "course_utils.datasets" in graph and graph["course_utils.datasets"], (
        "the graph must see the package's imports (else this test checks nothing)"
    )
    cycle = find_cycle(graph)
    if cycle is not None:
        pytest.fail("import cycle in course_utils: " + " -> ".join(cycle))
