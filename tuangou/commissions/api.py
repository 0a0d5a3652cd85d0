from datetime import date
from typing import Literal

from django.core.cache import cache
from django.core.paginator import Paginator
from ninja import Path, Query, Router
from ninja.pagination import paginate

from tuangou.core import excel
from tuangou.core.api import AUTH, get_in_shop
from tuangou.core.bounds import Id, Page, PageSize
from tuangou.core.openapi import XLSX, file_response
from tuangou.core.pagination import PageNumberPagination
from tuangou.core.validation import Name
from tuangou.leaders.access import access_leader
from tuangou.leaders.models import Leader
from tuangou.shops.access import access_shop_as_staff

from . import incentive_exports, incentive_selectors, incentives, levels, referrals, selectors, services
from .models import Withdrawal
from .schemas import (
    CommissionEntryOut,
    IncentiveAwardOut,
    IncentivePlanIn,
    IncentivePlanOut,
    LeaderboardOut,
    LeaderCommissionCenterOut,
    LeaderCommissionOut,
    LeaderLevelIn,
    LeaderLevelOut,
    LeaderLevelPatch,
    LeaderWithdrawalOut,
    LevelsAssessOut,
    MyIncentivesOut,
    ReferralOut,
    WithdrawalIn,
    WithdrawalOut,
    WithdrawalRejectIn,
    WithdrawalStatus,
)

notify_router = Router(tags=["commissions: WeChat Pay transfer notify"])
console_router = Router(tags=["console: commissions 佣金与提现"], auth=AUTH)
leader_router = Router(tags=["leader: commissions 团长佣金"], auth=AUTH)


# --- console ---------------------------------------------------------------------------


@console_router.get("/commissions/leaders", response=list[LeaderCommissionOut], summary="Commission totals per leader")
@paginate(PageNumberPagination, page_size=20)
def list_leader_commissions(request, shop_id: Path[Id], search: Name = Query("", max_length=60)):
    staff = access_shop_as_staff(request, shop_id, "commissions.view")
    return selectors.leaders_with_commission_totals(shop=staff.shop, search=search)


@console_router.get(
    "/commissions/leaders/{leader_id}/entries",
    response=list[CommissionEntryOut],
    summary="A leader's commission ledger",
)
@paginate(PageNumberPagination, page_size=20)
def list_leader_commission_entries(request, shop_id: Path[Id], leader_id: Id):
    staff = access_shop_as_staff(request, shop_id, "commissions.view")
    leader = get_in_shop(Leader, staff.shop, leader_id, thing_zh="团长", thing_en="Leader")
    return selectors.commission_entries(shop=staff.shop, leader=leader)


@console_router.get("/withdrawals", response=list[WithdrawalOut], summary="Withdrawal requests, by status")
@paginate(PageNumberPagination, page_size=20)
def list_withdrawals(request, shop_id: Path[Id], status: WithdrawalStatus | None = None):
    staff = access_shop_as_staff(request, shop_id, "withdrawals.manage")
    return selectors.withdrawals_list(shop=staff.shop, status=status)


@console_router.post(
    "/withdrawals/{withdrawal_id}/approve", response=WithdrawalOut, summary="Finance approves a withdrawal"
)
def approve_withdrawal(request, shop_id: Path[Id], withdrawal_id: Id):
    staff = access_shop_as_staff(request, shop_id, "withdrawals.manage")
    return services.withdrawal_approve(shop=staff.shop, withdrawal_id=withdrawal_id, actor=request.auth)


@console_router.post(
    "/withdrawals/{withdrawal_id}/reject",
    response=WithdrawalOut,
    summary="Finance rejects a withdrawal (amount returns)",
)
def reject_withdrawal(request, shop_id: Path[Id], withdrawal_id: Id, payload: WithdrawalRejectIn):
    staff = access_shop_as_staff(request, shop_id, "withdrawals.manage")
    return services.withdrawal_reject(
        shop=staff.shop, withdrawal_id=withdrawal_id, actor=request.auth, reason=payload.reason
    )


