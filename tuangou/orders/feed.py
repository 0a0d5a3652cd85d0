"""他们都在买 as server-sent events: a campaign's paid orders, read here in orders (above campaigns).

A feed stays open for minutes, so it is served by an async view: an open page costs a coroutine,
not a web worker. One poller per campaign and process asks the database every POLL_SECONDS for
orders paid since its cursor and fans them out to every open feed of that campaign, so 200 open
pages cost one cheap query per poll, not 200.

The cursor is the id of the order's "paid" event (OrderEvent rows only grow), not the order line
id: an order placed early and paid late must still show up. It is the SSE event id, so a client
reconnecting with Last-Event-ID gets what it missed.
"""

import asyncio
import json
import re
import time
from collections import defaultdict

from asgiref.sync import sync_to_async
from django.db import connection

from tuangou.core.bounds import MAX_ID
from tuangou.core.phones import public_name

from .models import Order, OrderEvent, OrderLine
from .selectors import PAID_ORDER_STATUSES

POLL_SECONDS = 1.5
HEARTBEAT_SECONDS = 15.0
# Feeds end after a while and the browser reconnects with Last-Event-ID: no connection lives for
# ever behind proxies, and a deploy drains within this bound.
LIFETIME_SECONDS = 300.0
BACKLOG_SIZE = 20
# A reconnecting page gets at most this many missed purchases (a few seconds' worth at peak).
CATCH_UP_SIZE = 200
RETRY_MS = 3000


def _purchases(*, shop_id: int, campaign_id: int, after_id: int | None, limit: int) -> list[dict]:
    """Paid (or later) orders of the campaign as feed events, oldest first.

    after_id None: the newest `limit` ones (what a fresh page shows); otherwise those paid after it.
    """
    events = OrderEvent.objects.filter(
        shop_id=shop_id,
        to_status=Order.Status.PAID,
        order__campaign_id=campaign_id,
        order__status__in=PAID_ORDER_STATUSES,
    )
    if after_id is None:
        rows = list(events.order_by("-id").values("id", "order_id")[:limit])[::-1]
    else:
        rows = list(events.filter(id__gt=after_id).order_by("id").values("id", "order_id")[:limit])
    if not rows:
        return []
    orders = {
        order["id"]: order
        for order in Order.objects.filter(shop_id=shop_id, id__in=[row["order_id"] for row in rows]).values(
            "id", "member__display_name", "contact_name", "contact_phone", "paid_at"
        )
    }
    lines = defaultdict(list)
    for line in (
        OrderLine.objects.filter(shop_id=shop_id, order_id__in=orders)
        .order_by("id")
        .values("order_id", "product_name", "spec", "quantity")
    ):
        lines[line["order_id"]].append(
            {"product_name": line["product_name"], "spec": line["spec"], "quantity": line["quantity"]}
        )
    purchases = []
    for row in rows:
        order = orders[row["order_id"]]
        purchases.append(
            {
                "id": row["id"],
                "name": public_name(
                    order["member__display_name"] or order["contact_name"] or "", order["contact_phone"]
                ),
                "items": lines[row["order_id"]],
                "at": order["paid_at"].isoformat() if order["paid_at"] else None,
            }
        )
    return purchases


def purchases_after(*, shop_id: int, campaign_id: int, after_id: int | None) -> list[dict]:
    """For polling clients (a request thread): the backlog, or what was paid after after_id."""
    limit = BACKLOG_SIZE if after_id is None else CATCH_UP_SIZE
    return _purchases(shop_id=shop_id, campaign_id=campaign_id, after_id=after_id, limit=limit)


def _purchases_and_release(**kwargs) -> list[dict]:
    # Runs on a pool thread outside any request, so no request_finished closes its connection:
    # give it back here (to the pool when pooling, else simply closed).
    try:
        return _purchases(**kwargs)
    finally:
        connection.close()


async def fetch_purchases(
    *, shop_id: int, campaign_id: int, after_id: int | None, limit: int = BACKLOG_SIZE
) -> list[dict]:
    return await sync_to_async(_purchases_and_release, thread_sensitive=False)(
        shop_id=shop_id,
        campaign_id=campaign_id,
        after_id=after_id,
        limit=limit,
    )


