import threading

import pytest
from django.db import connection

from tuangou.core.errors import ApplicationError
from tuangou.orders import services
from tuangou.orders.models import Order

from .factories import given_live_campaign, given_member

BUYERS = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixty_buyers_at_once_against_a_stock_of_twenty_sell_exactly_twenty(require_postgres):
    world = given_live_campaign(stock=20, purchase_limit=1)
    members = [given_member(world.shop, world.leader) for _ in range(BUYERS)]
    start = threading.Barrier(BUYERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy(member):
        try:
            start.wait()
            services.order_place(
                shop=world.shop,
                member=member,
                campaign_id=world.campaign.id,
                items=[{"campaign_item_id": world.item.id, "quantity": 1}],
            )
            outcome = "placed"
        except ApplicationError as error:
            outcome = error.code
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

    assert sorted(set(outcomes)) == ["placed", "stock_insufficient"]
    assert outcomes.count("placed") == 20
    world.item.refresh_from_db()
    assert world.item.stock_left == 0
    assert Order.objects.count() == 20
    assert len(set(Order.objects.values_list("pickup_code", flat=True))) == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_member_checking_out_twice_at_once_is_held_to_the_limit(require_postgres):
    world = given_live_campaign(stock=20, purchase_limit=2)
    start = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy():
        try:
            start.wait()
            services.order_place(
                shop=world.shop,
                member=world.member,
                campaign_id=world.campaign.id,
                items=[{"campaign_item_id": world.item.id, "quantity": 1}],
            )
            outcome = "placed"
        except ApplicationError as error:
            outcome = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=buy) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["limit_exceeded"] * 4 + ["placed"] * 2
    world.item.refresh_from_db()
    assert world.item.stock_left == 18


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_carts_of_the_same_two_items_in_either_order_never_deadlock_nor_oversell(require_postgres):
    # Both items' stock is taken in one UPDATE on PostgreSQL, its rows locked in ascending ids
    # whatever order the cart lists them in: 40 crossing carts, 10 of the scarce item.
    from functools import partial

    from tuangou.core.testing import race

    from .factories import CampaignItemFactory

    world = given_live_campaign(stock=10)
    plenty = CampaignItemFactory(campaign=world.campaign, stock_allotted=100)
    members = [given_member(world.shop, world.leader) for _ in range(40)]
    scarce, more = {"campaign_item_id": world.item.id, "quantity": 1}, {"campaign_item_id": plenty.id, "quantity": 2}
    jobs = [
        partial(
            services.order_place,
            shop=world.shop,
            member=member,
            campaign_id=world.campaign.id,
            items=[scarce, more] if n % 2 else [more, scarce],
        )
        for n, member in enumerate(members)
    ]

    outcomes = race(jobs)

    assert sorted(set(outcomes)) == ["done", "stock_insufficient"]
    assert outcomes.count("done") == 10
    world.item.refresh_from_db()
    plenty.refresh_from_db()
    assert (world.item.stock_left, plenty.stock_left) == (0, 100 - 2 * 10)
    assert Order.objects.count() == 10
