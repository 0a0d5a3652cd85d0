from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from tuangou.core.bounds import NOT_A_BOOLEAN, Int
from tuangou.core.validation import Name, Text

from . import labels
from .labels import entry_explanation, entry_label
from .models import CommissionEntry, Withdrawal


class CommissionBalanceOut(Schema):
    pending_fen: int  # 待结算: earned, after-sales window still open
    withdrawable_fen: int  # 可提现 (signed: below 0 while a clawback is owed, see offset_pending_fen)
    earned_fen: int
    settled_fen: int
    in_withdrawal_fen: int  # 提现中: requested or approved, not paid yet
    withdrawn_fen: int  # 已提现: paid out
    offset_pending_fen: int  # 待抵扣: owed after a refund took back settled commission (0 if none)
    offset_reason: str  # why it is owed and what happens next ("" if nothing is owed)


class CommissionEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    label: str  # what the line is, for people (结算转出 reads as 转入可提现)
    explanation: str  # one sentence: which order / withdrawal, and what moved where, in 元
    is_transfer: bool  # half of a pending → withdrawable move: no money gained or lost
    bucket: str
    amount_fen: int
    order_id: int | None
    order_line_id: int | None
    withdrawal_id: int | None
    settle_after: datetime | None
    note: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj: CommissionEntry) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_label(obj: CommissionEntry) -> str:
        return entry_label(obj)

    @staticmethod
    def resolve_explanation(obj: CommissionEntry) -> str:
        return entry_explanation(obj)

    @staticmethod
    def resolve_is_transfer(obj: CommissionEntry) -> bool:
        return obj.kind in (CommissionEntry.Kind.SETTLEMENT, CommissionEntry.Kind.SETTLEMENT_OUT)


class LeaderCommissionOut(Schema):
    """A leader's line in the console commission list; staff see the full phone."""

    leader_id: int
    name: str
    phone: str
    status: str
    pending_fen: int
    withdrawable_fen: int
    earned_fen: int
    settled_fen: int
    in_withdrawal_fen: int  # 提现中
    withdrawn_fen: int  # 已提现 (paid out)

    @staticmethod
    def resolve_leader_id(obj) -> int:
        return obj.id

    @staticmethod
    def resolve_withdrawn_fen(obj) -> int:
        return obj.paid_out_fen


class LeaderCommissionPageOut(Schema):
    items: list[CommissionEntryOut]
    count: int


class LeaderCommissionCenterOut(CommissionBalanceOut):
    history: LeaderCommissionPageOut


class WithdrawalIn(Schema):
    amount_fen: Int = Field(..., ge=1, le=100_000_000)
    account: Name = Field(..., min_length=1, max_length=100)


class WithdrawalRejectIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=200)


class WithdrawalOut(Schema):
    id: int
    leader_id: int
    leader_name: str
    leader_phone: str
    amount_fen: int
    status: str
    status_label: str
    account: str
    reason: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    paid_by: str | None
    paid_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_leader_name(obj: Withdrawal) -> str:
        return obj.leader.name

    @staticmethod
    def resolve_leader_phone(obj: Withdrawal) -> str:
        return obj.leader.phone

    @staticmethod
    def resolve_status_label(obj: Withdrawal) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_reviewed_by(obj: Withdrawal) -> str | None:
        return obj.reviewed_by.name if obj.reviewed_by_id else None

    @staticmethod
    def resolve_paid_by(obj: Withdrawal) -> str | None:
        return obj.paid_by.name if obj.paid_by_id else None


class TransferConfirmOut(Schema):
    """WeixinJSBridge.invoke("requestMerchantTransfer", {mchId, appId, package}) parameters."""

    mch_id: str
    app_id: str
    package: str


class LeaderWithdrawalOut(Schema):
    """A withdrawal as its leader sees it (no names of finance staff). A WeChat transfer waiting
    for the leader to confirm receipt reads 待确认收款 and carries `confirm`."""

    id: int
    amount_fen: int
    status: str
    status_label: str
    account: str
    reason: str
    reviewed_at: datetime | None
    paid_at: datetime | None
    created_at: datetime
    confirm: TransferConfirmOut | None

    @staticmethod
    def resolve_status_label(obj: Withdrawal) -> str:
        if obj.status == Withdrawal.Status.TRANSFERRING and obj.transfer_state == "WAIT_USER_CONFIRM":
            return str(labels.WAIT_USER_CONFIRM_LABEL)
        return obj.get_status_display()

    @staticmethod
    def resolve_confirm(obj: Withdrawal) -> dict | None:
        from .services import withdrawal_confirm_params

        return withdrawal_confirm_params(obj)


WithdrawalStatus = Literal["requested", "approved", "rejected", "paid", "transferring", "failed"]


# --- 团长激励 ---------------------------------------------------------------------------------

RewardFen = Field(None, ge=0, le=10_000_000)  # ¥100,000: any one reward or prize
TargetFen = Field(None, ge=0, le=1_000_000_000)
IncentiveRateBp = Field(None, ge=0, le=5000)


