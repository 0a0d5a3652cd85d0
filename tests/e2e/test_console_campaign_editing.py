"""Merchant console: the campaign wizard checks each step and shows every error at once; a draft
is edited with the same wizard; a live campaign extends its cut-off with a reason; 立即开始 asks first."""

import re
from datetime import UTC, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.campaigns import services
from tuangou.campaigns.models import Campaign, CampaignEvent
from tuangou.catalog.models import Product
from tuangou.catalog.tests.factories import ProductFactory, SkuFactory
from tuangou.shops.models import Staff
from tuangou.shops.tests.factories import PASSWORD, StaffFactory

from .conftest import shot


def given_shop():
    owner = StaffFactory(shop__name="鹭岛鲜生", user__display_name="林店主", role=Staff.Role.OWNER)
    product = ProductFactory(shop=owner.shop, name="丹东草莓", status=Product.Status.ON_SHELF)
    sku = SkuFactory(product=product, spec="500g", price_fen=3990, stock=80)
    return owner, sku


def given_campaign(owner, sku, *, title="草莓尝鲜团", starts_in=timedelta(hours=2), publish=False) -> Campaign:
    now = timezone.now().replace(second=0, microsecond=0)  # as the console's date pickers send them
    campaign = services.campaign_create(
        shop=owner.shop,
        actor=owner.user,
        title=title,
        items=[{"sku_id": sku.id, "price_fen": 2990, "stock_allotted": 20}],
        starts_at=now + starts_in,
        cutoff_at=now + timedelta(days=1),
        pickup_at=now + timedelta(days=2),
        threshold_value=5,
    )
    if publish:
        services.campaign_publish(campaign=campaign, actor=owner.user)
    return campaign


def log_in(page, username: str):
    page.goto("/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console/dashboard$"))


def settled(page):
    expect(page.locator(".el-loading-mask:visible")).to_have_count(0)
    page.wait_for_timeout(500)
    return page


def type_time(page, name: str, text: str, close_on=None):
    field = page.locator(f"input[name={name}]")
    field.fill(text)
    field.press("Enter")
    if close_on is None:
        page.keyboard.press("Escape")
    else:  # Escape would close the dialog itself
        close_on.click()


def test_the_wizard_shows_every_error_of_a_step_before_going_on(desktop):
    owner, sku = given_shop()
    page = desktop
    log_in(page, owner.user.username)
    page.goto("/console/campaigns/new")
    wizard = page.locator("[data-test=campaign-wizard]")

    # Step 1 without a product: refused.
    wizard.locator("[data-test=wizard-next]").click()
    expect(wizard).to_contain_text("请至少添加一个商品规格")
    wizard.locator("[data-test=pick-product]").click()
    page.keyboard.type("丹东")  # the remote search's answer, not the list the opening fetch is replacing
    page.locator(".el-select-dropdown__item", has_text="丹东草莓").click()
    expect(wizard.locator("[data-test=step-products] .el-table__row")).to_have_count(1)
    wizard.locator("[data-test=wizard-next]").click()
    expect(wizard.locator("[data-test=step-prices]")).to_be_visible()

    # Step 2: a price of 0 and a bad commission, both shown at once; the step stays.
    wizard.locator("input[name=item-0-price]").fill("0")
    wizard.locator("input[name=item-0-commission]").fill("abc")
    wizard.locator("[data-test=wizard-next]").click()
    prices = wizard.locator("[data-test=step-prices]")
    expect(prices).to_contain_text("团购价必须大于0元")
    expect(prices).to_contain_text("须在0–100%之间")
    expect(prices).to_be_visible()
    shot(settled(page), "console-wizard-price-errors")
    wizard.locator("input[name=item-0-price]").fill("29.9")
    wizard.locator("input[name=item-0-commission]").fill("")
    wizard.locator("[data-test=wizard-next]").click()

    # Step 3: no title, a cut-off before the start and a pickup before the cut-off: three errors.
    times = wizard.locator("[data-test=step-times]")
    expect(times).to_be_visible()
    wizard.locator("input[name=title]").fill("   ")
    type_time(page, "starts_at", "2030-05-10 10:00")
    type_time(page, "cutoff_at", "2030-05-09 10:00")
    type_time(page, "pickup_at", "2030-05-08 10:00")
    wizard.locator("[data-test=wizard-next]").click()
    expect(times).to_contain_text("请填写团购标题")
    expect(times).to_contain_text("截单时间必须晚于开始时间")
    expect(times).to_contain_text("提货时间必须晚于截单时间")
    expect(times.locator(".el-form-item__error")).to_have_count(3)
    shot(settled(page), "console-wizard-time-errors")

    # Fixed: on to the leaders step, and the draft is saved as typed.
    wizard.locator("input[name=title]").fill("草莓尝鲜团")
    type_time(page, "cutoff_at", "2030-05-12 20:00")
    type_time(page, "pickup_at", "2030-05-13 10:00")
    wizard.locator("[data-test=wizard-next]").click()
    expect(wizard.locator("[data-test=step-leaders]")).to_be_visible()
    wizard.locator("[data-test=save-draft]").click()
    expect(page).to_have_url(re.compile(r"/console/campaigns/\d+$"))
    campaign = Campaign.objects.get()
    assert (campaign.title, campaign.status, campaign.items.get().price_fen) == ("草莓尝鲜团", "draft", 2990)
    assert timezone.localtime(campaign.cutoff_at).strftime("%Y-%m-%d %H:%M") == "2030-05-12 20:00"


