"""The panel client against the sandbox panel over real loopback HTTP."""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal

import aiohttp
import pytest

from api import (
    BatchInterrupted,
    CustomCommentsOrder,
    CustomCommentsPackageOrder,
    DefaultOrder,
    InvalidRequest,
    ItemError,
    MentionsCustomListOrder,
    MentionsHashtagOrder,
    MentionsUserFollowersOrder,
    MentionsWithHashtagsOrder,
    OrderRequest,
    OrderStatus,
    OrderType,
    PackageOrder,
    PanelBadResponse,
    PanelClient,
    PanelRefusal,
    PanelServerError,
    PanelTimeout,
    PanelUnreachable,
    PollOrder,
    RefillStatus,
    Service,
    StatusInfo,
    SubscriptionOrder,
)
from api.sandbox import Fault, ManualClock, SandboxPanel

KEY = "test-key-3f9a2c71d0"  # the account the conftest opens
LINK = "https://instagram.com/p/Cabc123"


async def _service(client: PanelClient, order_type: OrderType, **flags: bool) -> Service:
    for service in await client.services():
        if service.order_type is order_type and all(
            getattr(service, name) == value for name, value in flags.items()
        ):
            return service
    raise AssertionError(f"the sandbox has no {order_type} service with {flags}")


def _actions(panel: SandboxPanel) -> list[str]:
    return [request.action for request in panel.requests]


async def test_balance_and_currency(client: PanelClient) -> None:
    balance = await client.balance()
    assert balance.balance == Decimal(1000)
    assert balance.currency == "USD"


async def test_services_cover_every_order_type(client: PanelClient) -> None:
    services = await client.services()
    assert {service.order_type for service in services} >= set(OrderType)
    assert all(service.rate > 0 and 0 < service.min <= service.max for service in services)


def _requests(
    services: dict[OrderType, Service], today: dt.date
) -> list[tuple[OrderRequest, dict[str, str]]]:
    def sid(order_type: OrderType) -> int:
        return services[order_type].id

    def low(order_type: OrderType) -> int:
        return services[order_type].min

    expiry = today + dt.timedelta(days=30)
    return [
        (
            DefaultOrder(
                service=sid(OrderType.DEFAULT), link=LINK, quantity=low(OrderType.DEFAULT)
            ),
            {"link": LINK, "quantity": str(low(OrderType.DEFAULT))},
        ),
        (PackageOrder(service=sid(OrderType.PACKAGE), link=LINK), {"link": LINK}),
        (
            CustomCommentsOrder(
                service=sid(OrderType.CUSTOM_COMMENTS),
                link=LINK,
                comments=[f"comment {n}" for n in range(low(OrderType.CUSTOM_COMMENTS))],
            ),
            {
                "link": LINK,
                "comments": "\n".join(
                    f"comment {n}" for n in range(low(OrderType.CUSTOM_COMMENTS))
                ),
            },
        ),
        (
            MentionsWithHashtagsOrder(
                service=sid(OrderType.MENTIONS_WITH_HASHTAGS),
                link=LINK,
                quantity=low(OrderType.MENTIONS_WITH_HASHTAGS),
                usernames=["alice", "bob"],
                hashtags=["#one", "#two"],
            ),
            {
                "link": LINK,
                "quantity": str(low(OrderType.MENTIONS_WITH_HASHTAGS)),
                "usernames": "alice\nbob",
                "hashtags": "#one\n#two",
            },
        ),
        (
            MentionsCustomListOrder(
                service=sid(OrderType.MENTIONS_CUSTOM_LIST),
                link=LINK,
                usernames=[f"user{n}" for n in range(low(OrderType.MENTIONS_CUSTOM_LIST))],
            ),
            {
                "link": LINK,
                "usernames": "\n".join(
                    f"user{n}" for n in range(low(OrderType.MENTIONS_CUSTOM_LIST))
                ),
            },
        ),
        (
            MentionsHashtagOrder(
                service=sid(OrderType.MENTIONS_HASHTAG),
                link=LINK,
                quantity=low(OrderType.MENTIONS_HASHTAG),
                hashtag="#travel",
            ),
            {"link": LINK, "quantity": str(low(OrderType.MENTIONS_HASHTAG)), "hashtag": "#travel"},
        ),
        (
            MentionsUserFollowersOrder(
                service=sid(OrderType.MENTIONS_USER_FOLLOWERS),
                link=LINK,
                quantity=low(OrderType.MENTIONS_USER_FOLLOWERS),
                username="https://instagram.com/nasa",
            ),
            {
                "link": LINK,
                "quantity": str(low(OrderType.MENTIONS_USER_FOLLOWERS)),
                "username": "https://instagram.com/nasa",
            },
        ),
        (
            SubscriptionOrder(
                service=sid(OrderType.SUBSCRIPTIONS),
                username="shopgram",
                min=low(OrderType.SUBSCRIPTIONS),
                max=low(OrderType.SUBSCRIPTIONS) * 2,
                delay=30,
                posts=3,
                old_posts=1,
                expiry=expiry,
            ),
            {
                "username": "shopgram",
                "min": str(low(OrderType.SUBSCRIPTIONS)),
                "max": str(low(OrderType.SUBSCRIPTIONS) * 2),
                "delay": "30",
                "posts": "3",
                "old_posts": "1",
                "expiry": expiry.strftime("%d/%m/%Y"),
            },
        ),
        (
            CustomCommentsPackageOrder(
                service=sid(OrderType.CUSTOM_COMMENTS_PACKAGE), link=LINK, comments="great\nnice"
            ),
            {"link": LINK, "comments": "great\nnice"},
        ),
        (
            PollOrder(
                service=sid(OrderType.POLL),
                link="https://t.me/channel/15",
                quantity=low(OrderType.POLL),
                answer_number=2,
            ),
            {
                "link": "https://t.me/channel/15",
                "quantity": str(low(OrderType.POLL)),
                "answer_number": "2",
            },
        ),
    ]


