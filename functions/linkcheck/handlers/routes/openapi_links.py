"""OpenAPI ``links``: which operations take the id a response has just returned.

A client (or a generator of test sequences, such as schemathesis' stateful runs) reads them as
"with the ``id`` of this answer you can call ...": ``POST /links`` answers a link whose ``id``
is the ``link_id`` of ``GET /links/{link_id}``, and so on. Declared on the routes' responses
(``responses={201: {"links": ...}}``), where Powertools copies them into the document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PARAMETER = re.compile(r"<(\w+)>")


def operation_ref(rule: str, method: str) -> str:
    """The JSON pointer of the operation ``method rule`` (a route rule, ``<name>`` parameters)."""
    path = _PARAMETER.sub(r"{\1}", rule)
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method.lower()


def links_by_id(parameter: str, operations: Mapping[str, tuple[str, str, str]]) -> dict[str, Any]:
    """Links of a response whose body's ``id`` is the path ``parameter`` of ``operations``.

    ``operations``: link name -> (route rule, method, description).
    """
    return {
        name: {
            "operationRef": operation_ref(rule, method),
            "parameters": {parameter: "$response.body#/id"},
            "description": description,
        }
        for name, (rule, method, description) in operations.items()
    }
