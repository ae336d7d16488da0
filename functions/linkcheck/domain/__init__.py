"""The rules of link monitoring, as pure functions: no I/O, no AWS, no configuration.

- ``transitions``: how a judged check result moves a link's state (the "new 404" rule);
- ``schedule``: when a link is due, as the keys of the ``due`` index;
- ``events``: the types of event subscribers receive.

Both the store (which persists links and their due-index keys) and the sweeps (which apply
results and find due links) build on these; this package imports nothing else from linkcheck
but the verdict vocabulary (``engine.verdict``).
"""
