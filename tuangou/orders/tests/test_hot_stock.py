"""Checkout's stock taken from Redis counters first (tuangou/campaigns/hotstock.py), PostgreSQL's
conditional UPDATE still the guard: never oversold, healed after a crash between the two."""

import os
import threading

import pytest
from django.db import connection

from tuangou.campaigns import tasks as campaign_tasks
from tuangou.campaigns.hotstock import hot_stock_in_redis, hot_stock_redis, hot_stock_take
from tuangou.core.errors import ApplicationError
from tuangou.orders import services
from tuangou.orders.models import Order

from .factories import CampaignItemFactory, given_live_campaign, given_member

REDIS_TEST_URL = os.environ.get("HOT_STOCK_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs Redis at 127.0.0.1:6379")


@pytest.fixture
def hot(settings):
    settings.REDIS_URL = REDIS_TEST_URL
    settings.HOT_STOCK = True
    redis = hot_stock_redis().client
    redis.flushdb()
    yield redis
    redis.flushdb()


def _buy(world, member=None, quantity=1, item=None):
    return services.order_place(
        shop=world.shop,
        member=member or world.member,
        campaign_id=world.campaign.id,
        items=[{"campaign_item_id": (item or world.item).id, "quantity": quantity}],
    )


def _counter(world, item=None):
    return hot_stock_in_redis(shop_id=world.shop.id, item_id=(item or world.item).id)


def _stock_left(item):
    item.refresh_from_db()
    return item.stock_left


@pytest.mark.django_db
def test_the_first_checkout_fills_the_counter_from_the_database_and_takes_from_it(hot):
    world = given_live_campaign(stock=5)
    assert _counter(world) is None

    _buy(world, quantity=2)

    assert _counter(world) == 3
    assert _stock_left(world.item) == 3


@pytest.mark.django_db
def test_a_checkout_failing_after_the_take_gives_the_stock_back(hot, monkeypatch):
    world = given_live_campaign(stock=3)
    _buy(world)

    def crash(order):
        raise RuntimeError("killed after the Lua take, before COMMIT")

    monkeypatch.setattr(services, "_insert_order", crash)
    with pytest.raises(RuntimeError):
        _buy(world)

    assert _counter(world) == 2
    assert _stock_left(world.item) == 2
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_process_killed_between_the_take_and_commit_is_healed_and_sells_every_unit(hot, monkeypatch):
    world = given_live_campaign(stock=3)
    with monkeypatch.context() as killed:
        # The process dies: the transaction rolls back and nothing gives the unit back.
        killed.setattr(services, "hot_stock_give", lambda **kwargs: None)
        killed.setattr(services, "_insert_order", lambda order: (_ for _ in ()).throw(SystemExit(9)))
        with pytest.raises(SystemExit):
            _buy(world)
    assert (_counter(world), _stock_left(world.item)) == (2, 3)

    buyers = [given_member(world.shop, world.leader) for _ in range(4)]
    for member in buyers[:3]:
        _buy(world, member=member)  # the third: Redis says 0, the database 1: reconciled, sold
    with pytest.raises(ApplicationError) as refused:
        _buy(world, member=buyers[3])

    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "stock_insufficient",
        409,
        "items.0.quantity",
    )
    assert (_counter(world), _stock_left(world.item)) == (0, 0)
    assert Order.objects.count() == 3


@pytest.mark.django_db
def test_once_redis_is_empty_a_buyer_is_refused_without_a_database_query(hot, django_assert_num_queries):
    world = given_live_campaign(stock=1)
    _buy(world)
    late = [given_member(world.shop, world.leader) for _ in range(2)]
    with pytest.raises(ApplicationError):
        _buy(world, member=late[0])  # Redis says 0: the database is asked once, agrees

    with django_assert_num_queries(0), pytest.raises(ApplicationError) as refused:
        _buy(world, member=late[1])

    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "stock_insufficient",
        409,
        "items.0.quantity",
    )


@pytest.mark.django_db
def test_a_retry_of_a_placed_order_gets_it_back_even_when_sold_out_and_takes_nothing(hot):
    world = given_live_campaign(stock=1)
    request = {"campaign_id": world.campaign.id, "items": [{"campaign_item_id": world.item.id, "quantity": 1}]}
    first = services.order_place(shop=world.shop, member=world.member, idempotency_key="k-1", **request)

    again = services.order_place(shop=world.shop, member=world.member, idempotency_key="k-1", **request)

    assert (again.pk, again.replayed) == (first.pk, True)
    assert (_counter(world), _stock_left(world.item)) == (0, 0)


