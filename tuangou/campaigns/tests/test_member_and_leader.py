from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.accounts.testing import ApiClient
from tuangou.campaigns.models import CampaignLeader
from tuangou.campaigns.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    LeaderFactory,
    ProductFactory,
    SkuFactory,
    buy,
)
from tuangou.catalog.models import ProductImage
from tuangou.core.testing import ok
from tuangou.leaders.models import Leader
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

pytestmark = pytest.mark.django_db


def campaign_in(shop, status, **fields):
    campaign = CampaignFactory(shop=shop, status=status, **fields)
    CampaignItemFactory(campaign=campaign)
    return campaign


def test_members_see_live_and_upcoming_campaigns_of_this_shop_only():
    shop = ShopFactory()
    live = campaign_in(shop, "live", starts_at=timezone.now() - timedelta(hours=1))
    upcoming = campaign_in(shop, "scheduled")
    for hidden in ("draft", "cancelled", "failed", "closed"):
        campaign_in(shop, hidden)
    campaign_in(ShopFactory(), "live")

    listed = ok(ApiClient().get(f"shops/{shop.id}/campaigns"))

    assert [(c["id"], c["status"]) for c in listed["items"]] == [(live.id, "live"), (upcoming.id, "scheduled")]
    assert listed["count"] == 2


def test_members_may_filter_by_the_campaigns_a_leader_runs():
    shop = ShopFactory()
    leader = LeaderFactory(shop=shop)
    other = LeaderFactory(shop=shop)
    open_to_all = campaign_in(shop, "live")
    theirs = campaign_in(shop, "live", all_leaders=False)
    CampaignLeader.objects.create(shop=shop, campaign=theirs, leader=leader)

    mine = ok(ApiClient().get(f"shops/{shop.id}/campaigns", {"leader_id": leader.id}))
    others = ok(ApiClient().get(f"shops/{shop.id}/campaigns", {"leader_id": other.id}))

    assert sorted(c["id"] for c in mine["items"]) == sorted([open_to_all.id, theirs.id])
    assert [c["id"] for c in others["items"]] == [open_to_all.id]


def test_the_campaign_page_shows_items_countdown_and_progress():
    shop = ShopFactory()
    campaign = CampaignFactory(shop=shop, status="live", template="rich", threshold_value=4)
    sku = SkuFactory(product=ProductFactory(shop=shop, name="红心火龙果"), spec="4个装", price_fen=3990)
    ProductImage.objects.create(shop=shop, product=sku.product, image="products/pitaya.png")
    item = CampaignItemFactory(campaign=campaign, sku=sku, price_fen=2990, stock_allotted=50, purchase_limit=2)
    leader = LeaderFactory(shop=shop)
    buy(item=item, member=MemberUserFactory(), leader=leader, quantity=2)

    page = ok(ApiClient().get(f"shops/{shop.id}/campaigns/{campaign.id}"))

    assert (page["template"], page["status"]) == ("rich", "live")
    assert page["items"] == [
        {
            "id": item.id,
            "sku_id": sku.id,
            "product_id": sku.product_id,
            "product_name": "红心火龙果",
            "spec": "4个装",
            "unit": "盒",
            "images": ["/media/products/pitaya.png"],
            "price_fen": 2990,
            "original_price_fen": 3990,
            "stock_left": 48,
            "purchase_limit": 2,
            "sold": 2,
        }
    ]
    assert page["progress"] == {
        "threshold_type": "members",
        "threshold_value": 4,
        "members": 1,
        "quantity": 2,
        "current": 1,
        "percent": 25,
        "reached": False,
    }
    assert page["cover_url"] == "/media/products/pitaya.png"
    assert {"starts_at", "cutoff_at", "now"} <= set(page)


def test_drafts_and_other_shops_campaigns_answer_the_same_404_as_missing_ones():
    shop = ShopFactory()
    draft = campaign_in(shop, "draft")
    foreign = campaign_in(ShopFactory(), "live")
    client = ApiClient()

    responses = [
        client.get(f"shops/{shop.id}/campaigns/{draft.id}"),
        client.get(f"shops/{shop.id}/campaigns/{foreign.id}"),
        client.get(f"shops/{shop.id}/campaigns/{foreign.id}/buyers"),
    ]
    missing = client.get(f"shops/{shop.id}/campaigns/999999")

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.json() == missing.json() for r in responses)


