"""Campaign-item stock mirrored in Redis: the gate a popular item's buyers pass before PostgreSQL.

With REDIS_URL set (and HOT_STOCK on, its default) checkout takes each item's quantity from a
Redis counter with one atomic Lua check-and-decrement before it writes anything; a buyer the
counter refuses gets the 409 at once, without inserting an order or queueing on the item's row.
PostgreSQL stays the only truth: the conditional UPDATE on `stock_left` (and its CHECK >= 0)
still runs in the checkout's transaction, so no state of Redis can oversell. Redis being wrong
only costs speed (too high: the UPDATE refuses) or a late sale (too low: healed below).

Every item is gated, not only flash items: the take costs one round trip (~0.1 ms against
~3-8 ms of Python per order) and a rule for "hot" would be a guess made before the crowd comes.

Keys are `tuangou:stock:{<shop>}:<item>` (the braces keep a shop's keys in one Redis Cluster slot,
so one script may touch all the items of an order). A missing key is filled from the database
on first use (SET NX). `hot_stock_reconcile` overwrites keys with `stock_left` — on schedule,
after a campaign's stock is reset, and at once when checkout sees Redis refuse what the database
still has (a process killed between the take and its COMMIT leaves Redis low). See
docs/hot-stock.md for why this keeps "never oversold" provable.
"""

import logging
from functools import cache

from django.conf import settings

from tuangou.core.transactions import after_commit

from .models import Campaign, CampaignItem

logger = logging.getLogger(__name__)

# Kept a while past any campaign's cut-off; the schedule refreshes live ones.
KEY_SECONDS = 3 * 24 * 3600
# At most one reconcile per item in this window when checkout finds a mismatch.
HEAL_MILLISECONDS = 1000

# KEYS: the items' counters; ARGV: the quantities. All or nothing: {0, 0} taken, {i, left} item i
# has too little, {-i, 0} item i's key is missing (filled from the database, then run again).
_TAKE = """
for i = 1, #KEYS do
  local left = redis.call('GET', KEYS[i])
  if not left then return {-i, 0} end
  if tonumber(left) < tonumber(ARGV[i]) then return {i, tonumber(left)} end
end
for i = 1, #KEYS do
  redis.call('DECRBY', KEYS[i], ARGV[i])
end
return {0, 0}
"""
# Only into existing keys: a missing key is filled from the database, which already counts it.
_GIVE = """
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], ARGV[i]) end
end
return 0
"""


class _Redis:
    def __init__(self, url: str):
        import redis

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.take = self.client.register_script(_TAKE)
        self.give = self.client.register_script(_GIVE)


@cache
def _redis_for(url: str) -> _Redis:
    return _Redis(url)


def hot_stock_redis() -> _Redis | None:
    """The Redis the counters live in, or None: no REDIS_URL, or HOT_STOCK turned off."""
    if not settings.HOT_STOCK or not settings.REDIS_URL:
        return None
    return _redis_for(settings.REDIS_URL)


def hot_stock_key(shop_id: int, item_id: int) -> str:
    return f"tuangou:stock:{{{shop_id}}}:{item_id}"


def _stock_in_database(shop_id: int, item_ids: list[int]) -> dict[int, int]:
    return dict(
        CampaignItem.objects.filter(shop_id=shop_id, pk__in=item_ids).values_list("pk", "stock_left").order_by()
    )


def _fill(r: _Redis, shop_id: int, item_ids: list[int], *, overwrite: bool) -> None:
    """Counters from `stock_left` as committed. Without `overwrite` only missing keys are set."""
    pipe = r.client.pipeline(transaction=False)
    for item_id, left in _stock_in_database(shop_id, item_ids).items():
        pipe.set(hot_stock_key(shop_id, item_id), left, ex=KEY_SECONDS, nx=not overwrite)
    pipe.execute()


