"""The leader half of the phone H5: the leader center's 接龙 text, arrival, pickup notice,
pickup verification and commission after settlement; and applying from a recruitment link.
Every screen is saved as h5-leader-<screen>.png; the campaign poster under test-artifacts/."""

import re
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from playwright.sync_api import expect

from tuangou.accounts.sms import codes_for
from tuangou.campaigns import services as campaign_services
from tuangou.campaigns.models import Campaign
from tuangou.commissions.tasks import commissions_settle_due
from tuangou.fulfilment import services as fulfilment_services
from tuangou.leaders import services as leader_services
from tuangou.leaders.models import LeaderApplication
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.orders import services as order_services
from tuangou.orders.tests.factories import CampaignFactory, CampaignItemFactory, given_member, pay
from tuangou.shops.models import Shop
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory, StaffFactory

from .conftest import shot as save_shot

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def shot(page, name: str):
    """A screenshot once toasts have gone and dialogs have finished opening."""
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.van-toast')].some((toast) => getComputedStyle(toast).display !== 'none')",
        timeout=5000,
    )
    page.wait_for_timeout(350)
    save_shot(page, name)


def send_code(page, phone: str) -> str:
    """Taps 发送验证码 and answers the code this tap sent (not one sent before it)."""
    sent_before = len(codes_for(phone))
    page.click("[data-test=send-code]")
    for _ in range(150):
        codes = codes_for(phone)
        if len(codes) > sent_before:
            return codes[0]
        page.wait_for_timeout(100)
    raise AssertionError(f"no SMS code reached {phone}")


def sms_login(page, phone: str, next_path: str):
    """Log in on the H5 with phone + SMS code, ticking the privacy-policy consent, as people do;
    lands on next_path."""
    page.goto(f"/h5/login?next={next_path}")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=code]", send_code(page, phone))
    page.click("[data-test=agree-privacy]")  # 我已阅读并同意《隐私政策》: no login without it
    page.click("button[type=submit]")
    path = next_path.split("?")[0]
    # Not the login page, whose ?next= holds it. The URL is what is waited for, not the page's load
    # event (under a busy machine its pictures can hold that past the timeout); what follows waits
    # for the content it reads.
    page.wait_for_url(lambda url: urlparse(url).path == path, wait_until="commit")


def given_shipped_campaign():
    """鹭岛鲜生: leader 黄美玲 at 西村快递驿站; member 张三丰 bought 土鸡蛋×2 and paid; the campaign
    succeeded at cut-off and the merchant shipped it to the point."""
    shop = ShopFactory(name="鹭岛鲜生")
    owner = StaffFactory(shop=shop).user
    leader = LeaderFactory(shop=shop, name="黄美玲", point__name="西村快递驿站", point__address="思明区大学路168号")
    campaign = CampaignFactory(shop=shop, title="周末鲜蛋团")
    item = CampaignItemFactory(
        campaign=campaign, price_fen=3290, sku__price_fen=3990, sku__product__name="土鸡蛋", sku__spec="30枚"
    )
    member = given_member(shop, leader)
    member.display_name = "张三丰"
    member.save(update_fields=["display_name"])
    order = order_services.order_place(
        shop=shop, member=member, campaign_id=campaign.id, items=[{"campaign_item_id": item.id, "quantity": 2}]
    )
    pay(order)
    campaign_services.campaign_close(campaign=campaign, actor=owner)
    campaign_services.campaign_decide(campaign=Campaign.objects.get(pk=campaign.pk), actor=owner)
    fulfilment_services.shipments_ship(
        campaign=Campaign.objects.get(pk=campaign.pk), actor=owner, pickup_point_ids=None
    )
    order.refresh_from_db()
    return shop, leader, member, campaign, order


