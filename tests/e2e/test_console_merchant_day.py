"""A merchant's day in the console: a product, a campaign through the wizard, paid orders, an
early close, the purchase sheet and its Excel, a refund — and what a warehouse clerk may not see."""

import io
import re
from datetime import timedelta

from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from tuangou.accounts.testing import ApiClient
from tuangou.core.testing import ok
from tuangou.demo.loader import _pay
from tuangou.fulfilment import services as fulfilment_services
from tuangou.fulfilment import tasks as fulfilment_tasks
from tuangou.fulfilment.models import ExportJob
from tuangou.leaders.models import Membership
from tuangou.leaders.tests.factories import LeaderApplicationFactory
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.shops.models import Staff
from tuangou.shops.tests.factories import PASSWORD, MemberUserFactory, StaffFactory

from .conftest import shot as save_shot

PRODUCT = "云南高山蓝莓"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (70, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def shot(page, name: str):
    page.wait_for_timeout(400)  # tags and drawers zoom in; let them land
    save_shot(page, name)


def _log_in(page, username: str):
    page.goto("/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # each role lands on the first page it may open: the dashboard, or products for a warehouse clerk
    expect(page).to_have_url(re.compile(r"/console/(dashboard|products)$"))


def _menu(page, name: str):
    page.locator(f"[data-menu={name}]").click()


def _approved_leader(shop, owner):
    """The other console pages review applications; here the owner approves one over the API."""
    application = LeaderApplicationFactory(shop=shop, name="陈丽", community="海韵花园")
    client = ApiClient()
    client.login_password(owner.username, PASSWORD)
    body = ok(
        client.post(f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {"route": "思明线"}), 201
    )
    return body["id"]


def _paid_orders(shop, campaign_id: int, leader_id: int, item_id: int) -> list[Order]:
    orders = []
    for quantity, name in ((2, "王芳"), (1, "李娜"), (3, "张伟")):
        member = MemberUserFactory(display_name=name)
        Membership.objects.create(shop=shop, user=member, leader_id=leader_id, via_leader_id=leader_id)
        order = order_services.order_place(
            shop=shop,
            member=member,
            campaign_id=campaign_id,
            items=[{"campaign_item_id": item_id, "quantity": quantity}],
        )
        _pay(order)
        orders.append(order)
    return orders


def test_a_merchants_day(desktop, live_server, settings, tmp_path, monkeypatch):
    settings.SITE_URL = live_server.url  # the sandbox gateway delivers its notify to this server
    page = desktop
    owner_staff = StaffFactory(shop__name="鹭岛鲜生")
    shop, owner = owner_staff.shop, owner_staff.user
    leader_id = _approved_leader(shop, owner)

    # Log in: the dashboard, empty so far.
    _log_in(page, owner.username)
    expect(page.get_by_text("鹭岛鲜生").first).to_be_visible()
    expect(page.locator("[data-test=card-1] [data-test=gmv]")).to_have_text("¥0.00")
    shot(page, "console-dashboard-empty")

    # A product with one SKU, typed in yuan; then its picture.
    _menu(page, "products")
    expect(page.get_by_text("还没有商品")).to_be_visible()
    page.click("[data-test=new-product]")
    dialog = page.locator("[data-test=product-dialog]")
    dialog.locator("input[name=product-name]").fill(PRODUCT)
    dialog.locator("input[name=sku-0-spec]").fill("125g×4盒")
    dialog.locator("input[name=sku-0-code]").fill("LM125")
    dialog.locator("input[name=sku-0-price]").fill("39.9")
    dialog.locator("input[name=sku-0-cost]").fill("24")
    dialog.locator("input[name=sku-0-stock] >> xpath=.").fill("200")
    dialog.locator("[data-test=save-product]").click()
    expect(page.get_by_text("商品已创建")).to_be_visible()
    dialog.locator("[data-test=image-upload] input[type=file]").set_input_files(
        files=[{"name": "blueberry.png", "mimeType": "image/png", "buffer": _png()}],
    )
    expect(dialog.locator(".image img")).to_have_count(1)
    shot(page, "console-product-dialog")
    dialog.get_by_role("button", name="取消").click()
    row = page.locator("[data-test=product-table] .el-table__row", has_text=PRODUCT)
    expect(row).to_contain_text("¥39.90")
    expect(row).to_contain_text("200")

    # Stock arrives: +50 with a reason, and the movement shows.
    row.locator("[data-test=adjust-stock]").click()
    stock = page.locator("[data-test=stock-dialog]")
    stock.locator("input[name=delta]").fill("50")
    stock.locator("input[name=delta]").blur()
    stock.locator("[data-test=submit-adjust]").click()
    expect(stock.get_by_text("采购入库").first).to_be_visible()
    expect(stock.locator(".el-table__row").first).to_contain_text("250")
    shot(page, "console-stock-dialog")
    stock.get_by_role("button", name="Close").or_(stock.locator(".el-dialog__headerbtn")).first.click()
    shot(page, "console-products")

    # The campaign wizard: product → price → times and threshold → leaders → publish.
    _menu(page, "campaigns")
    page.click("[data-test=new-campaign]")
    wizard = page.locator("[data-test=campaign-wizard]")
    wizard.locator("[data-test=pick-product]").click()
    page.keyboard.type("蓝莓")
    page.locator(".el-select-dropdown__item", has_text=PRODUCT).click()
    expect(wizard.locator("[data-test=step-products] .el-table__row")).to_have_count(1)
    shot(page, "console-campaign-wizard-1")
    wizard.locator("[data-test=wizard-next]").click()
    wizard.locator("input[name=item-0-price]").fill("29.9")
    shot(page, "console-campaign-wizard-2")
    wizard.locator("[data-test=wizard-next]").click()
    wizard.locator("input[name=title]").fill("蓝莓尝鲜团")
    wizard.locator("input[name=threshold] >> xpath=.").fill("2")
    shot(page, "console-campaign-wizard-3")
    wizard.locator("[data-test=wizard-next]").click()
    shot(page, "console-campaign-wizard-4")
    wizard.locator("[data-test=publish]").click()
    expect(page).to_have_url(re.compile(r"/console/campaigns/\d+$"))
    campaign_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("[data-test=campaign-status]")).to_have_text("未开始")
    page.get_by_role("button", name="立即开始").click()
    page.locator(".el-message-box").get_by_role("button", name="确定").click()  # 立即开始 asks first
    expect(page.locator("[data-test=campaign-status]")).to_have_text("进行中")

    # Members order and pay through the sandbox gateway.
    from tuangou.campaigns.models import CampaignItem

    item = CampaignItem.objects.get(campaign_id=campaign_id)
    assert item.price_fen == 2990
    orders = _paid_orders(shop, campaign_id, leader_id, item.id)
    page.reload()
    expect(page.locator("[data-test=campaign-progress]")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_text("¥179.40")).to_be_visible()
    shot(page, "console-campaign-detail")

    # Close early: confirmed, decided at once (3 members ≥ 2): succeeded.
    page.click("[data-test=close-early]")
    page.locator(".el-message-box").get_by_role("button", name="确定").click()
    expect(page.locator("[data-test=campaign-status]")).to_have_text("已成团")
    _menu(page, "campaigns")
    expect(page.locator("[data-test=campaign-table] .el-table__row", has_text="蓝莓尝鲜团")).to_contain_text("已成团")
    shot(page, "console-campaigns")
    page.goto(f"/console/campaigns/{campaign_id}")

    # Fulfilment: the purchase summary, and its Excel built by a background job whose progress
    # the page follows, then downloaded by the browser.
    page.click("[data-test=to-fulfilment]")
    purchase = page.locator("[data-test=purchase-table]")
    expect(purchase).to_contain_text(PRODUCT)
    expect(purchase.locator(".el-table__row").first).to_contain_text("6")
    shot(page, "console-fulfilment-purchase")
    with monkeypatch.context() as queue:
        queue.setattr(fulfilment_services, "async_task", lambda *args, **kwargs: None)  # no worker has it yet
        page.click("[data-test=export-xlsx]")
        expect(page.locator("[data-test=export-title]")).to_have_text("采购单（Excel）排队等待生成…")
    expect(page.locator("[data-test=export-xlsx]")).to_be_disabled()
    job = ExportJob.objects.get(campaign_id=campaign_id, kind="purchase", format="xlsx")
    # A worker reports 42 %, as its progress UPDATE does, and then dies (no word for 11 minutes).
    ExportJob.objects.filter(pk=job.pk).update(status="running", progress=42)
    expect(page.locator("[data-test=export-progress]")).to_contain_text("42%")
    expect(page.locator("[data-test=export-title]")).to_have_text("正在生成采购单（Excel）…")
    shot(page, "console-fulfilment-export-progress")
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    with page.expect_download() as download_info:
        assert fulfilment_tasks.export_job_run(job.pk) == "done"  # the task delivered again takes it over
    expect(page.locator("[data-test=export-progress]")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("[data-test=export-download]")).to_be_visible()
    assert download_info.value.suggested_filename == "蓝莓尝鲜团-采购单.xlsx"
    path = tmp_path / "purchase.xlsx"
    download_info.value.save_as(path)
    cells = [
        str(cell) for row in load_workbook(path).active.iter_rows(values_only=True) for cell in row if cell is not None
    ]
    assert PRODUCT in cells
    page.get_by_role("tab", name="发货单").click()
    expect(page.get_by_text("海韵花园").first).to_be_visible()
    shot(page, "console-fulfilment-shipping")
    page.get_by_role("tab", name="分拣单").click()
    expect(page.get_by_text("王*").first).to_be_visible()
    shot(page, "console-fulfilment-sorting")
    page.get_by_role("tab", name="发货状态").click()
    page.click("[data-test=ship-all]")
    page.locator(".el-message-box").get_by_role("button", name="确定").click()
    expect(page.locator("[data-test=shipments-table]")).to_contain_text("已发货")
    shot(page, "console-fulfilment-shipments")

    # Refund one order in full from the orders page.
    _menu(page, "orders")
    refunded = orders[1]
    page.locator(f"[data-test=order-{refunded.number}]").click()
    drawer = page.locator("[data-test=order-drawer]")
    expect(drawer.locator("[data-test=order-status]")).to_have_text("已发货")
    shot(page, "console-order-drawer")
    drawer.locator("[data-test=refund-button]").click()
    refund = page.locator("[data-test=refund-dialog]")
    refund.locator("input[name=refund-reason]").fill("顾客临时出差，全额退款")
    shot(page, "console-refund-dialog")
    refund.locator("[data-test=submit-refund]").click()
    # money leaves the shop only after a confirmation that names the amount in 元
    confirm = page.locator(".el-message-box")
    expect(confirm).to_contain_text(f"确定给订单 {refunded.number} 退款 ¥29.90 吗")
    shot(page, "console-refund-confirm")
    confirm.get_by_role("button", name="确定退款").click()
    expect(drawer.locator("[data-test=order-status]")).to_have_text("已退款")
    expect(drawer.locator("[data-test=order-events]")).to_contain_text("¥29.90 · 顾客临时出差，全额退款")
    # Payments and refunds speak in words, never codes (sandbox, succeeded).
    drawer.get_by_role("tab", name=re.compile("支付记录")).click()
    expect(drawer.locator(".el-tab-pane:visible")).to_contain_text("模拟支付（测试）")
    expect(drawer.locator(".el-tab-pane:visible")).not_to_contain_text("sandbox")
    expect(drawer.locator(".el-tab-pane:visible")).not_to_contain_text("succeeded")
    shot(page, "console-order-payments")
    refunded.refresh_from_db()
    assert (refunded.status, refunded.refunded_fen) == (Order.Status.REFUNDED, 2990)
    drawer.locator(".el-drawer__close-btn").click()
    expect(drawer).to_be_hidden()
    shot(page, "console-orders")
    page.get_by_role("tab", name="售后申请").click()
    expect(page.get_by_text("没有售后申请")).to_be_visible()
    shot(page, "console-after-sales")

    # The dashboard now counts today's sales: 3 orders paid, one refunded.
    _menu(page, "dashboard")
    expect(page.locator("[data-test=card-1] [data-test=gmv]")).to_have_text("¥149.50")
    expect(page.locator("[data-test=top-products]")).to_contain_text(PRODUCT)
    page.wait_for_timeout(600)  # the chart's entry animation
    shot(page, "console-dashboard")

    # A warehouse clerk: fulfilment yes; no refund button, no finance entries.
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/console/login"))
    clerk = StaffFactory(shop=shop, role=Staff.Role.WAREHOUSE)
    _log_in(page, clerk.user.username)
    menu = page.locator("[data-menu]")
    names = [menu.nth(index).get_attribute("data-menu") for index in range(menu.count())]
    assert "fulfilment" in names and "orders" in names
    assert not [
        name for name in names if "commission" in name or "withdraw" in name or "staff" in name or "setting" in name
    ]
    expect(page.locator("aside")).not_to_contain_text("佣金")
    _menu(page, "orders")
    page.locator(f"[data-test=order-{orders[0].number}]").click()
    drawer = page.locator("[data-test=order-drawer]")
    expect(drawer.locator("[data-test=order-status]")).to_have_text("已发货")
    expect(drawer.locator("[data-test=refund-button]")).to_have_count(0)
    shot(page, "console-warehouse-orders")