def _latest_paid_event_id(*, shop_id: int, campaign_id: int) -> int:
    try:
        latest = (
            OrderEvent.objects.filter(shop_id=shop_id, to_status=Order.Status.PAID, order__campaign_id=campaign_id)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        return latest or 0
    finally:
        connection.close()


class _CampaignPoller:
    """The one poll loop of a campaign in this process, feeding every subscriber's queue."""

    def __init__(self, shop_id: int, campaign_id: int, cursor: int):
        self.shop_id, self.campaign_id, self.cursor = shop_id, campaign_id, cursor
        self.queues: set[asyncio.Queue] = set()
        self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self):
        while self.queues:
            await asyncio.sleep(POLL_SECONDS)
            try:
                found = await fetch_purchases(
                    shop_id=self.shop_id, campaign_id=self.campaign_id, after_id=self.cursor, limit=CATCH_UP_SIZE
                )
            except Exception:  # a database hiccup must not end every open feed; try again next poll
                continue
            if found:
                self.cursor = found[-1]["id"]
                for queue in self.queues:
                    queue.put_nowait(found)


_pollers: dict[tuple[int, int], _CampaignPoller] = {}


async def _subscribe(shop_id: int, campaign_id: int) -> tuple[_CampaignPoller, asyncio.Queue]:
    # Keyed by event loop too: each test (and each uvicorn worker) runs its own loop.
    key = (id(asyncio.get_running_loop()), campaign_id)
    poller = _pollers.get(key)
    if poller is None or poller.task.done():
        # A new poller starts at the newest paid order; the subscriber's own backlog read (after
        # this) covers everything up to there, so nothing falls between the two.
        latest = await sync_to_async(_latest_paid_event_id, thread_sensitive=False)(
            shop_id=shop_id, campaign_id=campaign_id
        )
        poller = _pollers[key] = _CampaignPoller(shop_id, campaign_id, latest)
    queue: asyncio.Queue = asyncio.Queue()
    poller.queues.add(queue)
    return poller, queue


def _unsubscribe(poller: _CampaignPoller, queue: asyncio.Queue) -> None:
    poller.queues.discard(queue)
    if not poller.queues:
        poller.task.cancel()
        for key, value in list(_pollers.items()):
            if value is poller:
                del _pollers[key]


def sse_event(purchase: dict) -> str:
    return f"id: {purchase['id']}\ndata: {json.dumps(purchase, ensure_ascii=False)}\n\n"


def event_id_from_header(value: str) -> int | None:
    """The id in a Last-Event-ID header, or None for anything that is not one (treated as no id).

    str.isdigit() is no test: "²" is a digit to it and not to int(); 5,000 digits are past int()'s
    limit; 20 digits are past the database's. Only 1-19 ASCII digits within the id range count.
    """
    if not _EVENT_ID.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


_EVENT_ID = re.compile(r"[0-9]{1,19}")


async def catch_up_body(*, shop_id: int, campaign_id: int, last_event_id: int | None) -> str:
    """The whole answer where streaming is impossible (a WSGI server would hold a worker for the
    feed's lifetime): what there is now, then the browser reconnects after RETRY_MS with
    Last-Event-ID. The page still updates without reload, a few seconds later."""
    limit = BACKLOG_SIZE if last_event_id is None else CATCH_UP_SIZE
    found = await fetch_purchases(shop_id=shop_id, campaign_id=campaign_id, after_id=last_event_id, limit=limit)
    return f"retry: {RETRY_MS}\n\n" + "".join(sse_event(purchase) for purchase in found)


async def purchase_stream(
    *, shop_id: int, campaign_id: int, last_event_id: int | None, lifetime: float = LIFETIME_SECONDS
):
    """The SSE body: the backlog (or what was missed since Last-Event-ID), then new purchases as
    they are paid, a comment line as heartbeat, until `lifetime` seconds have passed."""
    deadline = time.monotonic() + lifetime
    yield f"retry: {RETRY_MS}\n\n"
    # Subscribe before reading the backlog, so nothing paid in between falls through the gap;
    # the cursor check below drops what arrives twice.
    poller, queue = await _subscribe(shop_id, campaign_id)
    try:
        limit = BACKLOG_SIZE if last_event_id is None else CATCH_UP_SIZE
        backlog = await fetch_purchases(shop_id=shop_id, campaign_id=campaign_id, after_id=last_event_id, limit=limit)
        cursor = last_event_id or 0
        for purchase in backlog:
            cursor = purchase["id"]
            yield sse_event(purchase)
        while (left := deadline - time.monotonic()) > 0:
            try:
                found = await asyncio.wait_for(queue.get(), timeout=min(HEARTBEAT_SECONDS, left))
            except TimeoutError:
                yield ": ping\n\n"
                continue
            for purchase in found:
                if purchase["id"] > cursor:
                    cursor = purchase["id"]
                    yield sse_event(purchase)
    finally:
        _unsubscribe(poller, queue)