def test_leader_shares_jielong_notifies_verifies_pickup_and_sees_commission(phone, new_phone, live_server, settings):
    settings.SITE_URL = live_server.url  # the sandbox gateway's notify comes back to this server
    shop, leader, member, campaign, order = given_shipped_campaign()
    center = f"/h5/s/{shop.id}/leader"

    # The leader logs in by SMS code and opens the leader center
    sms_login(phone, leader.phone, center)
    expect(phone.locator("[data-test=leader-header]")).to_contain_text("西村快递驿站")
    expect(phone.get_by_text("周末鲜蛋团")).to_be_visible()
    shot(phone, "h5-leader-center")

    # 接龙: the member's masked name and the item, ready to copy
    phone.locator(f"[data-test=campaign-{campaign.id}] [data-test=open-jielong]").click()
    text = phone.locator("[data-test=jielong-text]")
    expect(text).to_contain_text("【接龙】周末鲜蛋团")
    expect(text).to_contain_text("1. 张** 土鸡蛋(30枚)×2")
    shot(phone, "h5-leader-jielong")
    phone.locator("[data-test=copy-jielong]").click()
    expect(phone.get_by_text("已复制，去群里粘贴吧")).to_be_visible()

    # Share link with the leader's attribution, and the poster
    phone.get_by_role("tab", name="分享链接").click()
    expect(phone.locator("[data-test=share-link]")).to_contain_text(
        f"/h5/s/{shop.id}/campaigns/{campaign.id}?leader={leader.id}"
    )
    expect(phone.locator("[data-test=share-card]")).to_contain_text("¥32.90")
    shot(phone, "h5-leader-share")
    phone.get_by_role("tab", name="海报").click()
    poster = phone.locator("[data-test=poster]")
    expect(poster).to_be_visible()
    phone.wait_for_function("() => document.querySelector('[data-test=poster]').naturalWidth === 750")
    shot(phone, "h5-leader-poster")
    png = phone.request.get(f"/api/shops/{shop.id}/leader/campaigns/{campaign.id}/poster.png")
    assert png.status == 200 and png.headers["content-type"] == "image/png"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "h5-leader-campaign-poster.png").write_bytes(png.body())

    # Orders by campaign: confirm the goods arrived, then the one-click pickup notice
    phone.goto(f"{center}/orders")
    group = phone.locator(f"[data-test=group-{campaign.id}]")
    expect(group).to_contain_text("1 单 · 2 件 · ¥65.80")
    shot(phone, "h5-leader-orders")
    group.locator("[data-test=confirm-arrival]").click()
    phone.get_by_role("button", name="确认", exact=True).click()
    expect(group.locator("[data-test=pickup-notice]")).to_be_visible()
    shot(phone, "h5-leader-arrived")
    group.locator("[data-test=pickup-notice]").click()
    expect(phone.get_by_text("已通知 1 位团员来提货")).to_be_visible()
    shot(phone, "h5-leader-notice-sent")
    phone.get_by_role("button", name="确认", exact=True).click()
    # A second notice within 10 minutes is refused with the API's message
    group.locator("[data-test=pickup-notice]").click()
    expect(phone.get_by_text(re.compile(r"操作太频繁，请\d+秒后再试"))).to_be_visible()
    shot(phone, "h5-leader-notice-repeat")
    phone.get_by_role("button", name="确认", exact=True).click()

    # The member, on their own phone, finds the notice with their pickup code in their messages
    member_page = new_phone()
    messages = f"/h5/s/{shop.id}/messages"
    sms_login(member_page, member.phone, messages)
    expect(member_page.get_by_text(order.pickup_code).first).to_be_visible()
    shot(member_page, "h5-leader-member-messages")
    titles = [m["title"] for m in member_page.request.get(f"/api/shops/{shop.id}/messages").json()["items"]]
    assert len(titles) == 2 and "团购已成团" in titles  # the campaign formed, then the pickup notice

    # Verify pickup: an unknown code is refused at the field; the member's code picks up the goods
    Shop.objects.filter(pk=shop.pk).update(after_sales_days=0)  # commission settles right after pickup
    phone.goto(f"{center}/verify")
    expect(phone.locator("[data-test=scan]")).to_have_count(0)  # headless Chromium has no BarcodeDetector
    phone.locator("[data-test=pickup-code]").locator("input").fill("00000000")
    phone.locator("[data-test=verify]").click()
    expect(phone.get_by_text("提货码无效")).to_be_visible()
    shot(phone, "h5-leader-verify-error")
    phone.locator("[data-test=pickup-code]").locator("input").fill(order.pickup_code)
    phone.locator("[data-test=verify]").click()
    verified = phone.locator("[data-test=verified]")
    expect(verified).to_contain_text("核销成功")
    expect(verified).to_contain_text("土鸡蛋")
    expect(verified).to_contain_text("×2")
    shot(phone, "h5-leader-verified")

    # After settlement the commission (10 % of ¥65.80) is withdrawable
    commissions_settle_due()
    phone.goto(f"{center}/commission")
    expect(phone.locator("[data-test=withdrawable]")).to_have_text("¥6.58")
    expect(phone.get_by_text("结算转入可提现").first).to_be_visible()
    shot(phone, "h5-leader-commission")
    phone.locator("[data-test=open-withdraw]").click()
    phone.locator("[data-test=withdraw-amount]").locator("input").fill("100")
    phone.locator("[data-test=withdraw-account]").locator("input").fill("微信零钱")
    phone.locator("[data-test=withdraw-submit]").click()
    expect(phone.get_by_text("不能超过可提现金额")).to_be_visible()
    phone.locator("[data-test=withdraw-amount]").locator("input").fill("5")
    shot(phone, "h5-leader-withdraw-form")
    phone.locator("[data-test=withdraw-submit]").click()
    expect(phone.locator("[data-test=withdrawal]").first).to_contain_text("¥5.00")
    expect(phone.locator("[data-test=withdrawable]")).to_have_text("¥1.58")
    shot(phone, "h5-leader-withdrawals")

    # Recruit: my referral link and its QR code
    phone.goto(f"{center}/recruit")
    expect(phone.locator("[data-test=referral-link]")).to_contain_text(f"?ref={leader.referral_code}")
    phone.wait_for_function("() => document.querySelector('[data-test=referral-qr]').naturalWidth > 0")
    shot(phone, "h5-leader-recruit")


