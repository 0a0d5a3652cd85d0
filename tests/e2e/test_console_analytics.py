"""Merchant console, 经营分析 (issue 12): margins with their chart, repeat purchase and cohorts, an idle
leader reminded from the list, pickup per point. Screens: console-analytics-*.png."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.campaigns.models import Campaign
from tuangou.catalog.models import Sku
from tuangou.leaders.models import Leader
from tuangou.notifications.models import Message
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, given_member, paid_order
from tuangou.shops.tests.factories import StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled


def test_the_merchant_reads_margins_cohorts_and_reminds_an_idle_leader(desktop):
    page = desktop
    world = given_live_campaign(price_fen=1290, stock=100)
    Sku.objects.filter(pk=world.item.sku_id).update(cost_fen=800)
    paid_order(world, 3)  # ¥38.70, cost ¥24.00
    again = paid_order(world, 1)
    Order.objects.filter(pk=again.pk).update(paid_at=timezone.now() - timedelta(days=20))
    Leader.objects.filter(pk=world.leader.pk).update(created_at=timezone.now() - timedelta(days=60))
    Order.objects.filter(leader=world.leader).update(paid_at=timezone.now() - timedelta(days=20))
    given_member(world.shop, world.leader)
    owner = StaffFactory(shop=world.shop, role="owner")

    log_in(page, owner.user.username)
    page.goto("/console/analytics")
    expect(page.locator("[data-test=margin-total]")).to_contain_text("¥19.60")  # ¥51.60 − 4 × ¥8.00
    expect(page.locator("[data-test=margins-products]")).to_contain_text("38.0%")
    page.wait_for_function("() => document.querySelector('.chart canvas') !== null")
    shot(settled(page), "console-analytics-margins")

    page.get_by_role("tab", name="复购").click()
    expect(page.locator("[data-test=repeat-rate]")).to_have_text("100.0%")  # one member, two orders
    expect(page.locator("[data-test=cohorts]")).to_contain_text("首购月份")
    shot(settled(page), "console-analytics-repeat")

    page.get_by_role("tab", name="沉睡团长").click()
    table = page.locator("[data-test=idle-leaders]")
    expect(table).to_contain_text(world.leader.name)
    page.locator(f"[data-test=nudge-{world.leader.id}]").click()
    page.locator("[data-test=send-nudge]").click()
    expect(page.locator(".el-message")).to_contain_text("已发送 1 条提醒")
    expect(table).to_contain_text("今日已提醒")
    assert Message.objects.filter(user=world.leader.user, kind="leader").count() == 1
    shot(settled(page), "console-analytics-idle")


def test_before_the_cutoff_the_purchase_tab_forecasts_each_sku(desktop):
    page = desktop
    world = given_live_campaign(price_fen=1290, stock=10)
    Campaign.objects.filter(pk=world.campaign.pk).update(
        starts_at=timezone.now() - timedelta(days=5), cutoff_at=timezone.now() + timedelta(days=5)
    )
    paid_order(world, 4)  # half-way, no past campaign: 4 ÷ 50 % = 8, between 5 and the 10 in stock
    owner = StaffFactory(shop=world.shop, role="owner")

    log_in(page, owner.user.username)
    page.goto(f"/console/fulfilment?campaign_id={world.campaign.id}")
    expect(page.locator("[data-test=forecast-basis]")).to_contain_text("团购已进行50%")
    row = page.locator("[data-test=forecast-table] .el-table__body tr").first
    expect(row).to_contain_text("8")
    expect(row).to_contain_text("5–10")
    shot(settled(page), "console-forecast")
