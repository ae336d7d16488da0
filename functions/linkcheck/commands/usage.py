"""The error every command reports on stderr with exit code 2 (a bad option value or input)."""

from __future__ import annotations


class UsageError(Exception):
    """A bad option value or input: reported on stderr with exit code 2."""
