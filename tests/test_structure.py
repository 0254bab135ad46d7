"""The shape of the code: imports flow one way (no cycle), sit at module top, and modules stay small.

Lazy imports are allowed only for optional or heavy dependencies, each with a one-line reason on the import
line (a trailing comment); an import of the pipeline's own modules inside a function hides the graph, except
in the command line (cli.py), which loads a command's heavy modules when the command needs them: a rerun
with nothing new answers from the light modules alone (a test checks which modules it loads).
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
MAX_LINES = 600
LAZY_PIPELINE_IMPORTS = {"pipeline.cli"}  # the only module that may import pipeline modules in a function


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
        assert not names or module in LAZY_PIPELINE_IMPORTS, f"{module}:{line}: {text.strip()}"


HEAVY = ("pipeline.corpus", "pipeline.stages", "pipeline.devsets", "jieba", "numpy")


def _loaded_after(code: str, cwd: Path) -> set[str]:
    import subprocess
    import sys
    probe = code + "\nimport sys; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_command_line_starts_light(tmp_path):
    """Importing the command line loads none of the stages, models or scorers."""
    loaded = _loaded_after("import pipeline.cli", tmp_path)
    assert "pipeline.cli" in loaded and "pipeline.runstamp" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_rerun_with_nothing_new_loads_no_stage(tmp_path):
    """`extract` twice on the same corpus: the second run says up to date without importing the stages; a
    changed input brings them back."""
    corpus, out, cache = tmp_path / "c", tmp_path / "out", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "a.txt").write_text("全市规上工业增加值增长11.4%。\n", encoding="utf-8")
    call = (f"import contextlib, io, pipeline.cli as c\nwith contextlib.redirect_stdout(io.StringIO()):\n"
            f"    rc = c.main(['extract', {str(corpus)!r}, '--out', {str(out)!r}, '--cache', {str(cache)!r}, "
            f"'--quiet', '--city', '安康市'])\nassert rc == 0, rc")
    assert "pipeline.stages" in _loaded_after(call, tmp_path)
    assert not _loaded_after(call, tmp_path) & set(HEAVY)
    (corpus / "a.txt").write_text("全市规上工业增加值增长11.5%。\n", encoding="utf-8")
    assert "pipeline.stages" in _loaded_after(call, tmp_path)
