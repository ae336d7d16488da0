"""Scheduled sweeps: when links are due, how results change a link's state, queue messages.

``schedule``, ``transitions`` and ``messages`` are pure; ``enqueue`` (the sweep) and
``process`` (the worker) do the I/O through the store and SQS.
"""
