"""API key values: format, hashing and input checks (refused before any AWS call)."""

from __future__ import annotations

import hashlib
from typing import Any, cast

import pytest

from linkcheck.errors import InvalidInput
from linkcheck.store.keys import KeyStore, generate_secret, hash_secret


class NoAws:
    """A DynamoDB client that fails the test if it is ever used."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"AWS was called ({name}) for input that should be refused")


def store() -> KeyStore:
    return KeyStore(cast(Any, NoAws()), "table")


def test_keys_are_lck_plus_32_random_bytes() -> None:
    secret = generate_secret()
    assert secret.startswith("lck_")
    assert len(secret) == 4 + 43  # 32 bytes, urlsafe base64 without padding
    assert generate_secret() != secret


def test_the_stored_hash_is_sha256_hex() -> None:
    assert hash_secret("lck_x") == hashlib.sha256(b"lck_x").hexdigest()


@pytest.mark.parametrize("tenant", ["", "has space", "a#b", "-leading", "x" * 65])
def test_bad_tenant_names_are_refused(tenant: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        store().create_key(tenant)
    assert caught.value.field == "tenant"


@pytest.mark.parametrize("secret", ["short", "has a space in it", "x" * 257, "tab\tkey123"])
def test_bad_fixed_secrets_are_refused(secret: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        store().create_key("acme", secret=secret)
    assert caught.value.field == "secret"


def test_listing_checks_the_tenant_too() -> None:
    with pytest.raises(InvalidInput):
        store().list_keys("not valid")
