"""团长等级 and teams: levels earned by tasks over the plan's period (GMV, members, pickup rate),
each with a rate the ledger tops a leader's lines up to; team captains and regional leaders earn
the difference between their rate and their team's (团队管理奖); the team PK leaderboard.

A leader's rate never exceeds their parent's (the team captain's, else the regional leader's):
it is capped there, so a difference is never negative and never paid twice up the chain."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tuangou.core.api import get_in_shop
from tuangou.core.errors import ApplicationError
from tuangou.core.money import apply_rate_bp
from tuangou.leaders.models import Leader, Membership, Team
from tuangou.orders.models import Order

from .gmv import local_start, month_start, net_gmv_by_leader, next_month
from .incentives import award_grant, incentive_plan_get
from .models import IncentiveAward, LeaderLevel, LeaderStanding
from .tiers import local_today, yuan

A = IncentiveAward.Kind
LEVEL_FIELDS = ("name", "rank", "commission_rate_bp", "min_gmv_fen", "min_members", "min_pickup_rate_bp")
MAX_RATE_BP = 5000  # as a leader's own rate (leaders.services)
MAX_LEVELS = 20


# --- levels --------------------------------------------------------------------------------


def _check_level(shop, fields: dict, level_id: int | None = None) -> None:
    if fields.get("commission_rate_bp") is not None and fields["commission_rate_bp"] > MAX_RATE_BP:
        raise ApplicationError("validation", field="commission_rate_bp", reason="between", low=0, high=MAX_RATE_BP)
    if fields.get("name") is not None and not fields["name"].strip():
        raise ApplicationError("required", field="name")
    rank = fields.get("rank")
    if rank is not None and LeaderLevel.objects.filter(shop=shop, rank=rank).exclude(pk=level_id).exists():
        raise ApplicationError("level_rank_taken", field="rank", status=409, rank=rank)


@transaction.atomic
def level_create(*, shop, **fields) -> LeaderLevel:
    if LeaderLevel.objects.filter(shop=shop).count() >= MAX_LEVELS:
        raise ApplicationError("level_limit", field="rank", maximum=MAX_LEVELS)
    _check_level(shop, fields)
    return LeaderLevel.objects.create(
        shop=shop, **{name: (value.strip() if name == "name" else value) for name, value in fields.items()}
    )


@transaction.atomic
def level_update(*, shop, level_id: int, **fields) -> LeaderLevel:
    level = get_in_shop(LeaderLevel, shop, level_id, thing_zh="团长等级", thing_en="Leader level")
    fields = {name: value for name, value in fields.items() if value is not None and name in LEVEL_FIELDS}
    _check_level(shop, fields, level.id)
    for name, value in fields.items():
        setattr(level, name, value.strip() if name == "name" else value)
    level.save()
    return level


@transaction.atomic
def level_delete(*, shop, level_id: int) -> None:
    get_in_shop(LeaderLevel, shop, level_id, thing_zh="团长等级", thing_en="Leader level").delete()


def leader_figures(*, shop, leader_ids, start, end) -> dict[int, dict]:
    """{leader id: {gmv_fen, members, pickup_rate_bp}} over [start, end): net GMV; members bound to
    the leader now; of the orders paid in the period that reached the point, the share picked up."""
    leader_ids = list(leader_ids)
    gmv = net_gmv_by_leader(shop=shop, leader_ids=leader_ids, start=start, end=end)
    members = dict(
        Membership.objects.filter(shop=shop, leader_id__in=leader_ids)
        .values("leader_id")
        .annotate(n=Count("id"))
        .values_list("leader_id", "n")
    )
    reached = (Order.Status.ARRIVED, Order.Status.PICKED_UP, Order.Status.COMPLETED)
    picked = (Order.Status.PICKED_UP, Order.Status.COMPLETED)
    pickups = {
        row["leader_id"]: row
        for row in Order.objects.filter(
            shop=shop, leader_id__in=leader_ids, paid_at__gte=start, paid_at__lt=end, status__in=reached
        )
        .values("leader_id")
        .annotate(total=Count("id"), picked=Count("id", filter=Q(status__in=picked)))
    }
    figures = {}
    for leader_id in leader_ids:
        row = pickups.get(leader_id)
        rate = row["picked"] * 10000 // row["total"] if row and row["total"] else 0
        figures[leader_id] = {"gmv_fen": gmv[leader_id], "members": members.get(leader_id, 0), "pickup_rate_bp": rate}
    return figures


def _meets(level: LeaderLevel, figures: dict) -> bool:
    return (
        figures["gmv_fen"] >= level.min_gmv_fen
        and figures["members"] >= level.min_members
        and figures["pickup_rate_bp"] >= level.min_pickup_rate_bp
    )


def level_tasks(level: LeaderLevel, figures: dict) -> list[dict]:
    """A level's three tasks with the leader's figures against them (the leader center shows these)."""
    return [
        {"task": "gmv", "label": "交易额", "target": level.min_gmv_fen, "value": figures["gmv_fen"], "unit": "fen"},
        {
            "task": "members",
            "label": "团员数",
            "target": level.min_members,
            "value": figures["members"],
            "unit": "count",
        },
        {
            "task": "pickup_rate",
            "label": "提货率",
            "target": level.min_pickup_rate_bp,
            "value": figures["pickup_rate_bp"],
            "unit": "bp",
        },
    ]


def levels_assess(*, shop, now=None) -> int:
    """Judge every leader of the shop on the last period's figures: the highest level whose tasks
    are all met (or none). Scheduled daily; answers how many leaders hold a level."""
    now = now or timezone.now()
    plan = incentive_plan_get(shop=shop)
    levels = list(LeaderLevel.objects.filter(shop=shop).order_by("-rank"))
    leader_ids = list(Leader.objects.filter(shop=shop).values_list("id", flat=True))
    figures = leader_figures(
        shop=shop, leader_ids=leader_ids, start=now - timedelta(days=plan.level_period_days), end=now
    )
    held = 0
    for leader_id in leader_ids:
        level = next((level for level in levels if _meets(level, figures[leader_id])), None)
        held += level is not None
        LeaderStanding.objects.update_or_create(
            leader_id=leader_id,
            defaults={"shop": shop, "level": level, "figures": figures[leader_id], "assessed_at": now},
        )
    return held


# --- rates up the team --------------------------------------------------------------------


class Rates:
    """Leaders' rates for one shop, read once: own = the higher of the leader's rate and their
    level's; effective = own capped by the parent's effective rate."""

    def __init__(self, shop):
        self.shop = shop
        self.level_rates = dict(
            LeaderStanding.objects.filter(shop=shop, level__isnull=False).values_list(
                "leader_id", "level__commission_rate_bp"
            )
        )
        self.captains = dict(Team.objects.filter(shop=shop).values_list("id", "captain_id"))
        from tuangou.leaders.models import Region

        self.regional = dict(Region.objects.filter(shop=shop).values_list("id", "regional_leader_id"))
        self.leaders: dict[int, Leader] = {}
        self._effective: dict[int, int] = {}

    def leader(self, leader_id: int) -> Leader:
        if leader_id not in self.leaders:
            self.leaders[leader_id] = Leader.objects.get(pk=leader_id, shop=self.shop)
        return self.leaders[leader_id]

    def base(self, leader: Leader) -> int:
        return (
            leader.commission_rate_bp if leader.commission_rate_bp is not None else self.shop.default_commission_rate_bp
        )

    def level_rate(self, leader_id: int) -> int | None:
        return self.level_rates.get(leader_id)

    def parent_id(self, leader: Leader) -> int | None:
        """The team captain, else the regional leader (a captain's parent is their region's)."""
        captain = self.captains.get(leader.team_id)
        if captain and captain != leader.id:
            return captain
        regional = self.regional.get(leader.region_id)
        if regional and regional != leader.id:
            return regional
        return None

    def chain(self, leader: Leader) -> list[Leader]:
        """The parents above a leader, nearest first (a loop in the data stops the walk)."""
        parents, seen = [], {leader.id}
        parent_id = self.parent_id(leader)
        while parent_id and parent_id not in seen:
            seen.add(parent_id)
            parents.append(self.leader(parent_id))
            parent_id = self.parent_id(parents[-1])
        return parents

    def own(self, leader: Leader) -> int:
        return max(self.base(leader), self.level_rate(leader.id) or 0)

    def effective(self, leader: Leader) -> int:
        """Capped by every rate up the chain (the chain stops at a loop, so this always ends)."""
        if leader.id not in self._effective:
            self._effective[leader.id] = min(self.own(person) for person in [leader, *self.chain(leader)])
        return self._effective[leader.id]


def level_awards_for_order(*, order, now=None) -> list[IncentiveAward]:
    """At pickup, for each line: the leader's level top-up (their capped level rate above the
    line's), then each parent's difference over the rate paid below them."""
    plan = incentive_plan_get(shop=order.shop)
    rates = Rates(order.shop)
    leader = rates.leaders.setdefault(order.leader_id, order.leader)
    level_rate = rates.level_rate(leader.id)
    parents = rates.chain(leader) if plan.team_override_enabled else []
    if level_rate is None and not parents:
        return []
    awards = []
    for line in order.lines.all():
        net = line.amount_fen - line.refunded_fen
        paid_rate = line.commission_rate_bp
        if level_rate is not None:
            target = min(level_rate, rates.effective(leader))
            awards.append(
                award_grant(
                    leader=leader,
                    kind=A.LEVEL_TOPUP,
                    key=f"level_topup:{line.id}",
                    amount_fen=apply_rate_bp(net, target - paid_rate) if target > paid_rate else 0,
                    rate_bp=max(0, target - paid_rate),
                    order=order,
                    order_line=line,
                    reason=f"等级佣金补足至{target / 100:g}%：订单{order.number} {line.product_name}",
                    now=now,
                )
            )
            paid_rate = max(paid_rate, target)
        paid_rate = max(paid_rate, rates.effective(leader))
        for parent in parents:
            difference = rates.effective(parent) - paid_rate
            if difference > 0:
                awards.append(
                    award_grant(
                        leader=parent,
                        kind=A.TEAM_OVERRIDE,
                        key=f"team_override:{line.id}:{parent.id}",
                        amount_fen=apply_rate_bp(net, difference),
                        rate_bp=difference,
                        order=order,
                        order_line=line,
                        source_leader=leader,
                        reason=f"团队管理奖{difference / 100:g}%：{leader.name}的订单{order.number}",
                        now=now,
                    )
                )
                paid_rate += difference
    return [award for award in awards if award]


# --- team PK --------------------------------------------------------------------------------


def team_leaderboard(*, shop, month=None, now=None) -> list[dict]:
    """Teams ranked by their members' net GMV in the month (ties: the older team first)."""
    now = now or timezone.now()
    month = month_start(month or local_today(shop, now))
    start, end = local_start(shop, month), local_start(shop, next_month(month))
    teams = list(Team.objects.filter(shop=shop).select_related("captain").order_by("id"))
    members: dict[int, list[int]] = {}
    for leader_id, team_id in Leader.objects.filter(shop=shop, team__isnull=False).values_list("id", "team_id"):
        members.setdefault(team_id, []).append(leader_id)
    gmv = net_gmv_by_leader(
        shop=shop, leader_ids=[i for ids in members.values() for i in ids], start=start, end=min(end, now)
    )
    rows = [
        {
            "team_id": team.id,
            "team_name": team.name,
            "captain_id": team.captain_id,
            "captain_name": team.captain.name if team.captain else "",
            "member_count": len(members.get(team.id, [])),
            "gmv_fen": sum(gmv[leader_id] for leader_id in members.get(team.id, [])),
        }
        for team in teams
    ]
    rows.sort(key=lambda row: -row["gmv_fen"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def team_pk_award(*, shop, month, now=None) -> IncentiveAward | None:
    """After a month ends: the plan's prize to the captain of the team at the top (once per month)."""
    now = now or timezone.now()
    month = month_start(month)
    plan = incentive_plan_get(shop=shop)
    if not plan.pk_prize_fen or local_start(shop, next_month(month)) > now:
        return None
    board = team_leaderboard(shop=shop, month=month, now=now)
    if not board or board[0]["gmv_fen"] <= 0 or not board[0]["captain_id"]:
        return None
    winner = board[0]
    return award_grant(
        leader=Leader.objects.select_related("shop").get(pk=winner["captain_id"]),
        kind=A.TEAM_PK,
        key=f"team_pk:{month:%Y-%m}",
        amount_fen=plan.pk_prize_fen,
        reason=f"{month:%Y年%m月}团队PK第一：{winner['team_name']}（交易额{yuan(winner['gmv_fen'])}）",
        now=now,
    )
