from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from tuangou.campaigns.models import Campaign, CampaignEvent, CampaignItem
from tuangou.campaigns.selectors import campaign_leader_allowed
from tuangou.campaigns.tasks import campaigns_advance
from tuangou.campaigns.tests.factories import LeaderFactory, ProductFactory, SkuFactory
from tuangou.catalog.models import StockMovement
from tuangou.core.testing import ok
from tuangou.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def when(**delta):
    return (timezone.now() + timedelta(**delta)).isoformat()


def payload(*skus, **overrides):
    data = {
        "title": "周末鲜果团",
        "description": "产地直发",
        "template": "rich",
        "starts_at": when(hours=1),
        "cutoff_at": when(days=1),
        "pickup_at": when(days=2),
        "threshold_type": "members",
        "threshold_value": 2,
        "items": [{"sku_id": sku.id, "price_fen": 2990, "stock_allotted": 20, "purchase_limit": 3} for sku in skus],
    }
    data.update(overrides)
    return data


@pytest.fixture
def merchant(staff_client):
    client, staff = staff_client("operations")
    egg = SkuFactory(
        product=ProductFactory(shop=staff.shop, name="土鸡蛋", purchase_limit=5), spec="30枚", price_fen=3990, stock=100
    )
    apple = SkuFactory(product=ProductFactory(shop=staff.shop, name="红富士苹果"), spec="5斤", price_fen=3500, stock=30)
    return client, staff, egg, apple


def base(staff):
    return f"console/shops/{staff.shop_id}/campaigns"


def test_should_create_a_draft_campaign_without_touching_stock(merchant):
    client, staff, egg, apple = merchant
    data = payload(egg, apple)
    data["items"][1].pop("purchase_limit")
    data["items"][1]["commission_rate_bp"] = 1500

    campaign = ok(client.post(base(staff), data), 201)

    assert (campaign["status"], campaign["template"], campaign["threshold_value"]) == ("draft", "rich", 2)
    assert [
        (
            i["product_name"],
            i["spec"],
            i["price_fen"],
            i["sku_price_fen"],
            i["stock_allotted"],
            i["stock_left"],
            i["purchase_limit"],
            i["commission_rate_bp"],
        )
        for i in campaign["items"]
    ] == [
        ("土鸡蛋", "30枚", 2990, 3990, 20, 20, 3, None),
        ("红富士苹果", "5斤", 2990, 3500, 20, 20, 0, 1500),
    ]
    assert [e["type"] for e in campaign["events"]] == ["created"]
    egg.refresh_from_db()
    assert egg.stock == 100


@pytest.mark.parametrize(
    "change, code, field",
    [
        ({"cutoff_at": when(minutes=30)}, "cutoff_before_start", "cutoff_at"),
        ({"pickup_at": when(hours=12)}, "pickup_before_cutoff", "pickup_at"),
        ({"items": []}, "campaign_empty", "items"),
        ({"threshold_value": 0}, "validation", "threshold_value"),
        ({"all_leaders": False, "leader_ids": []}, "campaign_no_leaders", "leader_ids"),
    ],
)
def test_should_refuse_bad_campaign_fields_and_create_nothing(merchant, change, code, field):
    client, staff, egg, apple = merchant

    response = client.post(base(staff), payload(egg, **change))

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Campaign.objects.exists()


def test_should_refuse_bad_items_naming_the_item(merchant):
    client, staff, egg, apple = merchant
    negative = payload(egg, apple)
    negative["items"][1]["price_fen"] = -100
    too_much = payload(egg, apple)
    too_much["items"][1]["stock_allotted"] = 31
    twice = payload(egg, egg)

    first = client.post(base(staff), negative)
    second = client.post(base(staff), too_much)
    third = client.post(base(staff), twice)

    assert (first.json()["code"], first.json()["field"]) == ("price_negative", "items.1.price_fen")
    assert (second.json()["code"], second.json()["field"], second.json()["message"]) == (
        "stock_insufficient",
        "items.1.stock_allotted",
        "库存不足（剩余30）",
    )
    assert (third.json()["code"], third.json()["field"]) == ("campaign_item_duplicate", "items.1.sku_id")
    assert not Campaign.objects.exists() and not CampaignItem.objects.exists()


def test_should_answer_a_sku_of_another_shop_like_a_missing_one(merchant):
    client, staff, egg, apple = merchant
    foreign = SkuFactory(product=ProductFactory(shop=ShopFactory()))
    other = payload(egg)
    other["items"][0]["sku_id"] = foreign.id
    missing = payload(egg)
    missing["items"][0]["sku_id"] = 999999

    first = client.post(base(staff), other)
    second = client.post(base(staff), missing)

    assert first.status_code == second.status_code == 404
    assert first.json() == second.json()
    assert first.json()["field"] == "items.0.sku_id"
    assert not Campaign.objects.exists()


