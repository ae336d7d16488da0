"""DynamoDB repositories over the single table (docs/links-and-sweeps.md).

Key layout (one table, ``pk``/``sk`` strings, GSI ``due`` on ``due_shard``/``due_at``):

- API key:      pk=``KEY#<sha256 hex>``        sk=``KEY``             (keys.py)
- link:         pk=``T#<tenant>``              sk=``LINK#<link id>``  (links.py)
- link counters: pk=``T#<tenant>``             sk=``STATS``           (stats.py)
- result:       pk=``T#<tenant>#L#<link id>``  sk=``R#<checked_at>``  (results.py; TTL)
- event:        pk=``T#<tenant>``              sk=``EVT#<event id>``  (events.py; TTL)
- hook:         pk=``T#<tenant>``              sk=``HOOK#<hook id>``  (hooks.py)
- sweep state:  pk=``SWEEP``                   sk=``STATE``/``INTERVALS`` (sweep_state.py)
- outbox mark:  pk=``OUTBOX#<tenant>#<event>`` sk=``<channel>``       (outbox.py; TTL)
- rate bucket:  pk=``RATE#<key id>#<minute>``  sk=``RATE``            (ratelimit.py; TTL)
- audit:        pk=``T#<tenant>``              sk=``AUDIT#<audit id>`` (audits.py; TTL)
- audit URL:    pk=``AUDIT#<tenant>#<audit id>`` sk=``URL#<sha256>``   (audits.py; TTL)
- smart link:   pk=``SLUG#<slug>``             sk=``SLUG``            (smartlinks.py)
- its listing:  pk=``T#<tenant>``              sk=``SMART#<slug>``    (smartlinks.py)
- clicks:       pk=``CLICK#<slug>#<id>``       sk=``DAY#<day>``       (smartlinks.py; TTL)

Every item is keyed by its tenant, or by a secret or random id, except the smart link's slug
item: the public redirect knows only the slug. The API reaches it only through the tenant's
own ``SMART#`` item and writes it only on the condition that its ``tenant`` is the caller's
(docs/smartlinks.md).

Every item has a ``kind`` attribute (``key``, ``link``, ``result``, ``event``, ``hook``, ...),
which the notifier's stream filter uses to see only events. Items are converted with the one
codec, ``linkcheck.awsrequest.dynamodb_codec``.

Other packages import what is listed in ``__all__`` (or from the public modules above); the
``_``-prefixed modules are this package's own. No module imports boto3 at import time: a
repository takes its client as a parameter, or gets the shared one when it first needs it.
"""

from __future__ import annotations

from ..awsrequest.dynamodb_codec import Item
from ._table import BATCH_ATTEMPTS, BatchIncomplete
from .events import EventFacts, EventPage, EventStore, event_item
from .hooks import Hook, HookStore
from .keys import ApiKey, KeyStore, NewKey
from .links import Link, LinkStore, NewLink, Page
from .outbox import Claim, ClaimOutcome, Outbox
from .ratelimit import RateDecision, RateLimiter, RateStoreUnavailable
from .results import HistoryPage, ResultStore, history_item
from .smartlinks import SmartLink, SmartLinkPage, SmartLinkStore, serving_writes
from .stats import LinkStats, StatsStore
from .sweep_state import SweepState

__all__ = [
    "BATCH_ATTEMPTS",
    "ApiKey",
    "BatchIncomplete",
    "Claim",
    "ClaimOutcome",
    "EventFacts",
    "EventPage",
    "EventStore",
    "HistoryPage",
    "Hook",
    "HookStore",
    "Item",
    "KeyStore",
    "Link",
    "LinkStats",
    "LinkStore",
    "NewKey",
    "NewLink",
    "Outbox",
    "Page",
    "RateDecision",
    "RateLimiter",
    "RateStoreUnavailable",
    "ResultStore",
    "SmartLink",
    "SmartLinkPage",
    "SmartLinkStore",
    "StatsStore",
    "SweepState",
    "event_item",
    "history_item",
    "serving_writes",
]
