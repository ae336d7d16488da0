"""Scheduled sweeps: finding due links, checking them, recording what happened, queue messages.

``messages`` is pure; ``enqueue`` (the sweep) and ``process`` (the worker) do the I/O through
the store and SQS. The rules they apply (when a link is due, how a result moves its state)
live in ``linkcheck.domain``.
"""
