"""The shape of the code: imports flow one way (no cycle), sit at module top, and modules stay small.

Lazy imports are allowed only for optional or heavy dependencies, each with a one-line reason on the import
line (a trailing comment); an import of the pipeline's own modules inside a function hides the graph.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        parts = p.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


MODULES = _modules()


def _target(module: str, node: ast.ImportFrom) -> str:
    pkg = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
    if not node.level:
        return node.module or ""
    base = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str):
    """(line, imported pipeline modules, at module level?, source line) for each import statement."""
    src = MODULES[module].read_text(encoding="utf-8")
    lines = src.splitlines()
    tree = ast.parse(src)
    top = set(id(n) for n in tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            tgt = _target(module, node)
            names = [t for t in [tgt] + [f"{tgt}.{a.name}" for a in node.names] if t in MODULES]
        elif isinstance(node, ast.Import):
            tgt = ""
            names = [a.name for a in node.names if a.name in MODULES]
        else:
            continue
        yield node.lineno, names, id(node) in top, lines[node.lineno - 1], tgt


def _graph() -> dict[str, set[str]]:
    return {m: {t for _, names, _, _, _ in _imports(m) for t in names if t != m} for m in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_small(module):
    assert len(MODULES[module].read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_sit_at_module_top(module):
    """No pipeline module is imported inside a function, and every lazy import of a library says why on its
    line."""
    for line, names, at_top, text, _ in _imports(module):
        if at_top:
            continue
        assert "#" in text, f"{module}:{line}: a lazy import without its reason: {text.strip()}"
        assert not names, f"{module}:{line}: {text.strip()}"
