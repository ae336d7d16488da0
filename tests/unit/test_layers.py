"""Imports flow one way between the packages of linkcheck (docs/architecture.md).

Every module under ``functions/linkcheck`` is parsed with ``ast`` (nothing is imported), and
every import of a linkcheck module, wherever it is written (at the top, inside a function,
under ``TYPE_CHECKING``), is an edge from the importing package to the imported one. A
"package" here is a subpackage (``engine``, ``store``, ...), a top-level module (``settings``,
``errors``, ...), or ``linkcheck`` itself (its ``__init__``: the version).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import linkcheck

ROOT = Path(linkcheck.__file__).resolve().parent

# What each package may import, bottom to top. Why this order:
# - the foundation (version, errors, settings, retry policy) knows nothing else of linkcheck;
# - the engine judges a URL and knows no table, queue, configuration source or handler, so it
#   can run anywhere (CLI, API, worker, benchmarks); the version goes into its User-Agent;
# - domain holds the pure rules of monitoring (transitions, schedule) that store and sweeps
#   share; it speaks the verdict vocabulary and nothing else (see NARROW);
# - store persists, sweeps and notify do the work over the store, handlers adapt Lambda events
#   to that work and are the top of the deployed code: nothing deployed imports a handler;
# - local, commands and cli are developer tooling: no deployed package imports them.
FOUNDATION = {"linkcheck", "errors", "awsretry"}
ALLOWED: dict[str, set[str]] = {
    "linkcheck": set(),
    "errors": set(),
    "settings": {"engine", "devmode"},  # builds typed options (proxy, credentials, mapping)
    "awsretry": set(),
    "engine": {"linkcheck"},
    "domain": {"engine"},
    "extract": set(),  # pure parsing: documents in, links and anchors out
    "audit": {"engine", "extract"},  # scope, robots, fragments, crawling over the engine
    "aws": {"awsretry"},
    "awsrequest": {"awsretry"},
    "observability": {"engine", "settings"},
    "registration": {"engine", "errors"},
    "runner": {"engine"},
    "devmode": {"engine"},
    "check_secrets": {"engine", "awsrequest", "settings"},
    "dashboard": set(),  # the web page's files and their headers, served by handlers
    "store": {
        "domain",
        "engine",
        "awsrequest",
        "aws",
        "awsretry",
        "errors",
        "settings",
        "observability",
    },
    "sweeps": {
        "store",
        "domain",
        "engine",
        "audit",
        "extract",
        # an audit keys the URLs it finds by the registration rule's normalised form, and
        # registers them (``register: true``) under the same SSRF rule as POST /links
        "registration",
        "aws",
        "errors",
        "observability",
        "settings",
    },
    "notify": {
        "linkcheck",
        "store",
        "domain",
        "engine",
        "registration",
        "runner",
        "aws",
        "observability",
        "settings",
    },
}
DEPLOYED = {*ALLOWED, "handlers"}
ALLOWED["handlers"] = DEPLOYED - {"handlers"}
DEV_TOOLING = {"local", "commands", "cli"}
ALLOWED["local"] = set(DEPLOYED)
ALLOWED["commands"] = DEPLOYED | {"local"}
ALLOWED["cli"] = {"linkcheck", "commands"}

# Where a direction is allowed for one module only: (importer, imported) -> the modules.
# The store, the sweeps and the rules know results (the verdict vocabulary), not how a link
# is checked; so does the metrics code.
VERDICT = {"linkcheck.engine.verdict"}
NARROW: dict[tuple[str, str], set[str]] = {
    ("domain", "engine"): VERDICT,
    ("store", "engine"): VERDICT,
    ("sweeps", "engine"): VERDICT,
    ("observability", "engine"): VERDICT,
    # Settings build the engine's option types (proxy, credentials, address mapping).
    ("settings", "engine"): {"linkcheck.engine.options", "linkcheck.engine.proxy"},
}

# Module imports that break a direction today, each with why it is tolerated. The test below
# fails once one disappears, so this list only shrinks.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True, slots=True)
class Import:
    importer: str  # module, e.g. linkcheck.store.links
    imported: str  # module, e.g. linkcheck.domain.schedule
    names: tuple[str, ...]  # what ``from ... import`` took (empty for ``import x``)
    line: int

    @property
    def edge(self) -> tuple[str, str]:
        return package_of(self.importer), package_of(self.imported)

    def __str__(self) -> str:
        taken = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.importer}:{self.line} imports {self.imported}{taken}"


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    parts = ("linkcheck", *path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (ROOT / relative).with_suffix(".py").is_file() or (ROOT / relative).is_dir()


def imports_in(path: Path) -> Iterator[Import]:
    """Every import of a linkcheck module in ``path`` (absolute module names)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "linkcheck":
                    yield Import(module, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            if source.split(".")[0] != "linkcheck":
                continue
            names = tuple(alias.name for alias in node.names)
            submodules = [n for n in names if is_module(f"{source}.{n}")]
            for name in submodules:  # ``from .. import aws``: the module aws
                yield Import(module, f"{source}.{name}", (), node.lineno)
            attributes = tuple(n for n in names if n not in submodules)
            if attributes:
                yield Import(module, source, attributes, node.lineno)


def all_imports() -> list[Import]:
    return [found for path in sorted(ROOT.rglob("*.py")) for found in imports_in(path)]


IMPORTS = all_imports()
CHECKED = [i for i in IMPORTS if (i.importer, i.imported) not in KNOWN_EXCEPTIONS]


def cycle_in(edges: set[tuple[str, str]]) -> list[str] | None:
    """One cycle of the directed graph, as a path that ends where it starts; None if none."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        if a != b:
            graph.setdefault(a, set()).add(b)
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in sorted(graph.get(node, ())):
            found = visit(nxt, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


def test_the_scan_sees_imports_wherever_they_are_written() -> None:
    pairs = {(i.importer, i.imported) for i in IMPORTS}
    assert ("linkcheck.store.links", "linkcheck.domain.schedule") in pairs  # from ..domain import
    assert ("linkcheck.store._table", "linkcheck.aws") in pairs  # from .. import aws
    assert ("linkcheck.check_secrets", "linkcheck.awsrequest.secrets") in pairs  # in a function
    assert ("linkcheck.commands.keys", "linkcheck.store.keys") in pairs  # under TYPE_CHECKING


def test_every_package_has_its_place_in_the_table() -> None:
    found = {package_of(module_name(path)) for path in ROOT.rglob("*.py")}
    assert found == set(ALLOWED), "place a new package in ALLOWED (or drop a removed one)"


def test_the_allowed_directions_form_no_cycle() -> None:
    edges = {(a, b) for a, allowed in ALLOWED.items() for b in allowed}
    assert cycle_in(edges) is None
    assert all(not ALLOWED[p] for p in FOUNDATION)


def test_no_deployed_package_may_import_dev_tooling_or_a_handler() -> None:
    for package in DEPLOYED:
        assert not ALLOWED[package] & DEV_TOOLING, package
        assert package == "handlers" or "handlers" not in ALLOWED[package], package


def test_imports_follow_the_allowed_directions() -> None:
    wrong = []
    for found in CHECKED:
        importer, imported = found.edge
        if importer == imported:
            continue
        if imported not in ALLOWED[importer]:
            wrong.append(f"{found}: {importer} may not import {imported}")
        elif found.imported not in NARROW.get(found.edge, {found.imported}):
            wrong.append(f"{found}: {importer} may import only {sorted(NARROW[found.edge])}")
    assert not wrong, "\n".join(wrong)


def test_no_cycle_between_packages() -> None:
    cycle = cycle_in({found.edge for found in CHECKED})
    assert cycle is None, " -> ".join(cycle or [])


def test_no_package_imports_another_packages_private_module_or_name() -> None:
    wrong = []
    for found in IMPORTS:
        parts = found.imported.split(".")
        for index, part in enumerate(parts):
            owner = ".".join(parts[:index])
            private = part.startswith("_") and not part.startswith("__")
            inside = found.importer == owner or found.importer.startswith(owner + ".")
            if private and not inside:
                wrong.append(f"{found}: {part} is private to {owner}")
        if found.edge[0] != found.edge[1]:
            names = [n for n in found.names if n.startswith("_") and not n.startswith("__")]
            wrong.extend(f"{found}: {name} is private to {found.imported}" for name in names)
    assert not wrong, "\n".join(wrong)


def test_the_domain_imports_only_the_standard_library_and_the_verdicts() -> None:
    for path in (ROOT / "domain").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                tops = [(node.module or "").split(".")[0]]
            else:
                continue  # relative: checked by the directions above
            assert all(t in sys.stdlib_module_names or t == "__future__" for t in tops), path


def test_every_known_exception_still_exists() -> None:
    pairs = {(i.importer, i.imported) for i in IMPORTS}
    gone = [f"{a} -> {b}" for a, b in KNOWN_EXCEPTIONS if (a, b) not in pairs]
    assert not gone, f"no longer imported, remove from KNOWN_EXCEPTIONS: {gone}"
