"""团长激励 in the browser: the merchant sets the 破蛋 target on 营销 · 团长激励 and sees a
referral's progress and the team leaderboard; the leader sees how far they are from 破蛋.
Screens are saved as console-incentives-*.png and h5-leader-incentives.png."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.commissions import incentives
from tuangou.commissions.tests.incentive_world import leader_point, paid_order, pick_up
from tuangou.leaders.models import Leader, RecruitmentPlan, Team
from tuangou.shops.tests.factories import StaffFactory

from .conftest import shot as save_shot
from .test_console_leaders_and_finance import log_in, settled
from .test_h5_leader import shot, sms_login


def given_shop_with_a_referral():
    captain = leader_point()
    shop = captain.shop
    referred = leader_point(shop, referred_by=captain.leader, created_at=timezone.now() - timedelta(days=5))
    RecruitmentPlan.objects.create(
        shop=shop,
        title="招募团长",
        benefits="佣金10%",
        requirements="500户以上",
        referral_reward_fen=50000,
        referral_gmv_target_fen=500000,
        referral_window_days=60,
    )
    team = Team.objects.create(shop=shop, name="思明一队", captain=captain.leader)
    Leader.objects.filter(pk__in=[captain.leader_id, referred.leader_id]).update(team=team)
    incentives.incentive_plan_update(shop=shop, first_order_reward_fen=3000, pk_prize_fen=20000, pk_rule="月度第一")
    pick_up(paid_order(referred, 120000))
    pick_up(paid_order(captain, 250000))
    return shop, captain.leader, referred.leader


def test_merchant_sets_the_tier_and_the_leader_sees_how_far_to_go(desktop, phone):
    shop, captain, referred = given_shop_with_a_referral()
    owner = StaffFactory(shop=shop, role="owner")
    page = desktop

    log_in(page, owner.user.username)
    page.goto("/console/marketing/incentives")
    target = page.locator("[data-test=tier-target] input")
    target.fill("5000")
    page.locator("[data-test=tier-target] input").blur()
    page.locator(".plan .el-card").nth(1).locator("input").nth(1).fill("2")
    page.click("[data-test=save-plan]")
    expect(page.get_by_text("已保存")).to_be_visible()
    settled(page)
    save_shot(page, "console-incentives-plan")
    page.get_by_role("tab", name="推荐团长").click()
    referrals = page.get_by_role("tabpanel", name="推荐团长")
    expect(referrals.get_by_text(referred.name)).to_be_visible()
    expect(referrals.get_by_text("还差 ¥3,800.00")).to_be_visible()
    save_shot(settled(page), "console-incentives-referrals")
    page.get_by_role("tab", name="团队PK").click()
    expect(page.get_by_role("tabpanel", name="团队PK").get_by_text("思明一队")).to_be_visible()
    save_shot(settled(page), "console-incentives-leaderboard")
    page.get_by_role("tab", name="奖励记录").click()
    expect(page.get_by_role("tabpanel", name="奖励记录").get_by_text("新团长首单奖励").first).to_be_visible()
    save_shot(settled(page), "console-incentives-awards")

    sms_login(phone, captain.phone, f"/h5/s/{shop.id}/leader/incentives")
    expect(phone.locator("[data-test=tier-progress]")).to_contain_text("破蛋")
    expect(phone.locator("[data-test=my-referrals]")).to_contain_text(referred.name)
    expect(phone.locator("[data-test=leaderboard]")).to_contain_text("思明一队")
    shot(phone, "h5-leader-incentives")