def test_buyers_and_the_recent_purchases_feed_show_masked_names():
    shop = ShopFactory()
    campaign = CampaignFactory(shop=shop, status="live")
    item = CampaignItemFactory(campaign=campaign, sku__product__name="土鸡蛋")
    leader = LeaderFactory(shop=shop)
    zhang = MemberUserFactory(display_name="张三丰")
    li = MemberUserFactory(display_name="李四")
    first = buy(item=item, member=zhang, leader=leader, quantity=2)
    buy(item=item, member=MemberUserFactory(display_name="王五"), leader=leader, quantity=9, pay=False)
    client = ApiClient()

    before = ok(client.get(f"shops/{shop.id}/campaigns/{campaign.id}/recent-purchases"))
    buy(item=item, member=li, leader=leader, quantity=1)
    buy(item=item, member=zhang, leader=leader, quantity=3)
    after = ok(client.get(f"shops/{shop.id}/campaigns/{campaign.id}/recent-purchases", {"after_id": before["last_id"]}))
    buyers = ok(client.get(f"shops/{shop.id}/campaigns/{campaign.id}/buyers"))

    assert [(p["name"], p["product_name"], p["quantity"]) for p in before["items"]] == [("张**", "土鸡蛋", 2)]
    assert before["last_id"] == first.lines.get().id
    assert [(p["name"], p["quantity"]) for p in after["items"]] == [("张**", 3), ("李*", 1)]
    assert buyers["count"] == 2
    assert sorted((b["name"], b["quantity"]) for b in buyers["items"]) == [("张**", 5), ("李*", 1)]


def leader_client(shop, **leader_fields):
    leader = LeaderFactory(shop=shop, **leader_fields)
    client = ApiClient()
    client.login_sms(leader.user.phone)
    return client, leader


def test_a_leader_lists_the_campaigns_they_may_run_and_joins_one():
    shop = ShopFactory()
    client, leader = leader_client(shop)
    open_to_all = campaign_in(shop, "live")
    not_mine = campaign_in(shop, "live", all_leaders=False)
    campaign_in(shop, "draft")
    item = open_to_all.items.get()
    buy(item=item, member=MemberUserFactory(), leader=leader, quantity=2)
    buy(item=item, member=MemberUserFactory(), leader=LeaderFactory(shop=shop), quantity=1)

    joined = ok(client.post(f"shops/{shop.id}/leader/campaigns/{open_to_all.id}/join"))
    again = ok(client.post(f"shops/{shop.id}/leader/campaigns/{open_to_all.id}/join"))
    refused = client.post(f"shops/{shop.id}/leader/campaigns/{not_mine.id}/join")
    listed = ok(client.get(f"shops/{shop.id}/leader/campaigns"))

    assert joined["campaign_id"] == open_to_all.id
    assert again["joined_at"] == joined["joined_at"]
    assert refused.status_code == 404
    assert [(c["id"], c["joined"], c["my_orders"], c["my_amount_fen"]) for c in listed["items"]] == [
        (open_to_all.id, True, 1, 2 * item.price_fen),
    ]
    assert CampaignLeader.objects.filter(leader=leader).count() == 1


def test_a_suspended_leader_may_look_but_not_join():
    shop = ShopFactory()
    client, leader = leader_client(shop, status=Leader.Status.SUSPENDED)
    campaign = campaign_in(shop, "live")

    listed = client.get(f"shops/{shop.id}/leader/campaigns")
    joined = client.post(f"shops/{shop.id}/leader/campaigns/{campaign.id}/join")

    assert listed.status_code == 200
    assert (joined.status_code, joined.json()["code"]) == (403, "leader_not_active")
    assert not CampaignLeader.objects.exists()


def test_someone_who_is_not_a_leader_of_the_shop_gets_404():
    shop = ShopFactory()
    client, _ = leader_client(ShopFactory())
    campaign = campaign_in(shop, "live")

    response = client.post(f"shops/{shop.id}/leader/campaigns/{campaign.id}/join")

    assert response.status_code == 404
    assert not CampaignLeader.objects.exists()
