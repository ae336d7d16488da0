"""When a HEAD 404/410 is believed without asking again with GET."""

from __future__ import annotations

from linkcheck.engine.head_trust import HeadTrust


def test_success_is_always_believed_and_refusals_never() -> None:
    trust = HeadTrust()
    assert trust.believes("a.example", 200) and trust.believes("a.example", 301)
    assert not trust.believes("a.example", 405)
    assert not trust.believes("a.example", 500)


def test_gone_is_believed_after_the_host_proved_honest() -> None:
    trust = HeadTrust(needed=2)
    assert not trust.believes("a.example", 404)
    trust.record("a.example", 404, 404)
    assert not trust.believes("a.example", 404)
    trust.record("a.example", 410, 410)
    assert trust.believes("a.example", 404)
    assert not trust.believes("b.example", 404)  # per host
    assert not trust.get_first("a.example")


def test_a_host_caught_lying_gets_get_first() -> None:
    trust = HeadTrust(needed=1)
    trust.record("liar.example", 404, 200)
    assert trust.get_first("liar.example")
    assert not trust.believes("liar.example", 404)
    trust.record("liar.example", 404, 404)  # once a liar, always checked
    assert trust.get_first("liar.example")


def test_memory_is_bounded() -> None:
    trust = HeadTrust(needed=1, max_hosts=2)
    for host in ("a", "b", "c"):
        trust.record(host, 404, 404)
    assert trust.believes("a", 404) and trust.believes("b", 404)
    assert not trust.believes("c", 404)
