"""Scheduled sweeps: finding due links, checking them, recording what happened, queue messages;
and the audits' work in the worker.

``messages`` and ``audit_plan`` are pure; ``enqueue`` (the sweep), ``process`` (the worker's
registered links) and ``audits`` (the worker's audit pages and links) do the I/O through the
store and SQS. The rules they apply (when a link is due, how a result moves its state)
live in ``linkcheck.domain``.
"""
