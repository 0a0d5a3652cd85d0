import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tuangou.core.locks import lock_objects
from tuangou.payments.models import Payment

from .factories import given_live_campaign, paid_order

pytestmark = pytest.mark.django_db


def test_lock_objects_takes_the_rows_in_the_one_order_whatever_order_they_are_given_in():
    world = given_live_campaign()
    orders = [paid_order(world), paid_order(world)]
    payment = Payment.objects.filter(order=orders[0]).get()

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock_objects(
            campaign_items=[world.item.pk],
            payments=payment.pk,
            orders=[orders[1].pk, orders[0].pk],
            campaigns=world.campaign.pk,
        )

    tables = [query["sql"].split(" FROM ")[1].split()[0].strip('"') for query in queries.captured_queries]
    assert tables == ["campaigns_campaign", "orders_order", "payments_payment", "campaigns_campaignitem"]
    assert f"IN ({orders[0].pk}, {orders[1].pk})" in queries.captured_queries[1]["sql"]
