"""Messages on the ``checks`` queue: several links per message (pydantic, validated on read)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

LINKS_PER_MESSAGE = 50  # 50 refs (~3 KB) per message: one SQS request unit (64 KB) each
MESSAGES_PER_SEND = 10  # SendMessageBatch maximum
# The worker puts links back on its own queue (confirmations, links not reached, not judged,
# or whose write failed); each time the message's hop count grows by one. Past this, the link is
# not put back: it waits for its next scheduled sweep, so no chain of re-enqueues runs forever.
MAX_HOPS = 10


class LinkRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant: str = Field(min_length=1)
    link_id: str = Field(min_length=1)


class CheckBatch(BaseModel):
    """One SQS message: links to check; ``confirm`` marks delayed confirmation re-checks."""

    model_config = ConfigDict(frozen=True)

    links: list[LinkRef] = Field(min_length=1, max_length=LINKS_PER_MESSAGE)
    confirm: bool = False
    swept_at: int | None = None  # epoch seconds of the sweep window's end (diagnostics)
    # How often these links were put back because their check judged nothing (bounded, so a
    # link whose check keeps failing unexpectedly waits for its next scheduled sweep instead).
    retries: int = Field(default=0, ge=0)
    # How many times the worker re-enqueued its way to this message (absent: 0, a sweep's or
    # the API's own message). Bounded by MAX_HOPS.
    hops: int = Field(default=0, ge=0)


def chunked(refs: list[LinkRef], size: int = LINKS_PER_MESSAGE) -> list[list[LinkRef]]:
    return [refs[i : i + size] for i in range(0, len(refs), size)]
