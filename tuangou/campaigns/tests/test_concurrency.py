"""Real concurrency, on PostgreSQL: two job workers at once, two publishes racing for one stock."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tuangou.campaigns import services
from tuangou.campaigns.models import Campaign, CampaignEvent
from tuangou.campaigns.tasks import campaigns_advance
from tuangou.campaigns.tests.factories import CampaignFactory, CampaignItemFactory, ProductFactory, SkuFactory
from tuangou.catalog.models import StockMovement
from tuangou.core.errors import ApplicationError
from tuangou.shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*functions):
    """Start the functions at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # the outcome is asserted by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_workers_start_each_due_campaign_once(require_postgres):
    shop = ShopFactory()
    due = []
    for _ in range(5):
        campaign = CampaignFactory(shop=shop, status="scheduled", starts_at=timezone.now() - timedelta(minutes=1))
        CampaignItemFactory(campaign=campaign)
        due.append(campaign.id)

    first, second = run_together(campaigns_advance, campaigns_advance)

    assert first["started"] + second["started"] == 5
    assert set(Campaign.objects.filter(pk__in=due).values_list("status", flat=True)) == {"live"}
    assert CampaignEvent.objects.filter(campaign_id__in=due, type="started").count() == 5


def test_two_publishes_racing_for_one_stock_sell_it_once(require_postgres):
    shop = ShopFactory()
    sku = SkuFactory(product=ProductFactory(shop=shop), stock=30)
    campaigns = []
    for _ in range(2):
        campaign = CampaignFactory(shop=shop)
        CampaignItemFactory(campaign=campaign, sku=sku, stock_allotted=20)
        campaigns.append(campaign)

    results = run_together(*[lambda c=c: services.campaign_publish(campaign=c, actor=None) for c in campaigns])

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ApplicationError)
    assert (errors[0].code, errors[0].field) == ("stock_insufficient", "items.0.stock_allotted")
    sku.refresh_from_db()
    assert sku.stock == 10
    assert sorted(Campaign.objects.filter(pk__in=[c.id for c in campaigns]).values_list("status", flat=True)) == [
        "draft",
        "scheduled",
    ]
    assert StockMovement.objects.filter(sku=sku, reason="campaign_allot").count() == 1
