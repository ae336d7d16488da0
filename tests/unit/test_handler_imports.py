"""Handlers are adapters: they use the engine only through its public names (``__all__``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import linkcheck.engine

HANDLERS = Path(linkcheck.engine.__file__).resolve().parents[1] / "handlers"
MODULES = sorted(HANDLERS.rglob("*.py"))


def engine_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import of the engine in ``path``, as absolute module names."""
    package = "linkcheck." + ".".join(path.relative_to(HANDLERS.parent).parent.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            module = ".".join(base[: len(base) - node.level + 1] if node.level else [])
            module = ".".join(p for p in (module, node.module or "") if p)
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            module, names = "", [alias.name for alias in node.names]
        else:
            continue
        for name in [module, *[f"{module}.{n}" if module else n for n in names]]:
            if name == "linkcheck.engine" or name.startswith("linkcheck.engine."):
                found.append((module, names))
                break
    return found


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(HANDLERS)) for p in MODULES])
def test_a_handler_imports_only_the_engines_public_names(path: Path) -> None:
    for module, names in engine_imports(path):
        assert module == "linkcheck.engine", f"{path.name} imports engine internals: {module}"
        assert set(names) <= set(linkcheck.engine.__all__), (path.name, names)


def test_the_scan_sees_the_engine_imports() -> None:
    checker = HANDLERS / "routes" / "checks.py"
    assert engine_imports(checker), "the scan found no engine import in routes/checks.py"
