"""No Lambda handler needs the dev tooling that scripts/sam_build.sh leaves out of the artifacts.

The build removes the local stack (``linkcheck.local``) and the command line
(``linkcheck.cli``, ``linkcheck.commands``) from every function's artifact. Each handler of
template.yaml is imported in a fresh interpreter where those modules cannot be imported, and
the package source is scanned so that a lazy import inside a function (which importing alone
would not run) cannot reach them either. ``linkcheck.devmode`` stays in the artifacts: the
engine's options import it (and honour it only in a process that switched it on).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.integration.test_template_handlers import (
    DEV_ONLY_PREFIXES,
    PACKAGE_ROOT,
    _functions,
    _reachable,
    _template,
)

# Runs in the child: a finder ahead of every other refuses the dev-only modules, then each
# handler named on the command line is imported and must be callable.
BLOCKED_IMPORT = textwrap.dedent(
    """
    import importlib, json, sys
    from importlib.abc import MetaPathFinder

    BLOCKED = tuple(json.loads(sys.argv[1]))

    class DevOnly(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == p or name.startswith(p + ".") for p in BLOCKED):
                raise ModuleNotFoundError(f"{name} is not in the Lambda artifact", name=name)
            return None

    sys.meta_path.insert(0, DevOnly())
    for handler in json.loads(sys.argv[2]):
        module, _, attribute = handler.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attribute)), handler
    print(json.dumps(sorted(sys.modules)))
    """
)


def _handlers() -> list[str]:
    return sorted({str(f["Handler"]) for f in _functions(_template()).values()})


def test_the_template_names_every_handler_module() -> None:
    assert len(_handlers()) == len(_functions(_template())) == 7
    assert all(h.startswith("linkcheck.handlers.") for h in _handlers())


def _import_blocked(handlers: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT, json.dumps(DEV_ONLY_PREFIXES), json.dumps(handlers)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT.parent)},
        timeout=120,
        check=False,
    )


def test_every_handler_imports_without_the_dev_tooling() -> None:
    out = _import_blocked(_handlers())
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout)
    assert {h.rpartition(".")[0] for h in _handlers()} <= set(loaded)
    assert not [m for m in loaded if m.startswith(DEV_ONLY_PREFIXES)]


def test_the_blocker_refuses_what_the_build_removes() -> None:
    """The check has teeth: importing the CLI under the same finder fails."""
    out = _import_blocked(["linkcheck.cli.main"])
    assert out.returncode != 0
    assert "linkcheck.cli is not in the Lambda artifact" in out.stderr


def test_no_handler_reaches_the_dev_tooling_even_lazily() -> None:
    for handler in _handlers():
        module = handler.rpartition(".")[0]
        reached = sorted(m for m in _reachable(module) if m.startswith(DEV_ONLY_PREFIXES))
        assert reached == [], f"{handler} imports {reached}, which the Lambda artifact lacks"
