"""Which URL a smart link serves, pure: the switching rule (docs/smartlinks.md).

A smart link serves its target while the target link's confirmed state is ``ok`` or
``unchecked``, and its fallback while it is ``broken``, ``restricted`` or ``down``. Only the
confirmed state counts: a refusal of the checker (``blocked``) or a verdict awaiting
confirmation (``pending``) never changes the state, so it never switches a smart link. The
fallback's own state does not matter: a dead fallback is still served (its link notifies like
any other).
"""

from __future__ import annotations

from enum import StrEnum

from .transitions import DEAD_STATES, LinkState


class Serving(StrEnum):
    TARGET = "target"
    FALLBACK = "fallback"


def serving_for(target_state: LinkState) -> Serving:
    """What a smart link serves when its target link is in ``target_state``."""
    return Serving.FALLBACK if target_state in DEAD_STATES else Serving.TARGET