def hot_stock_take(*, shop_id: int, quantities: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Take [(item id, quantity)] from the counters, all or none. Returns None when taken (or when
    Redis is off or down: the database alone decides then), else (index, what Redis has left) of
    an item it has too little of — after one reconcile of that item if the database disagreed."""
    r = hot_stock_redis()
    if r is None or not quantities:
        return None
    keys = [hot_stock_key(shop_id, item_id) for item_id, _ in quantities]
    args = [quantity for _, quantity in quantities]
    filled = healed = False
    try:
        while True:
            answer, left = r.take(keys=keys, args=args)
            if answer == 0:
                return None
            index = abs(answer) - 1
            if answer < 0:
                if filled:  # the key went again at once (flushed under us): the database decides
                    return None
                _fill(r, shop_id, [item_id for item_id, _ in quantities], overwrite=False)
                filled = True
                continue
            item_id, quantity = quantities[index]
            # Redis refuses: is it only low because a checkout died between its take and COMMIT?
            # Ask the database once per item per second; a too-high answer is safe (the UPDATE guards).
            if healed or not r.client.set(f"{keys[index]}:heal", 1, px=HEAL_MILLISECONDS, nx=True):
                return index, left
            healed = True
            in_database = _stock_in_database(shop_id, [item_id]).get(item_id, 0)
            if in_database < quantity:
                return index, left
            logger.warning(
                "hot_stock_mismatch shop=%s item=%s redis=%s database=%s", shop_id, item_id, left, in_database
            )
            _fill(r, shop_id, [item_id], overwrite=True)
    except r.errors:
        logger.warning("hot_stock_redis_unavailable: checkout falls back to the database alone", exc_info=True)
        return None


def hot_stock_give(*, shop_id: int, quantities: list[tuple[int, int]]) -> None:
    """Put quantities back into the counters that exist (a missing one is filled from the database)."""
    r = hot_stock_redis()
    quantities = [(item_id, quantity) for item_id, quantity in quantities if quantity > 0]
    if r is None or not quantities:
        return
    try:
        r.give(keys=[hot_stock_key(shop_id, i) for i, _ in quantities], args=[q for _, q in quantities])
    except r.errors:
        logger.warning("hot_stock_redis_unavailable: give-back left to the reconcile", exc_info=True)


def hot_stock_give_after_commit(*, shop_id: int, quantities: list[tuple[int, int]]) -> None:
    """Stock returned by a cancel, an expiry or a refund: into Redis once the database has it."""
    if hot_stock_redis() is not None and quantities:
        after_commit(lambda: hot_stock_give(shop_id=shop_id, quantities=list(quantities)))


def hot_stock_reconcile(*, item_ids: list[int] | None = None) -> int:
    """Overwrite counters with the database's `stock_left`: these items, or every item of a live
    campaign. Returns how many keys were written. Run by the schedule (and so at worker start),
    after a campaign's stock is reset, and by checkout on a mismatch."""
    r = hot_stock_redis()
    if r is None:
        return 0
    items = CampaignItem.objects.order_by()
    items = (
        items.filter(pk__in=item_ids) if item_ids is not None else items.filter(campaign__status=Campaign.Status.LIVE)
    )
    rows = list(items.values_list("shop_id", "pk", "stock_left"))
    try:
        pipe = r.client.pipeline(transaction=False)
        for shop_id, item_id, left in rows:
            pipe.set(hot_stock_key(shop_id, item_id), left, ex=KEY_SECONDS)
        pipe.execute()
    except r.errors:
        logger.warning("hot_stock_redis_unavailable: reconcile skipped", exc_info=True)
        return 0
    return len(rows)


def hot_stock_reconcile_after_commit(*, item_ids: list[int]) -> None:
    if hot_stock_redis() is not None and item_ids:
        after_commit(lambda: hot_stock_reconcile(item_ids=list(item_ids)))


def hot_stock_in_redis(*, shop_id: int, item_id: int) -> int | None:
    """The counter as Redis has it (None: no key, or Redis off). For tests and the console's eyes."""
    r = hot_stock_redis()
    if r is None:
        return None
    value = r.client.get(hot_stock_key(shop_id, item_id))
    return None if value is None else int(value)
