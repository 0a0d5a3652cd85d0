from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.campaigns.models import Campaign
from tuangou.core.testing import ok
from tuangou.insights import forecast
from tuangou.orders import services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    given_live_campaign,
    given_member,
    pay,
    staff_login,
)

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _sell(world, campaign, item, quantity: int, at) -> None:
    order = services.order_place(
        shop=world.shop,
        member=given_member(world.shop, world.leader),
        campaign_id=campaign.id,
        items=[{"campaign_item_id": item.id, "quantity": quantity}],
    )
    pay(order)
    Order.objects.filter(pk=order.pk).update(created_at=at, paid_at=at)


def given_past_campaigns(world, count: int, *, early: int, late: int) -> None:
    """Ended 10-day campaigns that each sold `early` units on day 2 and `late` more on day 8."""
    now = timezone.now()
    for n in range(count):
        starts = now - (30 * (n + 1)) * DAY
        past = CampaignFactory(shop=world.shop)  # live while it sells
        item = CampaignItemFactory(campaign=past, stock_allotted=1000)
        _sell(world, past, item, early, starts + 2 * DAY)
        _sell(world, past, item, late, starts + 8 * DAY)
        Campaign.objects.filter(pk=past.pk).update(
            status=Campaign.Status.SUCCEEDED, starts_at=starts, cutoff_at=starts + 10 * DAY
        )


def _live_at_half(world) -> None:
    """The live campaign: 10 days, half gone."""
    now = timezone.now()
    Campaign.objects.filter(pk=world.campaign.pk).update(starts_at=now - 5 * DAY, cutoff_at=now + 5 * DAY)
    world.campaign.refresh_from_db()


def test_the_shops_past_campaigns_shape_the_forecast_and_its_range():
    world = given_live_campaign(stock=500)
    given_past_campaigns(world, 3, early=10, late=30)  # a quarter sold by half-time
    _live_at_half(world)
    _sell(world, world.campaign, world.item, 7, timezone.now() - DAY)

    body = forecast.campaign_forecast(campaign=world.campaign)

    assert (body["method"], body["history"], body["elapsed_bp"]) == ("history", 3, 5000)
    [item] = body["items"]
    assert (item["sold"], item["forecast"], item["low"], item["high"]) == (7, 28, 28, 28)  # 7 ÷ 25 %
    assert item["stock_bound"] is False


def test_without_history_the_straight_line_with_a_wide_range_and_never_beyond_stock():
    world = given_live_campaign(stock=10)
    _live_at_half(world)
    _sell(world, world.campaign, world.item, 4, timezone.now() - DAY)  # 6 left

    body = forecast.campaign_forecast(campaign=world.campaign)

    assert (body["method"], body["history"]) == ("linear", 0)
    [item] = body["items"]
    # 4 ÷ 50 % = 8, range 4.8 → 5 to 12.8 → capped at the 10 it can sell
    assert (item["sold"], item["forecast"], item["low"], item["high"], item["stock_bound"]) == (4, 8, 5, 10, False)


def test_the_error_is_measured_on_past_campaigns_as_it_would_have_been_seen():
    world = given_live_campaign()
    given_past_campaigns(world, 5, early=10, late=30)
    staff = staff_login(world.shop, "warehouse")

    body = ok(staff.get(f"console/shops/{world.shop.id}/campaigns/{world.campaign.id}/forecast"))

    at_half = next(point for point in body["accuracy"] if point["elapsed_bp"] == 5000)
    # the three oldest had fewer than three before them: linear (10 ÷ 50 % = 20 against 40);
    # the two newest had the shape: exact. (20 + 20 + 20 + 0 + 0) ÷ 200 = 30 %
    assert (at_half["campaigns"], at_half["wape_bp"]) == (5, 3000)
    other = given_live_campaign()
    assert staff.get(f"console/shops/{world.shop.id}/campaigns/{other.campaign.id}/forecast").status_code == 404