def test_a_draft_is_edited_in_the_wizard_and_start_now_asks_first(desktop):
    owner, sku = given_shop()
    campaign = given_campaign(owner, sku)
    page = desktop
    log_in(page, owner.user.username)
    page.goto(f"/console/campaigns/{campaign.id}")

    page.locator("[data-test=edit-campaign]").click()
    expect(page).to_have_url(re.compile(rf"/console/campaigns/{campaign.id}/edit$"))
    wizard = page.locator("[data-test=campaign-wizard]")
    expect(wizard.locator("[data-test=step-products] .el-table__row")).to_contain_text("丹东草莓")
    wizard.locator("[data-test=wizard-next]").click()
    expect(wizard.locator("input[name=item-0-price]")).to_have_value("29.90")
    wizard.locator("input[name=item-0-price]").fill("25.8")
    wizard.locator("[data-test=wizard-next]").click()
    wizard.locator("input[name=title]").fill("草莓周末团")
    wizard.locator("[data-test=wizard-next]").click()
    shot(settled(page), "console-campaign-edit")
    wizard.locator("[data-test=save-draft]").click()

    expect(page).to_have_url(re.compile(rf"/console/campaigns/{campaign.id}$"))
    expect(page.locator("h2")).to_contain_text("草莓周末团")
    expect(page.locator("[data-test=campaign-items]")).to_contain_text("¥25.80")
    # only what changed is listed (the wizard sends the whole form)
    expect(page.locator("[data-test=event-detail]").first).to_have_text("修改内容：团购商品、团购标题")
    campaign.refresh_from_db()
    assert (campaign.title, campaign.items.get().price_fen) == ("草莓周末团", 2580)

    # Published: 立即开始 asks first; 取消 leaves it scheduled.
    page.locator("[data-test=publish]").click()
    expect(page.locator("[data-test=campaign-status]")).to_have_text("未开始")
    page.locator("[data-test=start-now]").click()
    box = page.locator(".el-message-box")
    expect(box).to_contain_text("立即开始后团员即可下单")
    shot(settled(page), "console-start-confirm")
    box.get_by_role("button", name="取消").click()
    expect(page.locator("[data-test=campaign-status]")).to_have_text("未开始")
    assert Campaign.objects.get(pk=campaign.id).status == "scheduled"