@pytest.mark.django_db
def test_the_scheduled_reconcile_rewrites_counters_of_live_items_from_the_database(hot, monkeypatch):
    world = given_live_campaign(stock=4)
    _buy(world)
    hot.set(f"tuangou:stock:{{{world.shop.id}}}:{world.item.id}", 1)  # low, as after a crash

    written = campaign_tasks.hot_stock_reconcile_all()

    assert written == 1
    assert _counter(world) == 3


@pytest.mark.django_db
def test_after_redis_is_flushed_the_counter_comes_back_from_the_database(hot):
    world = given_live_campaign(stock=4)
    _buy(world)
    hot.flushdb()

    _buy(world, member=given_member(world.shop, world.leader), quantity=3)

    assert (_counter(world), _stock_left(world.item)) == (0, 0)
    with pytest.raises(ApplicationError) as refused:
        _buy(world, member=given_member(world.shop, world.leader))
    assert refused.value.code == "stock_insufficient"


@pytest.mark.django_db
def test_a_counter_too_high_is_refused_by_the_database_and_set_back_from_it(hot, monkeypatch):
    world = given_live_campaign(stock=4)
    _buy(world)
    monkeypatch.setattr(services, "_reserve_stock", lambda item_id, quantity: False)  # another got there first

    with pytest.raises(ApplicationError) as refused:
        _buy(world, member=given_member(world.shop, world.leader))

    assert (refused.value.code, refused.value.status) == ("stock_insufficient", 409)
    assert (_counter(world), _stock_left(world.item)) == (3, 3)
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_counter_left_high_after_the_sell_out_is_set_to_zero_by_the_first_refusal(hot):
    world = given_live_campaign(stock=2)
    _buy(world, quantity=2)
    hot.set(f"tuangou:stock:{{{world.shop.id}}}:{world.item.id}", 2)  # a reconcile during in-flight checkouts

    with pytest.raises(ApplicationError) as refused:
        _buy(world, member=given_member(world.shop, world.leader))

    assert (refused.value.code, refused.value.status) == ("stock_insufficient", 409)
    assert (_counter(world), _stock_left(world.item)) == (0, 0)


@pytest.mark.django_db
def test_two_items_are_taken_all_or_none(hot):
    world = given_live_campaign(stock=5)
    other = CampaignItemFactory(campaign=world.campaign, stock_allotted=1)

    short = hot_stock_take(shop_id=world.shop.id, quantities=[(world.item.id, 2), (other.id, 2)])

    assert short == (1, 1)  # the second item, of which Redis has 1
    assert (_counter(world), _counter(world, other)) == (5, 1)


@pytest.mark.django_db
def test_cancelled_and_expired_stock_goes_back_into_the_counter(hot):
    world = given_live_campaign(stock=5)
    order = _buy(world, quantity=2)
    assert _counter(world) == 3

    services.order_cancel(order=order, actor=world.member)

    assert (_counter(world), _stock_left(world.item)) == (5, 5)


@pytest.mark.django_db
def test_with_redis_unreachable_checkout_runs_on_the_database_alone(hot, settings):
    world = given_live_campaign(stock=2)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    _buy(world, quantity=2)

    assert _stock_left(world.item) == 0


BUYERS = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixty_buyers_at_once_on_the_last_twenty_units_sell_exactly_twenty(require_postgres, hot):
    world = given_live_campaign(stock=20, purchase_limit=1)
    members = [given_member(world.shop, world.leader) for _ in range(BUYERS)]
    start = threading.Barrier(BUYERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy(member):
        try:
            start.wait()
            _buy(world, member=member)
            outcome = "placed"
        except ApplicationError as error:
            outcome = f"{error.code} {error.status} {error.field}"
        except Exception as error:  # anything else is a bug the assertion below shows
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=buy, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(set(outcomes)) == ["placed", "stock_insufficient 409 items.0.quantity"]
    assert outcomes.count("placed") == 20
    assert Order.objects.count() == 20
    assert (_counter(world), _stock_left(world.item)) == (0, 0)