def test_publish_allots_stock_and_cancel_returns_it(merchant):
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(egg, apple)), 201)

    published = ok(client.post(f"{base(staff)}/{campaign['id']}/publish"))
    egg.refresh_from_db()
    apple.refresh_from_db()
    assert published["status"] == "scheduled"
    assert (egg.stock, apple.stock) == (80, 10)

    cancelled = ok(client.post(f"{base(staff)}/{campaign['id']}/cancel", {"reason": "天气原因"}))

    egg.refresh_from_db()
    apple.refresh_from_db()
    assert cancelled["status"] == "cancelled"
    assert (egg.stock, apple.stock) == (100, 30)
    assert [(m.delta, m.stock_after, m.reason) for m in StockMovement.objects.filter(sku=egg).order_by("id")] == [
        (-20, 80, "campaign_allot"),
        (20, 100, "campaign_return"),
    ]
    assert [(e["type"], e["from_status"], e["to_status"]) for e in cancelled["events"]] == [
        ("created", "", "draft"),
        ("published", "draft", "scheduled"),
        ("cancelled", "scheduled", "cancelled"),
    ]
    assert [(i["stock_left"], i["stock_returned"], i["sold"]) for i in cancelled["items"]] == [(0, 20, 0), (0, 20, 0)]


def test_publish_refuses_when_stock_was_sold_elsewhere_and_changes_nothing(merchant):
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(egg, apple)), 201)
    ok(
        client.post(
            f"console/shops/{staff.shop_id}/skus/{apple.id}/stock-adjustments", {"delta": -25, "reason": "damage"}
        ),
        201,
    )

    response = client.post(f"{base(staff)}/{campaign['id']}/publish")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("stock_insufficient", "items.1.stock_allotted")
    egg.refresh_from_db()
    assert egg.stock == 100
    assert Campaign.objects.get(pk=campaign["id"]).status == "draft"
    assert not StockMovement.objects.filter(reason="campaign_allot").exists()


def test_publish_after_the_start_goes_straight_to_live(merchant):
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(egg, starts_at=when(minutes=-5))), 201)

    published = ok(client.post(f"{base(staff)}/{campaign['id']}/publish"))

    assert published["status"] == "live"
    assert [e["type"] for e in published["events"]] == ["created", "published", "started"]


def test_publish_refuses_a_cutoff_in_the_past_and_publishing_twice(merchant):
    client, staff, egg, apple = merchant
    stale = ok(client.post(base(staff), payload(egg, starts_at=when(days=-3), cutoff_at=when(days=-2))), 201)
    fresh = ok(client.post(base(staff), payload(apple)), 201)
    ok(client.post(f"{base(staff)}/{fresh['id']}/publish"))

    past = client.post(f"{base(staff)}/{stale['id']}/publish")
    again = client.post(f"{base(staff)}/{fresh['id']}/publish")

    assert (past.json()["code"], past.json()["field"]) == ("cutoff_in_past", "cutoff_at")
    assert (again.status_code, again.json()["code"], again.json()["message"]) == (
        409,
        "campaign_state",
        "团购当前状态为「未开始」，不能发布",
    )
    apple.refresh_from_db()
    assert apple.stock == 10


def test_should_edit_a_draft_freely(merchant):
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(egg)), 201)

    updated = ok(
        client.patch(
            f"{base(staff)}/{campaign['id']}",
            {
                "title": "蛋奶特惠团",
                "threshold_type": "quantity",
                "threshold_value": 50,
                "items": [{"sku_id": apple.id, "price_fen": 1990, "stock_allotted": 30}],
            },
        )
    )

    assert (updated["title"], updated["threshold_type"], updated["threshold_value"]) == ("蛋奶特惠团", "quantity", 50)
    assert [(i["product_name"], i["price_fen"], i["stock_allotted"]) for i in updated["items"]] == [
        ("红富士苹果", 1990, 30)
    ]


