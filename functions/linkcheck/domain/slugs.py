"""Smart link slugs, pure: what a slug may be, a fresh one, and the keys of its items.

The redirect function imports this module and nothing heavier (no engine, no boto3), so the
rules and keys live here, beside the other pure rules, rather than in the store.

A slug is 3 to 64 characters of ``A-Z a-z 0-9 _ -``, case-sensitive like any URL path, not
one of the reserved words (compared case-insensitively), and unique per deployment. Generated
slugs are 9 characters from an alphabet without look-alikes (about 52 bits: short enough to
type, too many to enumerate).

The slug item is the one item outside a tenant's key space (``pk SLUG#<slug>``): the public
redirect knows only the slug, and must answer with one read. Every API path reaches it through
the tenant's own reference item (``T#<tenant>`` / ``SMART#<slug>``), never by slug alone.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

MIN_LENGTH = 3
MAX_LENGTH = 64
GENERATED_LENGTH = 9
_ALLOWED = re.compile(r"[A-Za-z0-9_-]+")
# No 0/O, 1/l/I: a slug read aloud or off a printed card is typed right.
ALPHABET = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

# Words a person might take for a page of the service itself, or that the API or a future
# dashboard may want as a path: refused as slugs, whatever their case.
RESERVED = frozenset(
    {
        "about",
        "account",
        "admin",
        "api",
        "app",
        "assets",
        "auth",
        "check",
        "dashboard",
        "delete",
        "docs",
        "edit",
        "events",
        "health",
        "help",
        "hooks",
        "links",
        "login",
        "logout",
        "me",
        "new",
        "openapi",
        "r",
        "settings",
        "signup",
        "smartlinks",
        "static",
        "stats",
        "status",
        "support",
        "ui",
        "www",
    }
)

SLUG_PREFIX = "SLUG#"  # pk of a slug item (sk SLUG_SK)
SLUG_SK = "SLUG"
CLICK_PREFIX = "CLICK#"  # pk CLICK#<slug>#<smart link id>, sk DAY#<yyyy-mm-dd>
DAY_PREFIX = "DAY#"
REF_PREFIX = "SMART#"  # sk of a tenant's reference to its smart link (pk T#<tenant>)
CLICK_RETENTION_DAYS = 400  # click counters are kept this long (TTL) after their day


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be a slug (a sentence saying what to fix), or None."""
    if not MIN_LENGTH <= len(slug) <= MAX_LENGTH:
        return f"slug must be {MIN_LENGTH} to {MAX_LENGTH} characters long"
    if not _ALLOWED.fullmatch(slug):
        return "slug may only hold letters A-Z and a-z, digits, '_' and '-'"
    if slug.lower() in RESERVED:
        return f"slug {slug!r} is reserved; choose another"
    return None


def is_slug(text: str) -> bool:
    """Whether ``text`` could be a slug (the redirect refuses anything else without a read)."""
    return slug_problem(text) is None


def new_slug() -> str:
    """A random slug (never a reserved word: those are all shorter or have other letters)."""
    while True:
        slug = "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))
        if is_slug(slug):
            return slug


def slug_key(slug: str) -> tuple[str, str]:
    """(pk, sk) of the item the redirect reads."""
    return SLUG_PREFIX + slug, SLUG_SK


def click_key(slug: str, smart_id: str, day: str) -> tuple[str, str]:
    """(pk, sk) of a smart link's click counter for one UTC day (``yyyy-mm-dd``).

    ``smart_id`` is drawn anew for each creation, so a slug deleted and created again (by
    anyone) starts from zero instead of inheriting the old counts.
    """
    return f"{CLICK_PREFIX}{slug}#{smart_id}", DAY_PREFIX + day


def day_of(epoch: float) -> str:
    """The UTC day (``yyyy-mm-dd``) a click at ``epoch`` counts for."""
    return datetime.fromtimestamp(epoch, UTC).date().isoformat()


def click_expiry(day: str) -> int:
    """``expires_at`` (epoch seconds) of a day's counter: CLICK_RETENTION_DAYS after the day."""
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return int(start.timestamp()) + (CLICK_RETENTION_DAYS + 1) * 86400
