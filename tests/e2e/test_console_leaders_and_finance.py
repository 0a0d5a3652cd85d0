"""Merchant console, part 2: leader review and management, settings, staff and roles, finance.

The owner approves an application (threshold checks visible), finds the new leader, suspends and
reactivates them with a reason, gets a field error from settings, and invites a finance user;
finance approves and pays a withdrawal without seeing products, staff or settings; a warehouse
user never sees the finance page, even by typing its address."""

import io
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from tuangou.commissions.models import CommissionEntry, Withdrawal
from tuangou.commissions.services import withdrawal_request
from tuangou.leaders.models import Leader, LeaderApplication
from tuangou.leaders.tests.factories import ZHONGSHAN_ROAD, LeaderApplicationFactory, LeaderFactory
from tuangou.shops.models import Staff
from tuangou.shops.tests.factories import PASSWORD, StaffFactory, UserFactory

from .conftest import shot


def log_in(page, username: str, password: str = PASSWORD):
    page.goto("/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    # each role lands on the first page it may open: the dashboard, or products for a warehouse clerk
    expect(page).to_have_url(re.compile(r"/console/(dashboard|products)$"))


def settled(page):
    """Wait for loading masks to go and drawers / dialogs to finish sliding in, then screenshot."""
    expect(page.locator(".el-loading-mask:visible")).to_have_count(0)
    page.wait_for_timeout(500)
    return page


def log_out(page):
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/console/login"))


def given_shop():
    owner = StaffFactory(shop__name="鹭岛鲜生", user__display_name="林店主", role=Staff.Role.OWNER)
    shop = owner.shop
    shop.min_distance_between_points_m = 500
    shop.save()
    wang = LeaderFactory(
        shop=shop, name="王芳", point__community="中山公园小区", point__at=ZHONGSHAN_ROAD, point__route="思明线"
    )
    applicant = LeaderApplicationFactory(
        shop=shop, name="陈丽", community="海韵花园", households=800, reach="业主微信群 480 人"
    )
    LeaderApplicationFactory(
        shop=shop, name="赵敏", community="小石湖公寓", households=300, lat=Decimal("24.4560"), lng=Decimal("118.0805")
    )
    CommissionEntry.objects.create(
        shop=shop, leader=wang, kind="reward", bucket="withdrawable", amount_fen=50000, note="推荐奖励"
    )
    withdrawal = withdrawal_request(leader=wang, amount_fen=20000, account="微信 wangfang")
    return owner, shop, applicant, withdrawal


def test_owner_reviews_and_manages_leaders_then_finance_pays_a_withdrawal(desktop):
    owner, shop, applicant, withdrawal = given_shop()
    page = desktop
    log_in(page, owner.user.username)

    # Applications: the checks of each application show as green / red tags with their detail.
    page.locator("[data-menu=applications]").click()
    row = page.locator("[data-test=applications-table] .el-table__row", has_text="陈丽")
    expect(row.locator("[data-test=check-households][data-ok=true]")).to_contain_text("户数")
    expect(row.locator("[data-test=check-one_per_community][data-ok=true]")).to_be_visible()
    expect(row.get_by_text("该小区暂无团长")).to_be_visible()
    other = page.locator("[data-test=applications-table] .el-table__row", has_text="赵敏")
    expect(other.locator("[data-test=check-households][data-ok=false]")).to_be_visible()
    expect(other.get_by_text("小区300户，要求不少于500户")).to_be_visible()
    expect(other.locator("[data-test=check-distance][data-ok=false]")).to_be_visible()
    shot(settled(page), "console-applications")

    page.click(f"[data-test=approve-{applicant.id}]")
    dialog = page.locator("[data-test=review-dialog]")
    dialog.locator("input[name=commission_rate]").fill("12")
    dialog.locator("input[name=route]").fill("思明线")
    shot(settled(page), "console-applications-approve")
    dialog.locator("[data-test=review-submit]").click()
    expect(page.get_by_text("已通过 陈丽")).to_be_visible()
    expect(page.locator("[data-test=applications-table] .el-table__row", has_text="陈丽")).to_have_count(0)
    leader = Leader.objects.get(shop=shop, name="陈丽")
    assert (leader.commission_rate_bp, leader.pickup_point.route) == (1200, "思明线")

    # Leaders: the new leader is in the performance table; suspend and reactivate with a reason.
    page.locator("[data-menu=leaders]").click()
    table = page.locator("[data-test=leaders-table]")
    expect(table.get_by_text("陈丽")).to_be_visible()
    expect(table.get_by_text("王芳")).to_be_visible()
    shot(settled(page), "console-leaders")
    with page.expect_download() as download:
        page.click("[data-test=export-leaders]")
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=3, values_only=True)) == ["王芳", "陈丽"]
    page.click(f"[data-test=leader-{leader.id}]")
    drawer = page.locator("[data-test=leader-drawer]")
    expect(drawer.locator("[data-test=pickup-point]")).to_contain_text("海韵花园")
    expect(drawer.locator("[data-test=pickup-point]")).to_contain_text("24.437600, 118.096300")
    drawer.locator("[data-test=suspend]").click()
    status_dialog = page.locator("[data-test=status-dialog]")
    status_dialog.locator("[data-test=status-submit]").click()
    expect(status_dialog.get_by_text("请填写原因")).to_be_visible()
    status_dialog.locator("textarea[name=status_reason]").fill("连续两周未核销提货")
    status_dialog.locator("[data-test=status-submit]").click()
    expect(drawer.locator("[data-test=leader-status]")).to_have_text("已暂停")
    expect(drawer.get_by_text("原因：连续两周未核销提货").first).to_be_visible()
    drawer.locator("[data-test=reactivate]").click()
    status_dialog.locator("textarea[name=status_reason]").fill("已沟通，恢复营业")
    status_dialog.locator("[data-test=status-submit]").click()
    expect(drawer.locator("[data-test=leader-status]")).to_have_text("正常")
    expect(drawer.locator("[data-test=leader-events]")).to_contain_text("恢复")
    expect(drawer.locator("[data-test=leader-events]")).to_contain_text("暂停")
    shot(settled(page), "console-leader-detail")
    leader.refresh_from_db()
    assert (leader.status, leader.events.count()) == ("active", 3)
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()

    # Teams and regions: create a team.
    page.get_by_role("tab", name="团队与区域").click()
    page.click("[data-test=new-team]")
    page.fill("input[name=group_name]", "思明一队")
    page.get_by_role("dialog", name="新建团队").get_by_role("button", name="保存").click()
    expect(page.locator("[data-test=teams-card]")).to_contain_text("思明一队")
    shot(settled(page), "console-leaders-teams")

    # Recruitment: a template fills the form and the phone preview follows.
    page.locator("[data-menu=recruitment]").click()
    page.locator("[data-test=template-store] button").click()
    expect(page.locator("[data-test=plan-preview]")).to_contain_text("便利店店主加盟团长")
    expect(page.locator("input[data-test=plan-link]")).to_have_value(re.compile(r"/h5/recruit/"))
    page.click("[data-test=save-plan]")
    expect(page.get_by_text("已保存").last).to_be_visible()
    shot(settled(page), "console-recruitment")

    # Settings: a pickup notice without {code} is refused at its field, and nothing changes.
    page.locator("[data-menu=settings]").click()
    notice = page.locator("textarea[name=pickup_notice_text]")
    expect(notice).to_have_value(re.compile(r"\{code\}"))
    notice.fill("您的商品到了，请尽快来提货。")
    page.click("[data-test=save-settings]")
    expect(page.get_by_text("需包含 {code}（提货码）")).to_be_visible()
    shot(settled(page), "console-settings")
    shop.refresh_from_db()
    assert "{code}" in shop.pickup_notice_text

    # Staff: invite a finance user with a first password.
    page.locator("[data-menu=staff]").click()
    expect(page.locator("[data-test=role-matrix]")).to_contain_text("审核提现")
    page.click("[data-test=invite-staff]")
    invite = page.locator("[data-test=invite-dialog]")
    invite.locator("input[name=staff_username]").fill("caiwu_li")
    invite.locator("input[name=staff_display_name]").fill("李会计")
    invite.locator("[data-test=invite-role]").click()
    page.locator(".el-select-dropdown__item", has_text="财务").click()
    invite.locator("input[name=staff_password]").fill("caiwu-pass-2025")
    invite.locator("[data-test=invite-submit]").click()
    expect(page.locator("[data-test=staff-table]")).to_contain_text("李会计")
    shot(settled(page), "console-staff")
    assert Staff.objects.get(shop=shop, user__username="caiwu_li").role == "finance"
    log_out(page)

    # Finance: sees commissions and withdrawals, not products / staff / settings.
    log_in(page, "caiwu_li", "caiwu-pass-2025")
    expect(page.locator("[data-menu=commissions]")).to_be_visible()
    for hidden in ("products", "staff", "settings"):
        expect(page.locator(f"[data-menu={hidden}]")).to_have_count(0)
    page.locator("[data-menu=commissions]").click()
    withdrawals = page.locator("[data-test=withdrawals-table]")
    expect(withdrawals).to_contain_text("王芳")
    expect(withdrawals).to_contain_text("¥200.00")
    shot(settled(page), "console-commissions")
    page.click(f"[data-test=approve-withdrawal-{withdrawal.id}]")
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(page.get_by_text("已批准，请打款后标记已打款")).to_be_visible()
    page.locator("label", has_text="已批准待打款").click()
    page.click(f"[data-test=paid-withdrawal-{withdrawal.id}]")
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(page.get_by_text("已标记为已打款")).to_be_visible()
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.reviewed_by.username, withdrawal.paid_by.username) == (
        "paid",
        "caiwu_li",
        "caiwu_li",
    )

    page.get_by_role("tab", name="团长佣金").click()
    page.click(f"[data-test=ledger-{withdrawal.leader_id}]")
    ledger = page.locator("[data-test=ledger-drawer]")
    expect(ledger).to_contain_text("推荐奖励")
    expect(ledger).to_contain_text("-¥200.00")
    expect(ledger).to_contain_text("¥300.00")
    shot(settled(page), "console-commissions-ledger")


def test_warehouse_never_sees_the_finance_pages(desktop):
    owner = StaffFactory(shop__name="鹭岛鲜生")
    warehouse = StaffFactory(shop=owner.shop, role=Staff.Role.WAREHOUSE, user=UserFactory(display_name="仓管老周"))
    page = desktop
    log_in(page, warehouse.user.username)

    expect(page).to_have_url(re.compile(r"/console/products$"))
    for hidden in ("dashboard", "commissions", "staff", "settings", "leaders", "applications"):
        expect(page.locator(f"[data-menu={hidden}]")).to_have_count(0)
    for typed in ("commissions", "settings", "dashboard", "staff"):
        page.goto(f"/console/{typed}")
        expect(page).to_have_url(re.compile(rf"/console/{typed}$"))
        expect(page.locator("[data-test=forbidden]")).to_contain_text("无权限")
    shot(settled(page), "console-warehouse-forbidden")
    page.get_by_role("button", name="返回我的首页").click()
    expect(page).to_have_url(re.compile(r"/console/products$"))
    shot(settled(page), "console-warehouse-menu")
    assert Withdrawal.objects.count() == 0 and LeaderApplication.objects.count() == 0