def test_a_live_campaign_extends_its_cutoff_with_a_reason(desktop):
    owner, sku = given_shop()
    campaign = given_campaign(owner, sku, starts_in=timedelta(minutes=-5), publish=True)
    planned = Campaign.objects.get(pk=campaign.id).cutoff_at
    new_cutoff = timezone.localtime(planned + timedelta(days=1)).replace(second=0, microsecond=0)
    page = desktop
    log_in(page, owner.user.username)
    page.goto(f"/console/campaigns/{campaign.id}")
    expect(page.locator("[data-test=campaign-status]")).to_have_text("进行中")
    expect(page.locator("[data-test=edit-campaign]")).to_have_count(0)

    page.locator("[data-test=extend-cutoff]").click()
    dialog = page.locator("[data-test=extend-dialog]")
    # the proposed cut-off is a day later, and pickup keeps its gap after it
    dialog.locator("[data-test=extend-save]").click()
    expect(dialog).to_contain_text("请填写延期原因")
    title = dialog.locator(".el-dialog__title")
    type_time(page, "extend_cutoff", new_cutoff.strftime("%Y-%m-%d %H:%M"), close_on=title)
    type_time(page, "extend_pickup", (new_cutoff + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"), close_on=title)
    dialog.locator("input[name=extend_reason]").fill("货源充足，多卖一天")
    shot(settled(page), "console-extend-cutoff")
    dialog.locator("[data-test=extend-save]").click()

    expect(page.get_by_text("截单时间已延长")).to_be_visible()
    events = page.locator("[data-test=campaign-events]")
    expect(events).to_contain_text("延长截单")
    expect(events).to_contain_text("原因：货源充足，多卖一天")
    expect(events.locator("[data-test=event-detail]").first).to_contain_text("截单时间：")
    shot(settled(page), "console-extended-events")
    stored = Campaign.objects.get(pk=campaign.id)
    assert stored.cutoff_at == new_cutoff
    event = CampaignEvent.objects.get(campaign=stored, type="cutoff_extended")
    assert (event.data["from"], event.data["to"], event.data["reason"]) == (
        planned.isoformat(),
        new_cutoff.astimezone(UTC).isoformat(),
        "货源充足，多卖一天",
    )


def test_a_form_error_names_the_field_by_its_label_not_the_api_field(desktop):
    owner, sku = given_shop()
    page = desktop
    log_in(page, owner.user.username)
    page.locator("[data-menu=staff]").click()
    page.click("[data-test=invite-staff]")
    invite = page.locator("[data-test=invite-dialog]")

    invite.locator("input[name=staff_username]").fill("ab")  # the API answers 422 with field "username"
    invite.locator("[data-test=invite-submit]").click()

    expect(invite.locator(".el-form-item__error")).to_have_text("用户名：至少3个字符")
    shot(settled(page), "console-staff-field-label")
    assert Staff.objects.filter(shop=owner.shop).count() == 1


def test_operations_reads_the_settings_but_cannot_change_them(desktop):
    owner, sku = given_shop()
    operations = StaffFactory(shop=owner.shop, role=Staff.Role.OPERATIONS, user__display_name="运营小陈")
    page = desktop
    log_in(page, operations.user.username)

    page.locator("[data-menu=settings]").click()

    expect(page.locator("[data-test=settings-read-only]")).to_contain_text("只读")
    expect(page.locator("textarea[name=pickup_notice_text]")).to_be_disabled()
    expect(page.locator("[data-test=save-settings]")).to_have_count(0)
    expect(page.locator("input[name=default_rate]")).to_have_value("10")  # a percent, stored as 1000 bp
    expect(page.locator("[data-menu=staff]")).to_have_count(0)
    shot(settled(page), "console-settings-read-only")


def test_a_scheduled_campaign_edits_only_what_members_do_not_rely_on(desktop):
    owner, sku = given_shop()
    campaign = given_campaign(owner, sku, publish=True)
    page = desktop
    log_in(page, owner.user.username)
    page.goto(f"/console/campaigns/{campaign.id}/edit")
    wizard = page.locator("[data-test=campaign-wizard]")

    expect(page.locator("[data-test=locked-hint]")).to_contain_text("团购已发布")
    wizard.locator("[data-test=wizard-next]").click()
    expect(wizard.locator("input[name=item-0-price]")).to_be_disabled()
    wizard.locator("[data-test=wizard-next]").click()
    expect(wizard.locator("input[name=starts_at]")).to_be_disabled()
    wizard.locator("input[name=title]").fill("草莓尝鲜团·第二批")
    wizard.locator("[data-test=wizard-next]").click()
    expect(wizard.locator("[data-test=publish]")).to_have_count(0)
    shot(settled(page), "console-campaign-edit-scheduled")
    wizard.locator("[data-test=save-draft]").click()

    expect(page).to_have_url(re.compile(rf"/console/campaigns/{campaign.id}$"))
    expect(page.locator("[data-test=event-detail]").first).to_have_text("修改内容：团购标题")
    campaign.refresh_from_db()
    assert (campaign.title, campaign.status, campaign.items.get().price_fen) == ("草莓尝鲜团·第二批", "scheduled", 2990)
