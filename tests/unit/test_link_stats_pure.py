"""The pure parts of the link counters and of the ``GET /links`` filters."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from linkcheck.domain.transitions import LinkState
from linkcheck.engine.platforms.registry import PLATFORMS
from linkcheck.errors import InvalidInput
from linkcheck.handlers.routes.link_filters import Platform, host_filter
from linkcheck.registration import PLATFORM_NAMES
from linkcheck.store._table import TRANSACTION_ATTEMPTS, TableRepository
from linkcheck.store.stats import LinkStats, deltas, stats_update

OK, BROKEN, UNCHECKED = LinkState.OK, LinkState.BROKEN, LinkState.UNCHECKED


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (None, UNCHECKED, {UNCHECKED: 1}),  # registered
        (BROKEN, None, {BROKEN: -1}),  # deleted
        (UNCHECKED, OK, {UNCHECKED: -1, OK: 1}),  # first judged result
        (OK, BROKEN, {OK: -1, BROKEN: 1}),  # confirmed transition
        (OK, OK, {}),  # the steady path counts nothing
        (None, None, {}),
    ],
)
def test_deltas(
    before: LinkState | None, after: LinkState | None, change: dict[LinkState, int]
) -> None:
    assert deltas(before, after) == change


def test_the_counter_update_adds_to_one_attribute_per_state() -> None:
    update = stats_update("t", "acme", {OK: -1, BROKEN: 1})["Update"]
    assert update["Key"] == {"pk": {"S": "T#acme"}, "sk": {"S": "STATS"}}
    assert update["UpdateExpression"] == "SET kind = :kind ADD #s0 :s0, #s1 :s1"
    names, values = update["ExpressionAttributeNames"], update["ExpressionAttributeValues"]
    added = {names[f"#s{i}"]: values[f":s{i}"]["N"] for i in range(2)}
    assert added == {"links_ok": "-1", "links_broken": "1"}
    assert "ConditionExpression" not in update  # ADD creates the item and missing numbers


def test_stats_read_every_state_and_sum_them() -> None:
    stats = LinkStats.from_item({"links_ok": {"N": "4"}, "links_down": {"N": "1"}})
    assert stats.by_state == {
        LinkState.UNCHECKED: 0,
        OK: 4,
        BROKEN: 0,
        LinkState.RESTRICTED: 0,
        LinkState.DOWN: 1,
    }
    assert stats.links == 5


def test_platform_filter_knows_every_named_platform_detector() -> None:
    named = {name for _, _, name, domains in PLATFORMS if domains is not None}
    assert set(PLATFORM_NAMES) == named and "youtube" in named and "soft404" not in named
    assert {p.value for p in Platform} == named


@pytest.mark.parametrize(
    ("given", "host"),
    [
        ("Example.COM", "example.com"),
        (" example.com ", "example.com"),
        ("example.com.", "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("93.184.216.34", "93.184.216.34"),
        ("2606:4700:4700::1111", "2606:4700:4700::1111"),
        ("[2606:4700:4700::1111]", "2606:4700:4700::1111"),
    ],
)
def test_host_filter_normalises_like_registration(given: str, host: str) -> None:
    assert host_filter(given) == host


@pytest.mark.parametrize(
    "given", ["", " ", "https://example.com", "example.com/x", "a@b.com", "example.com:443", "a..b"]
)
def test_host_filter_refuses_what_is_not_a_host(given: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        host_filter(given)
    assert refused.value.field == "host" and "host" in refused.value.message


# ---------------------------------------------------------------- transactions (stubbed)


def _stubbed() -> tuple[TableRepository, Stubber, list[float]]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    repository = TableRepository(client, "t")
    pauses: list[float] = []
    repository.sleep = pauses.append
    return repository, Stubber(client), pauses


def _cancelled(stubber: Stubber, *codes: str) -> None:
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        modeled_fields={"CancellationReasons": [{"Code": code} for code in codes]},
    )


ITEMS = [{"ConditionCheck": {"TableName": "t", "Key": {}, "ConditionExpression": "x"}}]


def test_a_transaction_cancelled_by_a_conflict_is_sent_again() -> None:
    repository, stubber, pauses = _stubbed()
    _cancelled(stubber, "None", "TransactionConflict")
    _cancelled(stubber, "TransactionConflict", "None")
    stubber.add_response("transact_write_items", {})
    with stubber:
        assert repository.transact(ITEMS) == []
    assert len(pauses) == 2


def test_a_failed_condition_answers_the_reasons_without_retrying() -> None:
    repository, stubber, pauses = _stubbed()
    _cancelled(stubber, "ConditionalCheckFailed", "TransactionConflict")
    with stubber:
        reasons = repository.transact(ITEMS)
    assert [reason["Code"] for reason in reasons] == [
        "ConditionalCheckFailed",
        "TransactionConflict",
    ]
    assert pauses == []


def test_conflicts_that_never_end_and_other_cancellations_raise() -> None:
    repository, stubber, pauses = _stubbed()
    for _ in range(TRANSACTION_ATTEMPTS):
        _cancelled(stubber, "TransactionConflict")
    _cancelled(stubber, "ThrottlingError")
    with stubber:
        with pytest.raises(ClientError):
            repository.transact(ITEMS)
        assert len(pauses) == TRANSACTION_ATTEMPTS - 1
        with pytest.raises(ClientError):
            repository.transact(ITEMS)
