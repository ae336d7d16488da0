"""How hard the property and fuzz tests try: ``LINKCHECK_FUZZ_SCALE`` multiplies their examples.

Every bounded property test (``tests/unit/test_properties_*.py``) and the stateful API run
(``tests/integration/test_api_stateful.py``) take their example counts from
``fuzz_examples(base)``: ``base`` in the suite (seconds), ``base * scale`` when the variable
is set, for a longer hunt on a workstation (``LINKCHECK_FUZZ_SCALE=50 pytest tests/unit -k
properties``). Not a number, or below 1, is an error rather than a silent default.
"""

from __future__ import annotations

import os

SCALE_VARIABLE = "LINKCHECK_FUZZ_SCALE"


def fuzz_scale() -> int:
    """The multiplier from ``LINKCHECK_FUZZ_SCALE`` (1 when unset)."""
    text = os.environ.get(SCALE_VARIABLE, "").strip()
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{SCALE_VARIABLE} must be a whole number of at least 1, not {text!r}")
    return int(text)


def fuzz_examples(base: int) -> int:
    """``base`` examples, times the scale."""
    return base * fuzz_scale()
