"""Close and decide. These reach tuangou.orders.services (cancel unpaid / confirm / refund)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.campaigns.models import Campaign, CampaignEvent
from tuangou.campaigns.tasks import campaigns_advance
from tuangou.campaigns.tests.factories import LeaderFactory, ProductFactory, SkuFactory, buy
from tuangou.catalog.models import StockMovement
from tuangou.core.testing import ok
from tuangou.orders.models import Order
from tuangou.shops.tests.factories import MemberUserFactory

pytestmark = pytest.mark.django_db


def when(**delta):
    return (timezone.now() + timedelta(**delta)).isoformat()


@pytest.fixture
def live_campaign(staff_client):
    """A live campaign (threshold set per test) with one item of 20 allotted from a stock of 100."""

    def make(threshold_type="members", threshold_value=2):
        client, staff = staff_client("owner")
        sku = SkuFactory(product=ProductFactory(shop=staff.shop, name="土鸡蛋"), stock=100)
        created = ok(
            client.post(
                f"console/shops/{staff.shop_id}/campaigns",
                {
                    "title": "土鸡蛋团",
                    "starts_at": when(minutes=-5),
                    "cutoff_at": when(days=1),
                    "pickup_at": when(days=2),
                    "threshold_type": threshold_type,
                    "threshold_value": threshold_value,
                    "items": [{"sku_id": sku.id, "price_fen": 2990, "stock_allotted": 20}],
                },
            ),
            201,
        )
        ok(client.post(f"console/shops/{staff.shop_id}/campaigns/{created['id']}/publish"))
        campaign = Campaign.objects.get(pk=created["id"])
        leader = LeaderFactory(shop=staff.shop)
        return client, staff, campaign, campaign.items.get(), sku, leader

    return make


def past_cutoff(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(cutoff_at=timezone.now() - timedelta(minutes=1))


def test_the_job_closes_and_decides_a_campaign_that_reached_its_members(live_campaign):
    client, staff, campaign, item, sku, leader = live_campaign("members", 2)
    first, second = MemberUserFactory(), MemberUserFactory()
    buy(item=item, member=first, leader=leader, quantity=2)
    buy(item=item, member=first, leader=leader, quantity=1)
    buy(item=item, member=second, leader=leader, quantity=1)
    unpaid = buy(item=item, member=second, leader=leader, quantity=3, pay=False)
    past_cutoff(campaign)

    counts = campaigns_advance()

    campaign.refresh_from_db()
    sku.refresh_from_db()
    assert counts == {"started": 0, "closed": 1, "decided": 1}
    assert campaign.status == "succeeded"
    assert set(Order.objects.filter(campaign=campaign).exclude(pk=unpaid.pk).values_list("status", flat=True)) == {
        "confirmed"
    }
    assert Order.objects.get(pk=unpaid.pk).status == "cancelled"
    # 20 allotted, 4 sold: the 16 left (the cancelled order's 3 released first) go back.
    assert sku.stock == 80 + 16
    assert StockMovement.objects.filter(sku=sku, reason="campaign_return").get().delta == 16
    decided = CampaignEvent.objects.get(campaign=campaign, type="succeeded")
    assert (decided.data["members"], decided.data["quantity"], decided.data["orders"]) == (2, 4, 3)
    assert campaigns_advance() == {"started": 0, "closed": 0, "decided": 0}


def test_the_job_fails_a_campaign_below_its_threshold_and_refunds_everyone(live_campaign):
    client, staff, campaign, item, sku, leader = live_campaign("members", 3)
    buy(item=item, member=MemberUserFactory(), leader=leader, quantity=2)
    buy(item=item, member=MemberUserFactory(), leader=leader, quantity=1)
    past_cutoff(campaign)

    campaigns_advance()

    campaign.refresh_from_db()
    sku.refresh_from_db()
    assert campaign.status == "failed"
    assert set(Order.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"refunded"}
    assert sku.stock == 100  # nothing ships: the whole allotment is back
    assert [e.type for e in CampaignEvent.objects.filter(campaign=campaign)] == [
        "created",
        "published",
        "started",
        "closed",
        "failed",
    ]


def test_a_quantity_threshold_counts_items_not_members(live_campaign):
    client, staff, campaign, item, sku, leader = live_campaign("quantity", 5)
    buy(item=item, member=MemberUserFactory(), leader=leader, quantity=5)
    past_cutoff(campaign)

    campaigns_advance()

    campaign.refresh_from_db()
    assert campaign.status == "succeeded"


def test_the_merchant_closes_early_and_the_campaign_is_decided_at_once(live_campaign):
    client, staff, campaign, item, sku, leader = live_campaign("members", 1)
    buy(item=item, member=MemberUserFactory(), leader=leader, quantity=2)

    closed = ok(client.post(f"console/shops/{staff.shop_id}/campaigns/{campaign.id}/close"))

    assert closed["status"] == "succeeded"
    assert [e["type"] for e in closed["events"]][-2:] == ["closed", "succeeded"]
    assert "planned_cutoff_at" in closed["events"][-2]["data"]
    assert [(i["stock_left"], i["stock_returned"], i["sold"]) for i in closed["items"]] == [(0, 18, 2)]
