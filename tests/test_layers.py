"""The package's modules import downwards only.

Each module has one place in the layers below (lowest first). A module may import modules of
its own layer or of lower ones, at module level or inside a function, and the imports among
the package's modules, both kinds together, form no cycle. A function-level import that
reaches a higher layer (the usual way to dodge a cycle) fails here, unless it is listed in
``ALLOWED`` with its reason. The modules are read with ``ast``, nothing is imported.
"""

from __future__ import annotations

import ast
import fnmatch
import pathlib

import pytest

import onnxarray

PACKAGE = pathlib.Path(onnxarray.__file__).parent

# Lowest first. A module's layer is the first whose pattern matches its name; names listed here
# that do not exist are ignored.
LAYERS: list[tuple[str, list[str]]] = [
    ("leaves: dtypes, constants, caches, opset forms",
     ["_dtypes", "_constants", "_caches", "_opset_forms", "_version"]),
    ("the recorder, value ranges on it, and the runtime's gaps",
     ["_graph", "_value_ranges", "_ort_compat", "_numpy_kernels"]),
    ("eager execution (the only onnxruntime import)", ["_executor"]),
    ("typed ONNX emitters", ["_ops"]),
    ("lowerings on Values: dims, complex parts, math composites, control flow, strings",
     ["_dims", "_complex_parts", "_elementary", "_trig", "_signbit", "_math", "_control_flow",
      "_strings"]),
    ("the Array object", ["_array_object"]),
    ("export, plans, jit, functions, model import, indexing",
     ["_build", "_plans", "_jit", "_functions", "_onnx_import", "_indexing"]),
    ("the standard's sections",
     ["_creation_functions", "_data_type_functions", "_elementwise_functions",
      "_indexing_functions", "_linear_algebra_functions", "_manipulation_functions",
      "_searching_functions", "_set_functions", "_sorting_functions", "_statistical_functions",
      "_utility_functions", "_info", "_sections"]),
    ("complex numbers on the sections", ["_complex_functions", "_complex"]),
    ("the namespace's functions (complex dispatch, plans)", ["_api"]),
    ("extensions and control flow", ["linalg", "_linalg_*", "fft", "lax", "strings"]),
    ("the package", ["__init__"]),
]

# (importer, imported): why a function-level import may reach across the layering.
ALLOWED: dict[tuple[str, str], str] = {}


def _layer_of(module: str) -> int | None:
    for i, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(module, p) for p in patterns):
            return i
    return None


def _modules() -> dict[str, ast.Module]:
    return {p.stem: ast.parse(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(PACKAGE.glob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom, modules) -> list[str]:
    """The package modules an import statement loads (``__init__`` for the package itself)."""
    if isinstance(node, ast.Import):
        out = []
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == "onnxarray":
                out.append(parts[1] if len(parts) > 1 else "__init__")
        return out
    if node.level == 0:
        parts = (node.module or "").split(".")
        if parts[0] != "onnxarray":
            return []
    elif node.level == 1:
        parts = ["onnxarray", *(node.module.split(".") if node.module else [])]
    else:
        raise AssertionError(f"relative import beyond the package at line {node.lineno}")
    if len(parts) > 1:
        return [parts[1]]
    # ``from . import a, b``: submodules, or names of the package itself
    return [a.name if a.name in modules else "__init__" for a in node.names]


def _imports(tree: ast.Module, modules) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import of a package module."""
    top = {id(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target in _targets(node, modules):
                out.append((target, node.lineno, id(node) in top))
    return out


def _graph():
    modules = _modules()
    return modules, {name: _imports(tree, modules) for name, tree in modules.items()}


def test_every_module_has_a_layer():
    modules, _ = _graph()
    missing = sorted(m for m in modules if _layer_of(m) is None)
    assert not missing, f"modules in no layer (add them to LAYERS in {__file__}): {missing}"


def test_imports_point_down():
    modules, edges = _graph()
    wrong = []
    for importer, imports in edges.items():
        here = _layer_of(importer)
        for target, line, at_top in imports:
            there = _layer_of(target)
            if here is None or there is None or there <= here:
                continue
            if not at_top and (importer, target) in ALLOWED:
                continue
            where = "module level" if at_top else "in a function"
            wrong.append(f"{importer}.py:{line} imports {target} ({where}): "
                         f"{LAYERS[here][0]!r} is below {LAYERS[there][0]!r}")
    assert not wrong, "imports pointing up:\n" + "\n".join(wrong)


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, found by an iterative depth-first search, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(edges):
        if root in state:
            continue
        path, stack = [root], [iter(sorted(edges[root]))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(edges.get(nxt, ()))))
    return None


def test_no_import_cycles():
    _, edges = _graph()
    graph = {m: {t for t, _, at_top in imps if t != m and (at_top or (m, t) not in ALLOWED)}
             for m, imps in edges.items()}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b", "c"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
])
def test_cycle_finder(graph, expected):
    assert _cycle(graph) == expected


def test_import_targets():
    modules = {"_ops": None, "_graph": None}
    tree = ast.parse("import onnxarray\nfrom . import _ops, __version__\n"
                     "from ._graph import Value\nfrom onnxarray import _graph\nimport numpy\n"
                     "def f():\n    from . import _ops\n")
    assert _imports(tree, modules) == [
        ("__init__", 1, True), ("_ops", 2, True), ("__init__", 2, True), ("_graph", 3, True),
        ("_graph", 4, True), ("_ops", 7, False)]
