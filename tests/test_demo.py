"""The demo `make run` loads: what the issue promises a visitor will find in it."""

import pytest
from django.db.models import Count

from tuangou.campaigns.models import Campaign
from tuangou.catalog.models import Product, ProductImage
from tuangou.demo.loader import demo_logins_text, load_demo
from tuangou.insights.selectors import deals_acquisition
from tuangou.leaders.models import Leader, Membership
from tuangou.market.models import DropshipOrder, MarketLink, MarketSettlement, SupplyOffer
from tuangou.marketing import selectors
from tuangou.marketing.models import Coupon, LeaderCouponAllotment, LeaderCouponClaim, PaymentGiftGrant
from tuangou.orders.models import Order
from tuangou.polls.models import Poll
from tuangou.shops.models import Shop
from tuangou.vouchers.models import Redemption
from tuangou.warehouses.models import DeliveryRoute, OrderDelivery

pytestmark = pytest.mark.django_db


def test_the_demo_shop_has_everything_and_loads_once():
    shop = load_demo(out=lambda *_: None)

    assert Product.objects.filter(shop=shop).count() >= 20
    assert ProductImage.objects.filter(shop=shop).count() == Product.objects.filter(shop=shop).count()
    assert Leader.objects.filter(shop=shop, status="active").count() == 10
    assert Membership.objects.filter(shop=shop).count() >= 200
    assert set(Campaign.objects.filter(shop=shop).values_list("status", flat=True)) >= {
        "live",
        "scheduled",
        "succeeded",
        "failed",
        "draft",
    }
    statuses = dict(Order.objects.filter(shop=shop).values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(Order.Status.values), statuses
    assert Order.objects.filter(shop=shop, status="picked_up", refunded_fen__gt=0).exists()  # a partial refund
    # 送货上门: a warehouse's home-delivery orders on routes the solver ordered, two delivered.
    deliveries = OrderDelivery.objects.filter(shop=shop)
    assert deliveries.count() >= 10
    assert not deliveries.filter(route__isnull=True).exists()
    assert set(DeliveryRoute.objects.filter(shop=shop).values_list("solver", flat=True)) == {"ortools-routing"}
    assert deliveries.filter(delivered_at__isnull=False, delivered_by__isnull=False).count() == 2
    assert Order.objects.filter(shop=shop, delivery_mode="delivery", delivery_fee_fen=500).exists()
    # A running coupon in the coupon centre, and orders that used it or the new-member coupon.
    running = selectors.coupon_centre(shop=shop)
    assert [entry["template"].name for entry in running] == ["满59减8 周末券"]
    assert Coupon.objects.filter(shop=shop, status="used").count() >= 5
    assert Order.objects.filter(shop=shop, discount_fen__gt=0, status="paid").exists()
    # 满减送 on orders, 支付有礼 gifts delivered, coupons leaders handed out (some used at checkout).
    assert Order.objects.filter(shop=shop, reduction_fen=1000).exists()
    assert PaymentGiftGrant.objects.filter(shop=shop, status="delivered").count() >= 5
    assert LeaderCouponAllotment.objects.filter(shop=shop).count() == 10
    assert LeaderCouponClaim.objects.filter(shop=shop).count() >= 40
    # Service goods: a car-wash card redeemed once at a partner store; 0.01元 deals as acquisition cost.
    redeemed = Redemption.objects.filter(shop=shop).select_related("voucher", "store").get()
    assert (redeemed.uses, redeemed.voucher.uses_left, redeemed.store.name) == (1, 2, "阳光洗车行（小区北门）")
    acquisition = deals_acquisition(shop=shop, since=shop.created_at)
    assert (acquisition["deal_units"], acquisition["new_members"]) == (6, 6)
    assert acquisition["cost_fen"] == 6 * 1989
    # 群投票: a poll that became a draft campaign of its two winners, and a leader's poll still open.
    converted = Poll.objects.get(shop=shop, campaign__isnull=False)
    assert (converted.status, converted.campaign.status, converted.votes.count()) == ("closed", "draft", 81)
    assert converted.campaign.items.count() == 2
    assert Poll.objects.filter(shop=shop, status="open", leader__isnull=False, votes__isnull=False).exists()
    # 分销市场: a supplier shop's two offers; this shop sells its eggs, one dropship order of each
    # status but cancelled, and the delivered one's ledger row settled.
    supplier = Shop.objects.get(name="山野源头供应链")
    assert SupplyOffer.objects.filter(shop=supplier, status="listed").count() == 2
    assert MarketLink.objects.filter(shop=shop, supplier=supplier).count() == 1
    dropships = DropshipOrder.objects.filter(shop=supplier, seller=shop)
    assert sorted(dropships.values_list("status", flat=True)) == ["delivered", "pending", "shipped"]
    assert list(
        MarketSettlement.objects.filter(shop=shop, status="settled").values_list("dropship__status", flat=True)
    ) == ["delivered"]
    assert "demo_supplier" in demo_logins_text()
    assert "demo_owner" in demo_logins_text()
    assert load_demo(out=lambda *_: None) is None  # a second `make run` keeps the data


def test_the_demo_shop_shows_its_open_platform_and_feedback():
    from tuangou.feedback.models import Feedback
    from tuangou.integrations.models import ApiKey, WebhookAttempt, WebhookDelivery

    shop = load_demo(out=lambda *_: None)

    assert ApiKey.objects.filter(shop=shop, revoked_at__isnull=True).count() == 1
    # The log written for the demo, plus the failed campaign's refunds, sent after the load commits
    # to the example address (which does not resolve: they wait for their retry).
    demo_log = WebhookDelivery.objects.filter(shop=shop, event_id__startswith="evt_demo")
    assert sorted(demo_log.values_list("status", flat=True)) == ["pending", "succeeded", "succeeded", "succeeded"]
    assert WebhookAttempt.objects.filter(delivery__in=demo_log).count() == 7
    assert set(WebhookDelivery.objects.filter(shop=shop).values_list("event_type", flat=True)) >= {"order.refunded"}
    assert sorted(Feedback.objects.filter(shop=shop).values_list("status", flat=True)) == [
        "in_progress",
        "new",
        "resolved",
    ]
    resolved = Feedback.objects.get(shop=shop, status="resolved")
    assert resolved.photos.count() == 1 and resolved.replies.count() == 2
