"""DynamoDB repositories over the single table (docs/links-and-sweeps.md).

Key layout (one table, ``pk``/``sk`` strings, GSI ``due`` on ``due_shard``/``due_at``):

- API key:      pk=``KEY#<sha256 hex>``        sk=``KEY``             (keys.py)
- link:         pk=``T#<tenant>``              sk=``LINK#<link id>``  (links.py)
- result:       pk=``T#<tenant>#L#<link id>``  sk=``R#<checked_at>``  (history, TTL expires_at)
- event:        pk=``T#<tenant>``              sk=``EVT#<event id>``  (kind=event, TTL)
- hook:         pk=``T#<tenant>``              sk=``HOOK#<hook id>``  (hooks.py)
- rate bucket:  pk=``RATE#<key id>#<minute>``  sk=``RATE``           (TTL)

Every item has a ``kind`` attribute (``key``, ``link``, ``result``, ``event``, ``hook``, ...),
which the notifier's stream filter uses to see only events.
"""