@console_router.post(
    "/withdrawals/{withdrawal_id}/paid", response=WithdrawalOut, summary="Finance marks a withdrawal paid out"
)
def mark_withdrawal_paid(request, shop_id: Path[Id], withdrawal_id: Id):
    staff = access_shop_as_staff(request, shop_id, "withdrawals.manage")
    return services.withdrawal_mark_paid(shop=staff.shop, withdrawal_id=withdrawal_id, actor=request.auth)


# --- 团长激励 (console: 营销 / 团长激励) -----------------------------------------------------

AwardKind = Literal["first_order", "tier_bonus", "level_topup", "team_override", "referral", "team_pk"]


@console_router.get("/incentives/plan", response=IncentivePlanOut, summary="The shop's leader incentive plan")
def get_incentive_plan(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return incentive_selectors.incentive_plan_detail(shop=staff.shop)


@console_router.patch("/incentives/plan", response=IncentivePlanOut, summary="Change the leader incentive plan")
def update_incentive_plan(request, shop_id: Path[Id], payload: IncentivePlanIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    incentives.incentive_plan_update(shop=staff.shop, **payload.dict(exclude_unset=True))
    return incentive_selectors.incentive_plan_detail(shop=staff.shop)


@console_router.get("/incentives/levels", response=list[LeaderLevelOut], summary="Leader levels and their tasks")
def list_leader_levels(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return incentive_selectors.levels_list(shop=staff.shop)


@console_router.get(
    "/incentives/levels/export.xlsx", summary="Leader levels as an Excel file", openapi_extra=file_response(XLSX)
)
def export_leader_levels(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    content = incentive_exports.levels_workbook(levels=incentive_selectors.levels_list(shop=staff.shop))
    return excel.xlsx_response(content, ascii_name="leader-levels.xlsx", name="团长等级.xlsx")


@console_router.post("/incentives/levels", response={201: LeaderLevelOut}, summary="Add a leader level")
def create_leader_level(request, shop_id: Path[Id], payload: LeaderLevelIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    return 201, levels.level_create(shop=staff.shop, **payload.dict())


@console_router.patch("/incentives/levels/{level_id}", response=LeaderLevelOut, summary="Change a leader level")
def update_leader_level(request, shop_id: Path[Id], level_id: Id, payload: LeaderLevelPatch):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    return levels.level_update(shop=staff.shop, level_id=level_id, **payload.dict(exclude_unset=True))


@console_router.delete("/incentives/levels/{level_id}", response={204: None}, summary="Remove a leader level")
def delete_leader_level(request, shop_id: Path[Id], level_id: Id):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    levels.level_delete(shop=staff.shop, level_id=level_id)
    return 204, None


@console_router.post(
    "/incentives/level-assessments", response=LevelsAssessOut, summary="Assess every leader's level now (also daily)"
)
def assess_leader_levels(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    return {"leaders_with_level": levels.levels_assess(shop=staff.shop)}


@console_router.get("/incentives/referrals", response=list[ReferralOut], summary="Referred leaders and their progress")
@paginate(PageNumberPagination, page_size=20)
def list_referrals(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return referrals.referrals_list(shop=staff.shop)


@console_router.get(
    "/incentives/referrals/export.xlsx", summary="Referrals as an Excel file", openapi_extra=file_response(XLSX)
)
def export_referrals(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    content = incentive_exports.referrals_workbook(shop=staff.shop, rows=referrals.referrals_list(shop=staff.shop))
    return excel.xlsx_response(content, ascii_name="referrals.xlsx", name="推荐团长.xlsx")


@console_router.get("/incentives/leaderboard", response=LeaderboardOut, summary="Team PK leaderboard of a month")
def get_team_leaderboard(request, shop_id: Path[Id], month: date | None = None):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return incentive_selectors.leaderboard(shop=staff.shop, month=month)


@console_router.get(
    "/incentives/leaderboard/export.xlsx",
    summary="Team PK leaderboard as an Excel file",
    openapi_extra=file_response(XLSX),
)
def export_team_leaderboard(request, shop_id: Path[Id], month: date | None = None):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    board = incentive_selectors.leaderboard(shop=staff.shop, month=month)
    return excel.xlsx_response(
        incentive_exports.leaderboard_workbook(board=board), ascii_name="team-pk.xlsx", name="团队PK排行.xlsx"
    )


@console_router.get("/incentives/awards", response=list[IncentiveAwardOut], summary="Incentive rewards paid")
@paginate(PageNumberPagination, page_size=20)
def list_incentive_awards(request, shop_id: Path[Id], kind: AwardKind | None = None, leader_id: Id | None = None):
    staff = access_shop_as_staff(request, shop_id, "commissions.view")
    return incentive_selectors.awards_list(shop=staff.shop, kind=kind, leader_id=leader_id)


@console_router.get(
    "/incentives/awards/export.xlsx", summary="Incentive rewards as an Excel file", openapi_extra=file_response(XLSX)
)
def export_incentive_awards(request, shop_id: Path[Id], kind: AwardKind | None = None, leader_id: Id | None = None):
    staff = access_shop_as_staff(request, shop_id, "commissions.view")
    rows = incentive_selectors.awards_list(shop=staff.shop, kind=kind, leader_id=leader_id)
    return excel.xlsx_response(
        incentive_exports.awards_workbook(shop=staff.shop, rows=rows), ascii_name="rewards.xlsx", name="激励奖励.xlsx"
    )


# --- leader center ---------------------------------------------------------------------


@leader_router.get(
    "/incentives", response=MyIncentivesOut, summary="My incentives: 破蛋, first orders, referrals, level, team PK"
)
def get_my_incentives(request, shop_id: Path[Id]):
    leader = access_leader(request, shop_id)
    return incentive_selectors.my_incentives(leader=leader)


@leader_router.get("/commission", response=LeaderCommissionCenterOut, summary="My commission: balances and history")
def get_my_commission(request, shop_id: Path[Id], page: Page = 1, page_size: PageSize = 20):
    leader = access_leader(request, shop_id)
    history = Paginator(selectors.commission_entries(shop=leader.shop, leader=leader), page_size)
    items = history.page(page).object_list if page <= history.num_pages else []
    return {**selectors.commission_balances(leader=leader), "history": {"items": list(items), "count": history.count}}


@leader_router.post("/withdrawals", response={201: LeaderWithdrawalOut}, summary="Ask to withdraw commission")
def create_withdrawal(request, shop_id: Path[Id], payload: WithdrawalIn):
    leader = access_leader(request, shop_id, write=True)
    return 201, services.withdrawal_request(leader=leader, amount_fen=payload.amount_fen, account=payload.account)


@leader_router.get("/withdrawals", response=list[LeaderWithdrawalOut], summary="My withdrawal requests")
@paginate(PageNumberPagination, page_size=20)
def list_my_withdrawals(request, shop_id: Path[Id]):
    leader = access_leader(request, shop_id)
    return selectors.withdrawals_list(shop=leader.shop, leader=leader)


@leader_router.post(
    "/withdrawals/{withdrawal_id}/transfer-sync",
    response=LeaderWithdrawalOut,
    summary="Back from confirming receipt in WeChat: ask WeChat Pay about my withdrawal's transfer now",
)
def sync_my_withdrawal_transfer(request, shop_id: Path[Id], withdrawal_id: Id):
    leader = access_leader(request, shop_id)
    # One question to WeChat Pay per withdrawal per second at most, however often the page asks.
    if not cache.add(f"withdrawal-sync:{withdrawal_id}", 1, timeout=1):
        return get_in_shop(
            Withdrawal.objects.filter(leader=leader),
            leader.shop,
            withdrawal_id,
            thing_zh="提现申请",
            thing_en="Withdrawal",
        )
    return services.withdrawal_transfer_follow(leader=leader, withdrawal_id=withdrawal_id)


# --- WeChat Pay ---------------------------------------------------------------------------


@notify_router.post(
    "/notify/wechatpay-transfer/{shop_id}",
    auth=None,
    url_name="commissions_notify_wechatpay_transfer",
    summary="WeChat Pay merchant transfer notify (MCHTRANSFER.BILL.FINISHED); the shop is in the path",
)
def wechatpay_transfer_notify(request, shop_id: Path[Id]):
    # The raw body is read (not a schema): the platform's signature covers the exact bytes sent.
    services.withdrawal_transfer_notify_receive(shop_id=shop_id, headers=request.headers, body=request.body)
    return {"code": "SUCCESS", "message": "OK"}