def test_a_published_campaign_only_changes_texts_leaders_and_a_later_cutoff(merchant):
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(egg)), 201)
    ok(client.post(f"{base(staff)}/{campaign['id']}/publish"))
    url = f"{base(staff)}/{campaign['id']}"
    planned = Campaign.objects.get(pk=campaign["id"]).cutoff_at

    threshold = client.patch(url, {"threshold_value": 1})
    items = client.patch(url, {"items": [{"sku_id": apple.id, "price_fen": 1, "stock_allotted": 1}]})
    earlier = client.patch(url, {"cutoff_at": when(hours=20)})
    extended = ok(client.patch(url, {"title": "延长截单", "cutoff_at": when(days=1, hours=6)}))

    assert (threshold.status_code, threshold.json()["code"], threshold.json()["field"]) == (
        409,
        "campaign_field_locked",
        "threshold_value",
    )
    assert (items.json()["code"], items.json()["field"]) == ("campaign_field_locked", "items")
    assert (earlier.json()["code"], earlier.json()["field"]) == ("cutoff_only_extend", "cutoff_at")
    assert extended["title"] == "延长截单"
    assert Campaign.objects.get(pk=campaign["id"]).cutoff_at > planned
    assert Campaign.objects.get(pk=campaign["id"]).threshold_value == 2


def test_the_job_starts_due_campaigns_once(merchant):
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(egg)), 201)
    ok(client.post(f"{base(staff)}/{campaign['id']}/publish"))
    Campaign.objects.filter(pk=campaign["id"]).update(starts_at=timezone.now() - timedelta(minutes=1))

    first = campaigns_advance()
    second = campaigns_advance()

    assert first == {"started": 1, "closed": 0, "decided": 0}
    assert second == {"started": 0, "closed": 0, "decided": 0}
    assert Campaign.objects.get(pk=campaign["id"]).status == "live"
    assert CampaignEvent.objects.filter(campaign_id=campaign["id"], type="started").count() == 1


def test_should_list_campaigns_by_status_and_title(merchant):
    client, staff, egg, apple = merchant
    draft = ok(client.post(base(staff), payload(egg, title="蛋奶团")), 201)
    live = ok(client.post(base(staff), payload(apple, title="苹果团", starts_at=when(minutes=-1))), 201)
    ok(client.post(f"{base(staff)}/{live['id']}/publish"))

    live_only = ok(client.get(base(staff), {"status": "live"}))
    by_title = ok(client.get(base(staff), {"q": "蛋奶"}))

    assert [c["id"] for c in live_only["items"]] == [live["id"]]
    assert [(c["id"], c["status"], c["item_count"], c["min_price_fen"]) for c in by_title["items"]] == [
        (draft["id"], "draft", 1, 2990)
    ]
    assert by_title["items"][0]["progress"] == {
        "threshold_type": "members",
        "threshold_value": 2,
        "members": 0,
        "quantity": 0,
        "current": 0,
        "percent": 0,
        "reached": False,
    }


def test_should_duplicate_a_campaign_as_a_new_draft(merchant):
    client, staff, egg, apple = merchant
    source = ok(client.post(base(staff), payload(egg, apple, title="上周鲜果团")), 201)
    ok(client.post(f"{base(staff)}/{source['id']}/cancel", {}))
    apple.stock = 12
    apple.save()

    copy = ok(
        client.post(
            f"{base(staff)}/{source['id']}/duplicate",
            {
                "starts_at": when(days=7),
                "cutoff_at": when(days=8),
                "pickup_at": when(days=9),
            },
        ),
        201,
    )

    assert (copy["status"], copy["title"], copy["source_id"], copy["template"]) == (
        "draft",
        "上周鲜果团",
        source["id"],
        "rich",
    )
    assert [(i["sku_id"], i["price_fen"], i["stock_allotted"]) for i in copy["items"]] == [
        (egg.id, 2990, 20),
        (apple.id, 2990, 12),
    ]
    assert [e["type"] for e in copy["events"]] == ["duplicated"]


def test_warehouse_cannot_create_a_campaign_and_finance_can_only_look(merchant, staff_client):
    client, staff, egg, apple = merchant
    warehouse, _ = staff_client("warehouse", shop=staff.shop)
    finance, _ = staff_client("finance", shop=staff.shop)
    campaign = ok(client.post(base(staff), payload(egg)), 201)

    created = warehouse.post(base(staff), payload(egg))
    published = finance.post(f"{base(staff)}/{campaign['id']}/publish")
    looked = finance.get(f"{base(staff)}/{campaign['id']}")

    assert (created.status_code, created.json()["code"]) == (403, "permission_denied")
    assert published.status_code == 403
    assert looked.status_code == 200
    assert Campaign.objects.count() == 1
    assert Campaign.objects.get().status == "draft"