def test_neighbour_applies_from_the_recruitment_link_and_sees_the_review(phone):
    shop = ShopFactory(name="鹭岛鲜生")
    owner = StaffFactory(shop=shop).user
    referrer = LeaderFactory(shop=shop, name="黄美玲")
    plan = leader_services.recruitment_plan_ensure(shop=shop)
    applicant = MemberUserFactory(display_name="陈丽")

    # The plan page opens from the link without a login
    link = f"/h5/recruit/{shop.id}/{plan.public_token}?ref={referrer.referral_code}"
    phone.goto(link)
    expect(phone.locator("[data-test=plan-title]")).to_have_text(plan.title)
    expect(phone.get_by_text("团长福利")).to_be_visible()
    shot(phone, "h5-leader-recruit-plan")

    # Applying needs a login; the form comes back with the referral code filled in
    phone.locator("[data-test=apply]").click()
    phone.wait_for_url("**/h5/login**")
    phone.fill("input[name=phone]", applicant.phone)
    phone.fill("input[name=code]", send_code(phone, applicant.phone))
    phone.click("[data-test=agree-privacy]")
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(r"/apply\?ref="))
    expect(phone.locator("input[name=referral_code]")).to_have_value(referrer.referral_code)
    expect(phone.locator("input[name=name]")).to_have_value("陈丽")

    phone.fill("input[name=phone]", "12345")
    phone.fill("input[name=community]", "厦大西村")
    phone.fill("input[name=address]", "思明区大学路168号")
    phone.fill("input[name=households]", "800")
    phone.fill("textarea[name=reach]", "小区业主微信群 480 人")
    # Where: searched by address among the shop's own points (nobody types coordinates)
    expect(phone.locator("input[name=lat]")).to_have_count(0)
    phone.locator("[data-test=place-search] input").fill("演武路")
    phone.locator("[data-test=place-search] input").press("Enter")
    phone.locator("[data-test=place-candidate]").first.click()
    expect(phone.locator("[data-test=coords]")).to_have_text("黄美玲小区 · 纬度 24.437600，经度 118.096300")
    phone.locator("[data-test=submit-application]").click()
    expect(phone.get_by_text("手机号格式不正确")).to_be_visible()  # the API's message, at the field
    shot(phone, "h5-leader-apply-form")
    phone.fill("input[name=phone]", applicant.phone)
    phone.locator("[data-test=submit-application]").click()

    # "My application" shows it pending; after the shop rejects it, the reason
    status = phone.locator("[data-test=application-status]")
    expect(status).to_contain_text("待审核")
    shot(phone, "h5-leader-application-pending")
    application = LeaderApplication.objects.get(shop=shop, user=applicant)
    assert (application.referral_code, application.community) == (referrer.referral_code, "厦大西村")
    leader_services.application_reject(
        shop=shop, actor=owner, application_id=application.id, reason="该小区已有团长在服务"
    )
    phone.reload()
    expect(status).to_contain_text("已拒绝")
    expect(phone.locator("[data-test=reject-reason]")).to_contain_text("该小区已有团长在服务")
    shot(phone, "h5-leader-application-rejected")
