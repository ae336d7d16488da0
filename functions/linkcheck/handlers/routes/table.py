"""Every route the api serves: path pattern -> methods, the one table of them.

Route modules register through :func:`endpoint`, which refuses a (path, method) that is not
here, so the resolver serves nothing this table does not list; the tests check the converse
(every entry is served). :func:`allowed_methods` answers ``405`` + ``Allow`` from this table,
so the gate never reads the resolver's private route lists.

Patterns are Powertools' (``<name>`` is one path segment).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

ROUTES: Mapping[str, frozenset[str]] = {
    "/check": frozenset({"GET", "POST"}),
    "/links": frozenset({"GET", "POST"}),
    "/links/batch": frozenset({"POST"}),
    "/links/<link_id>": frozenset({"GET", "PATCH", "DELETE"}),
    "/links/<link_id>/history": frozenset({"GET"}),
    "/links/<link_id>/check": frozenset({"POST"}),
    "/audits": frozenset({"GET", "POST"}),
    "/audits/<audit_id>": frozenset({"GET", "DELETE"}),
    "/audits/<audit_id>/links": frozenset({"GET"}),
    "/events": frozenset({"GET"}),
    "/hooks": frozenset({"GET", "POST"}),
    "/hooks/<hook_id>": frozenset({"GET", "DELETE"}),
    "/smartlinks": frozenset({"GET", "POST"}),
    "/smartlinks/<slug>": frozenset({"GET", "DELETE"}),
    "/me": frozenset({"GET"}),
    "/stats": frozenset({"GET"}),
    "/openapi.json": frozenset({"GET"}),
    "/docs": frozenset({"GET"}),
    "/": frozenset({"GET"}),
    "/ui": frozenset({"GET"}),
    "/ui/<asset>": frozenset({"GET"}),
}

# The routes anyone may read, without an API key (the documentation and the dashboard, which
# holds no data): the template serves exactly these without the authorizer
# (``Auth: {Authorizer: NONE}``, ``{name}`` for ``<name>``), and a test holds the lists equal.
PUBLIC: frozenset[str] = frozenset({"/docs", "/openapi.json", "/", "/ui", "/ui/<asset>"})

# Public routes served by a function of their own, never by the api (template path syntax ->
# the function's logical id): API Gateway routes them there, so a flood of them reaches
# neither the api function nor its throttle. The same test holds them equal to the template.
PUBLIC_ELSEWHERE: Mapping[str, str] = {"/r/{slug}": "RedirectFunction"}

_PARAMETER = re.compile(r"<\w+>")


def endpoint(path: str, method: str) -> tuple[str, str]:
    """``(rule, method)`` for ``router.route(...)``; a route missing from the table is a bug."""
    if method not in ROUTES.get(path, frozenset()):
        raise LookupError(f"{method} {path} is not in handlers/routes/table.py ROUTES")
    return path, method


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    return tuple((_pattern(path), methods) for path, methods in ROUTES.items())


@cache
def _public_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(_pattern(path) for path in sorted(PUBLIC))


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + _PARAMETER.sub("[^/]+", re.escape(path)) + "$")


def is_public(path: str) -> bool:
    """Whether ``path`` is served without an API key (it matches a PUBLIC pattern)."""
    return any(pattern.match(path) for pattern in _public_patterns())


def allowed_methods(path: str) -> set[str]:
    """Methods some route accepts on ``path`` (empty: no route has this path)."""
    return {method for pattern, methods in _patterns() if pattern.match(path) for method in methods}
