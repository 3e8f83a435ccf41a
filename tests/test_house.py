"""The package's shape: imports run one way (no cycles among dlkg's modules, lazy imports included)."""
import ast
from pathlib import Path

import dlkg

PACKAGE = Path(dlkg.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_between_modules() -> dict[str, set[str]]:
    """Every dlkg module -> the dlkg modules it imports anywhere in its text (top level, functions, TYPE_CHECKING)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            # "from . import x" names module x; "from .x import y" names module x (y is an attribute)
            hit = next((t for t in targets if t in modules), None)
            if hit and hit != name and hit != "dlkg":
                edges[name].add(hit)
    return edges


def test_no_import_cycles():
    edges = imports_between_modules()
    state: dict[str, int] = {}
    path: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, " ; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_sees_lazy_imports():
    edges = imports_between_modules()
    assert "dlkg.store" in edges["dlkg.cli"]  # cli imports store only inside its commands
    assert "dlkg.layout" in edges["dlkg.build"]
