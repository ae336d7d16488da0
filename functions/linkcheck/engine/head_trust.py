"""Per-host memory of whether a server's HEAD answers can be believed (pure, no I/O).

Many servers answer HEAD wrongly (405, 403, 500, even 404 for a page that exists), so the
engine asks again with GET whenever HEAD says anything but 2xx/3xx. For "the page is gone"
answers (404, 410) that second request is the expensive common case of a link sweep, so it
is skipped once the host has proved honest: after ``needed`` HEAD 404/410 answers that GET
confirmed, the host's HEAD 404/410 are believed. A host caught lying (HEAD gone, GET not) is
asked with GET first for the rest of the checker's life.
"""

from __future__ import annotations

GONE = frozenset({404, 410})
_LIAR = -1


class HeadTrust:
    __slots__ = ("_hosts", "_max_hosts", "_needed")

    def __init__(self, *, needed: int = 2, max_hosts: int = 10_000) -> None:
        self._needed = needed
        self._max_hosts = max_hosts  # bounded memory on very long lists
        self._hosts: dict[str, int] = {}

    def get_first(self, host: str) -> bool:
        """True when this host lied on HEAD before: skip HEAD altogether."""
        return self._hosts.get(host, 0) == _LIAR

    def believes(self, host: str, head_status: int) -> bool:
        """True when a HEAD answer of ``head_status`` needs no GET to confirm it."""
        if 200 <= head_status < 400:
            return True
        if head_status not in GONE:
            return False
        return self._hosts.get(host, 0) >= self._needed

    def record(self, host: str, head_status: int, get_status: int) -> None:
        """Learn from a HEAD answer that was checked again with GET."""
        if head_status not in GONE or self._hosts.get(host, 0) == _LIAR:
            return
        if host not in self._hosts and len(self._hosts) >= self._max_hosts:
            return
        if get_status == head_status:
            self._hosts[host] = self._hosts.get(host, 0) + 1
        else:
            self._hosts[host] = _LIAR