def test_a_campaign_of_another_shop_answers_the_same_404_as_a_missing_one(merchant, staff_client):
    client, staff, egg, apple = merchant
    other_client, other_staff = staff_client("owner")
    foreign_sku = SkuFactory(product=ProductFactory(shop=other_staff.shop))
    foreign = ok(other_client.post(base(other_staff), payload(foreign_sku)), 201)

    responses = [
        client.get(f"{base(staff)}/{foreign['id']}"),
        client.post(f"{base(staff)}/{foreign['id']}/publish"),
        client.post(
            f"{base(staff)}/{foreign['id']}/duplicate",
            {"starts_at": when(days=1), "cutoff_at": when(days=2), "pickup_at": when(days=3)},
        ),
    ]
    missing = client.get(f"{base(staff)}/999999")

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.json() == missing.json() for r in responses)
    assert Campaign.objects.get(pk=foreign["id"]).status == "draft"


def test_campaign_leader_allowed_follows_all_leaders_or_the_list(merchant):
    client, staff, egg, apple = merchant
    chosen = LeaderFactory(shop=staff.shop)
    other = LeaderFactory(shop=staff.shop)
    open_to_all = ok(client.post(base(staff), payload(egg)), 201)
    restricted = ok(client.post(base(staff), payload(apple, all_leaders=False, leader_ids=[chosen.id])), 201)

    everyone = Campaign.objects.get(pk=open_to_all["id"])
    listed = Campaign.objects.get(pk=restricted["id"])

    assert campaign_leader_allowed(campaign=everyone, leader=other) is True
    assert campaign_leader_allowed(campaign=listed, leader=chosen) is True
    assert campaign_leader_allowed(campaign=listed, leader=other) is False
    assert [row["leader_id"] for row in restricted["leaders"]] == [chosen.id]


def test_leader_ids_of_another_shop_are_refused_like_missing_ones(merchant):
    client, staff, egg, apple = merchant
    foreign = LeaderFactory()

    response = client.post(base(staff), payload(egg, all_leaders=False, leader_ids=[foreign.id]))

    assert (response.status_code, response.json()["field"]) == (404, "leader_ids.0")
    assert not Campaign.objects.exists()


# --- a live campaign extends its cut-off (延长截单) ----------------------------------------


def live_campaign(merchant) -> dict:
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(egg, starts_at=when(minutes=-5))), 201)
    return ok(client.post(f"{base(staff)}/{campaign['id']}/publish"))


def test_a_live_campaign_extends_its_cutoff_with_a_reason_recorded_as_an_event(merchant):
    client, staff, egg, apple = merchant
    campaign = live_campaign(merchant)
    planned = Campaign.objects.get(pk=campaign["id"]).cutoff_at
    later = timezone.now().replace(microsecond=0) + timedelta(days=1, hours=3)

    extended = ok(
        client.post(
            f"{base(staff)}/{campaign['id']}/extend-cutoff",
            {"cutoff_at": later.isoformat(), "reason": "货源充足，多卖一天"},
        )
    )

    stored = Campaign.objects.get(pk=campaign["id"])
    assert (stored.status, stored.cutoff_at) == ("live", later)
    event = extended["events"][-1]
    assert (event["type"], event["data"]) == (
        "cutoff_extended",
        {"from": planned.isoformat(), "to": later.isoformat(), "reason": "货源充足，多卖一天"},
    )
    assert event["actor_name"] == staff.user.name


def test_the_cutoff_job_closes_at_the_extended_time_not_the_planned_one(merchant):
    client, staff, egg, apple = merchant
    campaign = live_campaign(merchant)
    planned = Campaign.objects.get(pk=campaign["id"]).cutoff_at
    ok(
        client.post(
            f"{base(staff)}/{campaign['id']}/extend-cutoff",
            {"cutoff_at": (planned + timedelta(hours=2)).isoformat(), "reason": "延长两小时"},
        )
    )
    clock = Campaign.objects.filter(pk=campaign["id"])

    # when the clock passes the planned cut-off by one hour (all times moved back instead)
    clock.update(
        starts_at=F("starts_at") - (planned - timezone.now()) - timedelta(hours=1),
        cutoff_at=F("cutoff_at") - (planned - timezone.now()) - timedelta(hours=1),
    )
    still_open = campaigns_advance()
    # and then past the new one
    clock.update(cutoff_at=F("cutoff_at") - timedelta(hours=2))
    closed = campaigns_advance()

    assert still_open == {"started": 0, "closed": 0, "decided": 0}
    assert closed["closed"] == 1
    assert Campaign.objects.get(pk=campaign["id"]).status in ("succeeded", "failed")


