"""The package's shape: which modules may import which (issue 11's review found import
circles, web/app.py <-> web/cluster.py and cli/exchange_cmds.py <-> cli/store_cmds.py, and
process orchestration spread over web/ and cli/)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "rightsgraph"

# Cycles left, each through a function-level import, each for a reason:
KNOWN_CYCLES = {
    # the explanation of a decision evaluates again, and the evaluator offers explanations
    frozenset({"policy.evaluate", "policy.explain"}),
    # decisions asked by identifier resolve it, then ask the decision service
    frozenset({"decision_service", "identifier_decisions"}),
    # an acquisition's documents are preserved; preserved documents name their acquisition
    frozenset({"acquisitions.records", "preservation.documents"}),
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(modules: dict[str, Path], module_level_only: bool) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for m, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        package = m.split(".") if path.name == "__init__.py" else m.split(".")[:-1]
        for node in (tree.body if module_level_only else ast.walk(tree)):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[:len(package) - (node.level - 1)] + ([node.module] if node.module else [])
                for alias in node.names:
                    target = ".".join(base + [alias.name])
                    target = target if target in modules else ".".join(base)
                    if target in modules and target != m:
                        edges[m].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def _modules() -> dict[str, Path]:
    return {_name(p): p for p in SRC.rglob("*.py")}


def test_no_two_modules_import_each_other_but_the_known_ones():
    modules = _modules()
    # the CLI's command modules register on the `main` group of cli/__init__.py, which
    # imports them: that registration is the one cycle by design; between the command
    # modules themselves there is none
    edges = _imports(modules, module_level_only=False)
    edges["cli"] = set()
    cycles = [sorted(c) for c in _cycles(edges) if c not in KNOWN_CYCLES]
    assert not cycles, cycles


def test_the_web_package_holds_views_and_starts_no_process():
    """Processes (servers, the writer, nginx, Oxigraph, query workers) are serving/'s."""
    for path in (SRC / "web").glob("*.py"):
        text = path.read_text()
        for word in ("subprocess", "multiprocessing", "os.fork", "os.kill"):
            assert word not in text, f"{path.name} uses {word}"
