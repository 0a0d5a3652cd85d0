"""What members and leaders read about a campaign (issue 7, items 17 and 18): the feed's polling
fallback speaks the live feed's event ids (so a page never shows one purchase twice); a failed
campaign's link still opens and says what happened; a leader's shipments load page by page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.accounts.testing import ApiClient
from tuangou.campaigns.models import Campaign
from tuangou.campaigns.tests.factories import CampaignFactory, CampaignItemFactory, LeaderFactory, buy
from tuangou.core.testing import ok
from tuangou.fulfilment.models import Shipment
from tuangou.fulfilment.tests.factories import phone_client
from tuangou.orders.models import OrderEvent
from tuangou.shops.tests.factories import MemberUserFactory

pytestmark = pytest.mark.django_db


def given_live_campaign(**fields):
    campaign = CampaignFactory(status="live", starts_at=timezone.now() - timedelta(hours=1), **fields)
    item = CampaignItemFactory(campaign=campaign, sku__product__name="土鸡蛋", sku__spec="30枚", stock_allotted=50)
    return campaign, item, LeaderFactory(shop=campaign.shop)


def paid_event_id(order) -> int:
    return OrderEvent.objects.get(order=order, to_status="paid").id


def test_polling_the_feed_gives_the_live_feeds_event_ids_after_the_last_one_seen():
    campaign, item, leader = given_live_campaign()
    first = buy(item=item, member=MemberUserFactory(display_name="张三丰"), leader=leader, quantity=2)
    second = buy(item=item, member=MemberUserFactory(display_name="王小明"), leader=leader)
    url = f"shops/{campaign.shop_id}/campaigns/{campaign.id}/feed/events"

    everything = ok(ApiClient().get(url))
    after_first = ok(ApiClient().get(url, {"after_id": paid_event_id(first)}))
    nothing_new = ok(ApiClient().get(url, {"after_id": paid_event_id(second)}))

    assert [(e["id"], e["name"], e["items"]) for e in everything["items"]] == [
        (paid_event_id(first), "张**", [{"product_name": "土鸡蛋", "spec": "30枚", "quantity": 2}]),
        (paid_event_id(second), "王**", [{"product_name": "土鸡蛋", "spec": "30枚", "quantity": 1}]),
    ]
    # paid_event_id is also the live feed's SSE id (test_feed.py): one id per purchase on both channels
    assert everything["last_id"] == paid_event_id(second)
    assert [e["id"] for e in after_first["items"]] == [paid_event_id(second)]
    assert nothing_new == {"items": [], "last_id": paid_event_id(second)}


def test_a_huge_after_id_is_a_4xx_naming_it():
    campaign, _, _ = given_live_campaign()

    response = ApiClient().get(f"shops/{campaign.shop_id}/campaigns/{campaign.id}/feed/events", {"after_id": 2**64})

    assert response.status_code == 422
    assert response.json()["field"] == "after_id"


def test_a_failed_campaigns_link_still_opens_and_says_it_failed():
    campaign, _, _ = given_live_campaign(threshold_value=10)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FAILED)
    draft = CampaignFactory(shop=campaign.shop, status="draft")

    page = ok(ApiClient().get(f"shops/{campaign.shop_id}/campaigns/{campaign.id}"))
    hidden = ApiClient().get(f"shops/{campaign.shop_id}/campaigns/{draft.id}")
    listed = ok(ApiClient().get(f"shops/{campaign.shop_id}/campaigns"))

    assert (page["status"], page["progress"]["threshold_value"]) == ("failed", 10)
    assert hidden.status_code == 404
    assert listed["count"] == 0  # an ended campaign is not offered in the list


def test_a_leader_reads_the_shipments_of_the_campaigns_on_the_page_loaded():
    leader = LeaderFactory()
    point = leader.pickup_point
    campaigns = [CampaignFactory(shop=leader.shop, status="succeeded") for _ in range(3)]
    for campaign in campaigns:
        Shipment.objects.create(shop=leader.shop, campaign=campaign, pickup_point=point, shipped_at=timezone.now())
    client = phone_client(leader.user)
    url = f"shops/{leader.shop_id}/leader/shipments"

    some = ok(client.get(url, {"campaign_ids": f"{campaigns[0].id},{campaigns[2].id}"}))
    bad = client.get(url, {"campaign_ids": "1;DROP"})

    assert sorted(s["campaign_id"] for s in some["items"]) == sorted([campaigns[0].id, campaigns[2].id])
    assert ok(client.get(url))["count"] == 3
    assert (bad.status_code, bad.json()["field"]) == (422, "campaign_ids")