async def test_add_of_every_order_type_sends_exactly_its_fields(
    client: PanelClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    services = {service.order_type: service for service in await client.services()}
    today = dt.datetime.fromtimestamp(clock.now(), dt.UTC).date()
    cases = _requests({t: s for t, s in services.items() if t is not None}, today)
    assert {request.order_type for request, _ in cases} == set(OrderType)
    for request, fields in cases:
        before = panel.balance_of(KEY)
        order_id = await client.add(request)
        sent = panel.requests[-1]
        assert sent.action == "add"
        assert sent.key == KEY
        assert sent.fields == {"service": str(request.service), **fields}, request.order_type
        assert order_id in panel.orders
        assert panel.balance_of(KEY) < before, request.order_type


async def test_drip_feed_sends_runs_and_interval(client: PanelClient, panel: SandboxPanel) -> None:
    service = await _service(client, OrderType.DEFAULT, dripfeed=True)
    await client.add(
        DefaultOrder(service=service.id, link=LINK, quantity=service.min, runs=3, interval=15)
    )
    assert panel.requests[-1].fields == {
        "service": str(service.id),
        "link": LINK,
        "quantity": str(service.min),
        "runs": "3",
        "interval": "15",
    }


async def test_bad_requests_are_refused_before_anything_is_sent(panel: SandboxPanel) -> None:
    bad = [
        lambda: DefaultOrder(service=1, link=LINK, quantity=0),
        lambda: DefaultOrder(service=1, link=" ", quantity=10),
        lambda: DefaultOrder(service=1, link=LINK, quantity=10, runs=2),
        lambda: CustomCommentsOrder(service=1, link=LINK, comments="\n \n"),
        lambda: MentionsWithHashtagsOrder(
            service=1, link=LINK, quantity=5, usernames=["a"], hashtags=[]
        ),
        lambda: SubscriptionOrder(service=1, username="u", min=10, max=20, delay=7),
        lambda: SubscriptionOrder(service=1, username="u", min=30, max=20, delay=5),
        lambda: PollOrder(service=1, link=LINK, quantity=10, answer_number=0),
        lambda: PackageOrder(service=0, link=LINK),
    ]
    for build in bad:
        with pytest.raises(InvalidRequest):
            build()
    assert panel.requests == []


async def test_order_lifecycle_seen_through_status(
    client: PanelClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    service = await _service(client, OrderType.DEFAULT)
    order_id = await client.add(DefaultOrder(service=service.id, link=LINK, quantity=service.min))
    assert (await client.status(order_id)).status is OrderStatus.PENDING
    clock.advance(panel.pending_seconds + 1)
    running = await client.status(order_id)
    assert running.status is OrderStatus.IN_PROGRESS
    assert running.start_count is not None
    clock.advance(panel.progress_seconds + 1)
    done = await client.status(order_id)
    assert done.status is OrderStatus.COMPLETED
    assert done.remains == 0
    assert done.charge is not None and done.charge > 0


async def test_250_ids_are_asked_in_3_calls_with_per_item_errors(
    client: PanelClient, panel: SandboxPanel
) -> None:
    service = await _service(client, OrderType.DEFAULT)
    placed = [
        await client.add(DefaultOrder(service=service.id, link=f"{LINK}{n}", quantity=service.min))
        for n in range(245)
    ]
    unknown = [1, 2, 3, 4, 5]
    calls_before = len(panel.requests)
    result = await client.multi_status([*placed, *unknown])
    status_calls = [r for r in panel.requests[calls_before:] if r.action == "status"]
    assert len(status_calls) == 3
    assert sorted(len(r.fields["orders"].split(",")) for r in status_calls) == [50, 100, 100]
    assert set(result) == {*placed, *unknown}
    assert all(isinstance(result[order_id], StatusInfo) for order_id in placed)
    assert all(result[order_id] == ItemError(error="Incorrect order ID") for order_id in unknown)


@pytest.mark.parametrize(
    "fault",
    [
        Fault.html_502(action="status", skip=1, times=1),
        Fault.timeout(action="status", skip=1, times=1),
    ],
)
async def test_a_failed_chunk_of_a_multi_status_loses_only_its_own_ids(
    panel_url: str, panel: SandboxPanel, fault: Fault
) -> None:
    async with PanelClient(
        panel_url, KEY, timeouts=aiohttp.ClientTimeout(total=0.5), concurrency=1
    ) as client:
        service = await _service(client, OrderType.DEFAULT)
        placed = [
            await client.add(
                DefaultOrder(service=service.id, link=f"{LINK}{n}", quantity=service.min)
            )
            for n in range(250)
        ]
        panel.faults.add(fault)
        read = await client.multi_status_chunks(placed)
    # One call at a time, so the second call is the second chunk of 100 ids.
    calls = [r.fields["orders"].split(",") for r in panel.requests if r.action == "status"]
    assert [len(ids) for ids in calls] == [100, 100, 50]
    assert read.chunks == 3
    assert not read.nothing_answered
    [failed] = read.failed
    assert failed.ids == placed[100:200]
    assert failed.error.ambiguous
    assert read.unanswered == placed[100:200]
    assert sorted(read.items) == sorted(placed[:100] + placed[200:])
    assert all(isinstance(answer, StatusInfo) for answer in read.items.values())


async def test_a_multi_status_with_no_chunk_answered_says_so_and_multi_status_raises(
    client: PanelClient, panel: SandboxPanel
) -> None:
    service = await _service(client, OrderType.DEFAULT)
    placed = [
        await client.add(DefaultOrder(service=service.id, link=f"{LINK}{n}", quantity=service.min))
        for n in range(150)
    ]
    panel.faults.add(Fault.html_502(action="status"))
    read = await client.multi_status_chunks(placed)
    assert (read.chunks, len(read.failed), read.items) == (2, 2, {})
    assert read.nothing_answered
    assert sorted(read.unanswered) == sorted(placed)
    panel.faults.clear()
    panel.faults.add(Fault.html_502(action="status", times=1))
    # The all-or-nothing form, for callers that need every answer, still raises.
    with pytest.raises(PanelServerError):
        await client.multi_status(placed)
    panel.faults.add(Fault.html_502(action="refill_status", skip=1, times=1))
    refills = await client.multi_refill_status_chunks(range(1, 151))
    assert refills.chunks == 2
    assert [chunk.ids for chunk in refills.failed] == [list(range(101, 151))]
    assert refills.items == {n: ItemError(error="Refill not found") for n in range(1, 101)}


async def test_refill_single_and_multi_with_statuses(
    client: PanelClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    service = await _service(client, OrderType.DEFAULT, refill=True)
    first = await client.add(
        DefaultOrder(service=service.id, link=f"{LINK}1", quantity=service.min)
    )
    second = await client.add(
        DefaultOrder(service=service.id, link=f"{LINK}2", quantity=service.min)
    )
    with pytest.raises(PanelRefusal) as early:
        await client.refill(first)
    assert early.value.message == "Order not eligible for refill"
    clock.advance(panel.pending_seconds + panel.progress_seconds + 10)
    refill_id = await client.refill(first)
    many = await client.multi_refill([second, 999])
    assert isinstance(many[second], int)
    assert many[999] == ItemError(error="Incorrect order ID")
    assert (await client.refill_status(refill_id)).status is RefillStatus.PENDING
    clock.advance(3600)
    statuses = await client.multi_refill_status([refill_id, many[second], 777])
    assert statuses[refill_id] == statuses[many[second]]
    completed = statuses[refill_id]
    assert not isinstance(completed, ItemError)
    assert completed.status is RefillStatus.COMPLETED
    assert statuses[777] == ItemError(error="Refill not found")


async def test_cancel_only_where_the_service_allows_it(
    client: PanelClient, panel: SandboxPanel
) -> None:
    cancellable = await _service(client, OrderType.DEFAULT, cancel=True)
    fixed = await _service(client, OrderType.DEFAULT, cancel=False)
    ok = await client.add(
        DefaultOrder(service=cancellable.id, link=LINK, quantity=cancellable.min)
    )
    not_ok = await client.add(DefaultOrder(service=fixed.id, link=LINK, quantity=fixed.min))
    balance_before = panel.balance_of(KEY)
    result = await client.cancel([ok, not_ok])
    assert result[ok] is True
    assert isinstance(result[not_ok], ItemError)
    assert (await client.status(ok)).status is OrderStatus.CANCELED
    assert panel.balance_of(KEY) > balance_before
    with pytest.raises(PanelRefusal):
        await client.cancel_one(not_ok)


async def test_definite_refusals_keep_the_panels_message(
    client: PanelClient, panel: SandboxPanel, panel_url: str
) -> None:
    service = await _service(client, OrderType.DEFAULT)
    with pytest.raises(PanelRefusal) as small:
        await client.add(DefaultOrder(service=service.id, link=LINK, quantity=service.min - 1))
    assert small.value.message == f"Quantity less than minimal {service.min}"
    assert not small.value.ambiguous
    async with PanelClient(panel_url, "wrong-key") as stranger:
        with pytest.raises(PanelRefusal) as bad_key:
            await stranger.balance()
    assert bad_key.value.message == "Invalid API key"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.html_502(action="add"), PanelServerError),
        (Fault.timeout(action="add"), PanelTimeout),
        (Fault.garbage(action="add"), PanelBadResponse),
        (Fault.http_status(500, body='{"error": "Internal"}', action="add"), PanelServerError),
    ],
)
async def test_ambiguous_failures_are_told_apart_from_refusals(
    client: PanelClient, panel: SandboxPanel, fault: Fault, error: type[Exception]
) -> None:
    service = await _service(client, OrderType.DEFAULT)
    panel.faults.add(fault)
    with pytest.raises(error) as caught:
        await client.add(DefaultOrder(service=service.id, link=LINK, quantity=service.min))
    assert getattr(caught.value, "ambiguous", False)


