"""Every function in template.yaml can start: its handler imports, and its environment is complete.

The template's resources are created in moto (``aws_env``: the same creation ``linkcheck dev``
uses), each function's environment (Globals + its own Environment) is resolved against them,
and the handler path is imported. Then the package source is scanned for environment reads
(``os.environ[...]``, ``os.environ.get``, ``os.getenv`` and helpers that wrap them, like the
settings module's) in every module a handler can reach, and each name must be defined for that
function in the template, or be in the documented lists below.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from linkcheck.local.resources import REPO_ROOT, create_resources, load_template

PACKAGE_ROOT = REPO_ROOT / "functions" / "linkcheck"

# Set by the Lambda runtime itself, never by the template.
RUNTIME_PROVIDED = {
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",  # the function's role credentials (linkcheck.awsrequest signs with them)
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_LOG_LEVEL",
    "AWS_LAMBDA_LOG_FORMAT",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "_X_AMZN_TRACE_ID",
}
# Read only outside AWS: tests and `linkcheck dev` (never set in the template, on purpose).
LOCAL_ONLY = {
    "AWS_ENDPOINT_URL",  # the local moto server
    "AWS_ENDPOINT_URL_DYNAMODB",  # the same, for DynamoDB only (honoured by boto3 too)
    "LINKCHECK_ALLOW_PRIVATE_NETWORKS",  # SSRF escape hatch for tests against 127.0.0.1
    "LINKCHECK_DEV",  # demo intervals in seconds, `linkcheck dev` only
    # The corpus mapping of `linkcheck dev --connect-to` (bypasses the SSRF guard; honoured
    # only when the process switched linkcheck.devmode on, never in AWS).
    "LINKCHECK_DEV_CONNECT_TO",
    "LINKCHECK_DEV_CA_BUNDLE",
    "LINKCHECK_DEV_ONLY_CONNECT_TO",
    "LINKCHECK_DEV_REQUEUE_DELAY_SECONDS",  # `linkcheck dev --faults`: quick re-enqueues
    # Platform credentials for the CLI and `linkcheck dev`; AWS reads them from the secret
    # named by CHECK_SECRETS_PARAMETER / CHECK_SECRETS_ARN.
    "LINKCHECK_META_APP_TOKEN",
    "LINKCHECK_YOUTUBE_API_KEY",
}
# Modules that never run in Lambda: the local stack and the command line.
DEV_ONLY_PREFIXES = ("linkcheck.local", "linkcheck.commands", "linkcheck.cli")


@cache
def _template() -> dict[str, Any]:
    return load_template()  # read only: never mutated by these tests


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }


def _declared_variables(template: dict[str, Any], function: dict[str, Any]) -> dict[str, Any]:
    variables = dict(template["Globals"]["Function"].get("Environment", {}).get("Variables", {}))
    variables.update(function.get("Environment", {}).get("Variables", {}))
    return variables


def _resolve(value: Any, resources: Any, parameters: dict[str, Any]) -> str | None:
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        if ref in resources.refs:
            return str(resources.refs[ref])
        if ref in parameters:
            return str(parameters[ref].get("Default", ""))
        return None
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target, attribute = value["Fn::GetAtt"]
        found = (resources.stream_arns if attribute == "StreamArn" else resources.arns).get(target)
        return str(found) if found is not None else None
    if isinstance(value, dict):
        return None  # other intrinsics (Sub, If): not resolvable offline, name still declared
    return str(value)


# ---------------------------------------------------------------- source scan


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(), filename=str(path))
        for path in sorted(PACKAGE_ROOT.rglob("*.py"))
    }


def _imports(module: str, tree: ast.Module) -> set[str]:
    """linkcheck modules imported anywhere in ``tree`` (also inside functions: lazy imports)."""
    known = _modules()
    is_package = (PACKAGE_ROOT.parent / module.replace(".", "/") / "__init__.py").exists()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            names = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            # Importing a.b.c runs a and a.b too.
            parts = name.split(".")
            for i in range(1, len(parts) + 1):
                candidate = ".".join(parts[:i])
                if candidate in known:
                    found.add(candidate)
    return found


def _reachable(root: str) -> set[str]:
    seen: set[str] = set()
    todo = [root]
    while todo:
        module = todo.pop()
        if module in seen or module not in _modules():
            continue
        seen.add(module)
        todo.extend(_imports(module, _modules()[module]) - seen)
    return seen


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _is_env_getter(node: ast.expr) -> bool:
    """``os.environ.get``, ``environ.get``, ``os.getenv`` or ``getenv``."""
    if isinstance(node, ast.Attribute):
        return (node.attr == "get" and _is_environ(node.value)) or node.attr == "getenv"
    return isinstance(node, ast.Name) and node.id == "getenv"


def _is_reader_call(node: ast.Call, readers: set[str]) -> bool:
    func = node.func
    return _is_env_getter(func) or (isinstance(func, ast.Name) and func.id in readers)


@cache
def _env_readers() -> frozenset[str]:
    """Names of helpers, anywhere in the package, that read the variable named by a parameter.

    Aliases (``env = os.environ.get``) and wrappers (``def env_flag(name): ...environ.get(name)``),
    also wrappers of wrappers.
    """
    readers: set[str] = set()
    while True:
        before = len(readers)
        for tree in _modules().values():
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and _is_env_getter(node.value):
                    readers.update(t.id for t in node.targets if isinstance(t, ast.Name))
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                params = {a.arg for a in node.args.args}
                for inner in ast.walk(node):
                    key: ast.expr | None = None
                    if (
                        isinstance(inner, ast.Call)
                        and inner.args
                        and _is_reader_call(inner, readers)
                    ):
                        key = inner.args[0]
                    elif isinstance(inner, ast.Subscript) and _is_environ(inner.value):
                        key = inner.slice
                    if isinstance(key, ast.Name) and key.id in params:
                        readers.add(node.name)
        if len(readers) == before:
            return frozenset(readers)


def _env_reads(tree: ast.Module) -> set[str]:
    """Names of environment variables a module reads, directly or through a reader helper."""
    readers = set(_env_readers())
    names: set[str] = set()
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call) and node.args and _is_reader_call(node, readers):
            key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def _env_read_by(handler_module: str) -> dict[str, set[str]]:
    """Variable name -> modules reading it, over the modules a handler can reach."""
    reads: dict[str, set[str]] = {}
    for module in _reachable(handler_module):
        if module.startswith(DEV_ONLY_PREFIXES):
            continue
        for name in _env_reads(_modules()[module]):
            reads.setdefault(name, set()).add(module)
    return reads


# ---------------------------------------------------------------- tests


@pytest.fixture()
def deployed(aws_env: dict[str, str]) -> Iterator[tuple[dict[str, Any], Any]]:
    template = _template()
    yield template, create_resources(template)


def test_the_scanner_sees_the_settings_module() -> None:
    reads = _env_reads(_modules()["linkcheck.settings"])
    assert {"TABLE_NAME", "CHECKS_QUEUE_URL", "CONFIRM_DELAY_SECONDS"} <= reads


def test_every_handler_imports_in_its_deployed_environment(
    deployed: tuple[dict[str, Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    template, resources = deployed
    parameters = template.get("Parameters", {})
    from linkcheck import aws
    from linkcheck.settings import get_settings

    for name, function in _functions(template).items():
        # Given the function's environment, resolved against resources created in moto
        for variable, value in _declared_variables(template, function).items():
            resolved = _resolve(value, resources, parameters)
            if resolved is not None:
                monkeypatch.setenv(variable, resolved)
        get_settings.cache_clear()
        aws.reset_clients()
        # When Lambda loads the handler path
        module_name, _, attribute = function["Handler"].rpartition(".")
        module = importlib.import_module(module_name)
        # Then it is a callable
        assert callable(getattr(module, attribute)), f"{name}: {function['Handler']}"
    get_settings.cache_clear()
    aws.reset_clients()


def test_every_environment_variable_read_is_defined_in_the_template() -> None:
    # Reachability is per module, so a function "reaches" variables of modules it imports but
    # never uses (a notifier importing the shared notify config): the rule is that each variable
    # is defined for some function (Globals or its own Environment). Handler imports with the
    # deployed environment are proven above.
    template = _template()
    declared: set[str] = set()
    for function in _functions(template).values():
        declared |= set(_declared_variables(template, function))
    missing: list[str] = []
    for name, function in _functions(template).items():
        module = function["Handler"].rpartition(".")[0]
        for variable, readers in sorted(_env_read_by(module).items()):
            if variable.startswith("POWERTOOLS_"):
                continue  # Powertools' own optional switches (their defaults suit AWS)
            if variable in declared or variable in RUNTIME_PROVIDED or variable in LOCAL_ONLY:
                continue
            missing.append(f"{name} reads {variable} ({', '.join(sorted(readers))})")
    assert not missing, "define these in template.yaml:\n" + "\n".join(sorted(set(missing)))
    assert not declared & LOCAL_ONLY, "local-only switches must never be set in AWS"


def test_template_defines_no_variable_the_code_never_reads() -> None:
    template = _template()
    read: set[str] = set()
    for function in _functions(template).values():
        read |= set(_env_read_by(function["Handler"].rpartition(".")[0]))
    declared: set[str] = set()
    for function in _functions(template).values():
        declared |= set(_declared_variables(template, function))
    unused = {v for v in declared - read if not v.startswith("POWERTOOLS_")}
    assert not unused, f"template.yaml sets variables no handler reads: {sorted(unused)}"


def test_on_demand_check_path_imports_neither_boto3_nor_xray() -> None:
    # The /check cold start: the api handler module must not load boto3 or the X-Ray SDK.
    heavy = ("boto3", "botocore.session", "botocore.client", "aws_xray_sdk")
    code = (
        "import sys, linkcheck.handlers.api\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