@pytest.mark.parametrize(
    "change, status, code, field",
    [
        ({"cutoff_at": when(hours=20), "reason": "提前"}, 409, "cutoff_only_extend", "cutoff_at"),
        ({"cutoff_at": when(days=3), "reason": "延长"}, 400, "pickup_before_cutoff", "pickup_at"),
        (
            {"cutoff_at": when(days=1, hours=1), "pickup_at": when(days=1), "reason": "延长"},
            400,
            "pickup_before_cutoff",
            "pickup_at",
        ),
        ({"cutoff_at": when(days=1, hours=1), "reason": "  "}, 400, "required", "reason"),
    ],
)
def test_extending_refuses_an_earlier_cutoff_a_pickup_before_it_and_no_reason(merchant, change, status, code, field):
    client, staff, egg, apple = merchant
    campaign = live_campaign(merchant)
    before = Campaign.objects.filter(pk=campaign["id"]).values("cutoff_at", "pickup_at").get()

    response = client.post(f"{base(staff)}/{campaign['id']}/extend-cutoff", change)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (status, code, field)
    assert Campaign.objects.filter(pk=campaign["id"]).values("cutoff_at", "pickup_at").get() == before
    assert not CampaignEvent.objects.filter(campaign_id=campaign["id"], type="cutoff_extended").exists()


def test_only_a_live_campaign_extends_its_cutoff(merchant):
    client, staff, egg, apple = merchant
    draft = ok(client.post(base(staff), payload(egg)), 201)
    planned = Campaign.objects.get(pk=draft["id"]).cutoff_at

    response = client.post(
        f"{base(staff)}/{draft['id']}/extend-cutoff", {"cutoff_at": when(days=1, hours=1), "reason": "延长"}
    )

    assert (response.status_code, response.json()["code"]) == (409, "campaign_state")
    assert Campaign.objects.get(pk=draft["id"]).cutoff_at == planned


def test_the_extended_pickup_moves_with_the_cutoff(merchant):
    client, staff, egg, apple = merchant
    campaign = live_campaign(merchant)
    cutoff = timezone.now().replace(microsecond=0) + timedelta(days=3)
    pickup = cutoff + timedelta(days=1)

    extended = ok(
        client.post(
            f"{base(staff)}/{campaign['id']}/extend-cutoff",
            {"cutoff_at": cutoff.isoformat(), "pickup_at": pickup.isoformat(), "reason": "补货到了"},
        )
    )

    stored = Campaign.objects.get(pk=campaign["id"])
    assert (stored.cutoff_at, stored.pickup_at) == (cutoff, pickup)
    assert extended["events"][-1]["data"]["pickup_to"] == pickup.isoformat()


def test_an_edit_records_only_the_fields_it_really_changes(merchant):
    client, staff, egg, apple = merchant
    data = payload(egg)
    campaign = ok(client.post(base(staff), data), 201)

    # the console's wizard sends the whole form back, with one field changed
    updated = ok(client.patch(f"{base(staff)}/{campaign['id']}", {**data, "title": "周末鲜果团·加量"}))

    assert (updated["events"][-1]["type"], updated["events"][-1]["data"]) == ("updated", {"fields": ["title"]})


def test_a_live_campaign_changes_its_cutoff_only_through_the_extension_with_a_reason(merchant):
    client, staff, egg, apple = merchant
    campaign = live_campaign(merchant)
    before = Campaign.objects.filter(pk=campaign["id"]).values("cutoff_at", "pickup_at").get()

    response = client.patch(f"{base(staff)}/{campaign['id']}", {"cutoff_at": when(days=1, hours=2)})
    texts = ok(client.patch(f"{base(staff)}/{campaign['id']}", {"title": "周末鲜果团·续"}))

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        409,
        "cutoff_extend_with_reason",
        "cutoff_at",
    )
    assert texts["title"] == "周末鲜果团·续"
    assert Campaign.objects.filter(pk=campaign["id"]).values("cutoff_at", "pickup_at").get() == before


def test_a_time_without_an_offset_is_read_in_the_server_time_zone_not_a_500(merchant):
    client, staff, egg, apple = merchant
    campaign = live_campaign(merchant)
    later = timezone.localtime(Campaign.objects.get(pk=campaign["id"]).cutoff_at) + timedelta(hours=3)
    naive = later.replace(tzinfo=None, microsecond=0).isoformat()

    extended = client.post(f"{base(staff)}/{campaign['id']}/extend-cutoff", {"cutoff_at": naive, "reason": "延长"})
    scheduled = ok(client.post(base(staff), payload(egg)), 201)
    ok(client.post(f"{base(staff)}/{scheduled['id']}/publish"))
    moved = client.patch(f"{base(staff)}/{scheduled['id']}", {"cutoff_at": naive})

    assert extended.status_code == 200
    assert Campaign.objects.get(pk=campaign["id"]).cutoff_at == later.replace(microsecond=0)
    assert moved.status_code == 200