async def test_an_order_id_of_zero_is_an_ambiguous_answer_not_an_id(
    client: PanelClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    service = await _service(client, OrderType.DEFAULT, refill=True)
    panel.faults.add(Fault.http_status(200, '{"order": 0}', action="add", after_apply=True))
    with pytest.raises(PanelBadResponse) as caught:
        await client.add(DefaultOrder(service=service.id, link=LINK, quantity=service.min))
    assert caught.value.ambiguous
    # The panel may well have taken it: that is exactly why it is ambiguous.
    [order_id] = panel.orders
    clock.advance(panel.pending_seconds + panel.progress_seconds + 1)
    panel.faults.add(Fault.http_status(200, '{"refill": "0"}', action="refill", after_apply=True))
    with pytest.raises(PanelBadResponse) as refill:
        await client.refill(order_id)
    assert refill.value.ambiguous


async def test_a_lost_answer_leaves_the_order_placed_at_the_panel(
    client: PanelClient, panel: SandboxPanel
) -> None:
    service = await _service(client, OrderType.DEFAULT)
    panel.faults.add(Fault.timeout(action="add", after_apply=True, times=1))
    with pytest.raises(PanelTimeout):
        await client.add(DefaultOrder(service=service.id, link=LINK, quantity=service.min))
    assert len(panel.orders) == 1
    assert panel.balance_of(KEY) < Decimal(1000)


async def test_nothing_listening_is_unreachable_not_ambiguous() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with PanelClient(f"http://127.0.0.1:{port}/api/v2", KEY) as client:
        with pytest.raises(PanelUnreachable) as caught:
            await client.balance()
    assert not caught.value.ambiguous


async def test_the_key_never_shows_in_errors_or_repr(
    client: PanelClient, panel: SandboxPanel
) -> None:
    panel.faults.add(Fault.error(f"Invalid API key {KEY}", action="balance"))
    with pytest.raises(PanelRefusal) as caught:
        await client.balance()
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)
    assert KEY not in repr(client)


async def test_numbers_as_json_numbers_and_other_spellings_parse(
    client: PanelClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    panel.numbers_as_json_numbers = True
    panel.alternate_spellings = True
    service = await _service(client, OrderType.DEFAULT)
    order_id = await client.add(DefaultOrder(service=service.id, link=LINK, quantity=service.min))
    clock.advance(panel.pending_seconds + 1)
    info = await client.status(order_id)
    assert info.status is OrderStatus.IN_PROGRESS
    assert info.status_raw == "In Progress"
    assert isinstance((await client.balance()).balance, Decimal)


async def test_a_write_batch_that_fails_reports_what_was_not_done(
    client: PanelClient, panel: SandboxPanel
) -> None:
    panel.faults.add(Fault.html_502(action="refill", times=1))
    ids = list(range(1, 151))
    with pytest.raises(BatchInterrupted) as caught:
        await client.multi_refill(ids)
    assert caught.value.ambiguous
    assert caught.value.failed == ids[:100]
    assert caught.value.unsent == ids[100:]
    assert caught.value.completed == {}
    assert _actions(panel).count("refill") == 1


async def test_shared_session_is_left_open(panel_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with PanelClient(panel_url, KEY, session=session) as client:
            await client.balance()
        assert not session.closed