class IncentivePlanIn(Schema):
    """Only the keys sent change. A zero amount (or target) switches that incentive off."""

    first_order_reward_fen: int | None = RewardFen
    first_order_count: Annotated[int, Field(ge=1, le=100), NOT_A_BOOLEAN] | None = None
    first_order_days: Annotated[int, Field(ge=1, le=365), NOT_A_BOOLEAN] | None = None
    tier_target_fen: int | None = TargetFen
    tier_bonus_rate_bp: int | None = IncentiveRateBp
    level_period_days: Annotated[int, Field(ge=1, le=365), NOT_A_BOOLEAN] | None = None
    team_override_enabled: bool | None = None
    pk_prize_fen: int | None = RewardFen
    pk_rule: Name | None = Field(None, max_length=200)
    referral_reward_fen: int | None = RewardFen
    referral_gmv_target_fen: int | None = TargetFen
    referral_window_days: Annotated[int, Field(ge=1, le=365), NOT_A_BOOLEAN] | None = None


class IncentivePlanOut(Schema):
    first_order_reward_fen: int
    first_order_count: int
    first_order_days: int
    tier_target_fen: int
    tier_bonus_rate_bp: int
    level_period_days: int
    team_override_enabled: bool
    pk_prize_fen: int
    pk_rule: str
    referral_reward_fen: int
    referral_gmv_target_fen: int
    referral_window_days: int


class LeaderLevelIn(Schema):
    name: Name = Field(..., min_length=1, max_length=20)
    rank: Int = Field(..., ge=1, le=100)
    commission_rate_bp: Int = Field(..., ge=0, le=5000)
    min_gmv_fen: Int = Field(0, ge=0, le=1_000_000_000)
    min_members: Int = Field(0, ge=0, le=1_000_000)
    min_pickup_rate_bp: Int = Field(0, ge=0, le=10000)


class LeaderLevelPatch(Schema):
    name: Name | None = Field(None, min_length=1, max_length=20)
    rank: Annotated[int, Field(ge=1, le=100), NOT_A_BOOLEAN] | None = None
    commission_rate_bp: Annotated[int, Field(ge=0, le=5000), NOT_A_BOOLEAN] | None = None
    min_gmv_fen: Annotated[int, Field(ge=0, le=1_000_000_000), NOT_A_BOOLEAN] | None = None
    min_members: Annotated[int, Field(ge=0, le=1_000_000), NOT_A_BOOLEAN] | None = None
    min_pickup_rate_bp: Annotated[int, Field(ge=0, le=10000), NOT_A_BOOLEAN] | None = None


class LeaderLevelOut(Schema):
    id: int
    name: str
    rank: int
    commission_rate_bp: int
    min_gmv_fen: int
    min_members: int
    min_pickup_rate_bp: int
    leader_count: int = 0


class LevelsAssessOut(Schema):
    leaders_with_level: int


class ReferralOut(Schema):
    leader_id: int
    leader_name: str
    referrer_id: int
    referrer_name: str
    approved_at: datetime
    deadline: datetime
    gmv_fen: int
    target_fen: int
    remaining_fen: int
    reward_fen: int
    status: Literal["in_progress", "rewarded", "expired"]
    rewarded_at: datetime | None


class TeamRankOut(Schema):
    rank: int
    team_id: int
    team_name: str
    captain_id: int | None
    captain_name: str
    member_count: int
    gmv_fen: int


class LeaderboardOut(Schema):
    month: date
    prize_fen: int
    rule: str
    teams: list[TeamRankOut]


class IncentiveAwardOut(Schema):
    id: int
    leader_id: int
    leader_name: str
    kind: str
    kind_label: str
    amount_fen: int
    net_fen: int  # after reversals
    order_id: int | None
    source_leader_id: int | None
    reason: str
    is_revoked: bool
    is_settled: bool
    created_at: datetime


class TierProgressOut(Schema):
    enabled: bool
    month: date
    window_last_day: int
    target_fen: int
    bonus_rate_bp: int
    gmv_fen: int
    remaining_fen: int
    achieved: bool
    in_window: bool
    message: str


class LevelTaskOut(Schema):
    task: Literal["gmv", "members", "pickup_rate"]
    label: str
    target: int
    value: int
    unit: Literal["fen", "count", "bp"]
    done: bool


class MyLevelOut(Schema):
    level_name: str  # "" without a level
    level_rate_bp: int | None
    period_days: int
    figures: dict[str, int]
    next_level_name: str
    next_level_rate_bp: int | None
    next_tasks: list[LevelTaskOut]


class MyReferralsOut(Schema):
    reward_fen: int
    target_fen: int
    window_days: int
    referral_code: str
    referrals: list[ReferralOut]


class FirstOrderOut(Schema):
    enabled: bool
    reward_fen: int
    count: int
    days: int
    picked_up: int
    deadline: datetime
    rewarded: bool


class MyIncentivesOut(Schema):
    tier: TierProgressOut
    first_order: FirstOrderOut
    referrals: MyReferralsOut
    level: MyLevelOut
    leaderboard: LeaderboardOut
    my_team_id: int | None
