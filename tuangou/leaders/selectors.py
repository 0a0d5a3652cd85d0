"""Reads of the leaders app: recruitment plans, applications with their threshold checks,
leaders, pickup points near a location, memberships. Other apps may call these."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from tuangou.core.api import get_in_shop
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.geo import bounding_box, distance_m
from tuangou.core.i18n import pick

from .hooks import leader_stats
from .models import Leader, LeaderApplication, LeaderEvent, Membership, PickupPoint, RecruitmentPlan, Region, Team

# A shop without a spacing rule still shows reviewers the nearest point within this radius.
NEARBY_INFO_RADIUS_M = 3000


_t = pick


NEARBY_FIRST_RING_M = 1000


def normalize_community(name: str) -> str:
    """One spelling per community: "阳光花园 " and " 阳光花园" are the same 小区."""
    return " ".join((name or "").split())


def leader_profile_part(*, user) -> dict:
    """The shops a person leads in (part of their profile)."""
    leaders = Leader.objects.filter(user=user).select_related("shop").order_by("shop_id")
    return {
        "leader_of": [
            {"shop_id": leader.shop_id, "shop_name": leader.shop.name, "leader_id": leader.id, "status": leader.status}
            for leader in leaders
        ]
    }


# --- recruitment ------------------------------------------------------------------------


def recruitment_plan_link(plan: RecruitmentPlan) -> str:
    """The H5 page the plan's QR code carries."""
    return f"{settings.SITE_URL}/h5/recruit/{plan.shop_id}/{plan.public_token}"


def recruitment_plan_public(*, shop, public_token: str | None = None) -> RecruitmentPlan:
    """The shop's published plan (by its link token when given); unpublished or wrong token -> 404."""
    plans = RecruitmentPlan.objects.filter(shop=shop, is_published=True)
    if public_token is not None:
        plans = plans.filter(public_token=public_token)
    plan = plans.order_by("id").first()
    if plan is None:
        raise NotFound("招募计划", "Recruitment plan")
    return plan


# --- application checks -----------------------------------------------------------------


def _holding_points(shop):
    """Pickup points whose leader still holds the community: anyone not cleared out
    (a suspended leader may be reactivated, so their community stays taken)."""
    return PickupPoint.objects.filter(shop=shop).exclude(leader__status=Leader.Status.CLEARED)


def community_holder(*, shop, community: str, exclude_leader_id: int | None = None) -> PickupPoint | None:
    points = _holding_points(shop).filter(community=normalize_community(community)).select_related("leader")
    if exclude_leader_id is not None:
        points = points.exclude(leader_id=exclude_leader_id)
    return points.order_by("id").first()


def application_checks_evaluate(*, shop, candidates: list[dict]) -> list[dict]:
    """The shop's thresholds checked against each candidate (community, lat, lng, households,
    referral_code), with today's facts. A fixed number of queries for any number of candidates.

    Returns, per candidate, {households, one_per_community, distance, referral}: each {ok, detail, ...}.
    """
    if not candidates:
        return []
    communities = {normalize_community(c["community"]) for c in candidates}
    held = {
        point.community: point
        for point in _holding_points(shop).filter(community__in=communities).select_related("leader").order_by("-id")
    }
    codes = {(c.get("referral_code") or "").strip().upper() for c in candidates} - {""}
    referrers = {leader.referral_code: leader for leader in Leader.objects.filter(shop=shop, referral_code__in=codes)}

    rule_m = shop.min_distance_between_points_m
    radius_m = max(rule_m, NEARBY_INFO_RADIUS_M)
    boxes = Q()
    for c in candidates:
        lat_min, lat_max, lng_min, lng_max = bounding_box(c["lat"], c["lng"], radius_m)
        boxes |= Q(lat__gte=lat_min, lat__lte=lat_max, lng__gte=lng_min, lng__lte=lng_max)
    nearby_points = list(
        _holding_points(shop).filter(is_active=True).filter(boxes).values("id", "name", "community", "lat", "lng")
    )

    results = []
    for c in candidates:
        community = normalize_community(c["community"])
        households = int(c["households"])
        checks = {
            "households": {
                "ok": households >= shop.min_households,
                "detail": _t(
                    f"小区{households}户，要求不少于{shop.min_households}户",
                    f"{households} households; at least {shop.min_households} required",
                ),
                "value": households,
                "required": shop.min_households,
            },
        }
        holder = held.get(community)
        if not shop.one_leader_per_community:
            checks["one_per_community"] = {
                "ok": True,
                "detail": _t("未启用“一个小区一名团长”", "One leader per community is not enforced"),
            }
        elif holder is None:
            checks["one_per_community"] = {
                "ok": True,
                "detail": _t("该小区暂无团长", "No leader in this community yet"),
            }
        else:
            checks["one_per_community"] = {
                "ok": False,
                "detail": _t(
                    f"该小区已有团长（{holder.leader.name}）",
                    f"This community already has a leader ({holder.leader.name})",
                ),
                "leader_id": holder.leader_id,
            }

        nearest = None
        for point in nearby_points:
            metres = distance_m(c["lat"], c["lng"], point["lat"], point["lng"])
            if metres <= radius_m and (nearest is None or metres < nearest[0]):
                nearest = (metres, point)
        distance_check = {"ok": True, "nearest_m": nearest[0] if nearest else None, "required_m": rule_m}
        if nearest is not None and rule_m and nearest[0] < rule_m:
            distance_check["ok"] = False
        if nearest is None:
            distance_check["detail"] = _t(f"{radius_m}米内没有其他自提点", f"No other pickup point within {radius_m} m")
        else:
            metres, point = nearest
            distance_check["detail"] = _t(
                f"最近的自提点「{point['name']}」相距{metres}米" + (f"，要求不少于{rule_m}米" if rule_m else ""),
                f"Nearest pickup point '{point['name']}' is {metres} m away"
                + (f"; at least {rule_m} m required" if rule_m else ""),
            )
        checks["distance"] = distance_check

        code = (c.get("referral_code") or "").strip().upper()
        referrer = referrers.get(code)
        if not code:
            checks["referral"] = {"ok": True, "detail": _t("未填写推荐码", "No referral code")}
        elif referrer is None:
            checks["referral"] = {
                "ok": False,
                "detail": _t(f"推荐码{code}不存在", f"Referral code {code} does not exist"),
            }
        elif referrer.status == Leader.Status.CLEARED:
            checks["referral"] = {
                "ok": False,
                "detail": _t(f"推荐人{referrer.name}已被清退", f"Referrer {referrer.name} was cleared out"),
                "leader_id": referrer.id,
            }
        else:
            checks["referral"] = {
                "ok": True,
                "detail": _t(f"推荐人：{referrer.name}", f"Referred by {referrer.name}"),
                "leader_id": referrer.id,
            }
        results.append(checks)
    return results


def _application_candidate(application: LeaderApplication) -> dict:
    return {
        "community": application.community,
        "lat": application.lat,
        "lng": application.lng,
        "households": application.households,
        "referral_code": application.referral_code,
    }


def applications_with_current_checks(*, shop, applications: list[LeaderApplication]) -> list[LeaderApplication]:
    """Pending applications get their checks re-evaluated (reviewers see today's facts);
    reviewed ones keep the checks as they stood at review."""
    pending = [a for a in applications if a.status == LeaderApplication.Status.PENDING]
    for application, checks in zip(
        pending, application_checks_evaluate(shop=shop, candidates=[_application_candidate(a) for a in pending])
    ):
        application.checks = checks
    return applications


def applications_for_review(*, shop, status: str | None = None):
    applications = LeaderApplication.objects.filter(shop=shop).select_related("leader").order_by("-id")
    if status:
        applications = applications.filter(status=status)
    return applications


def application_latest_for_user(*, shop, user) -> LeaderApplication | None:
    return LeaderApplication.objects.filter(shop=shop, user=user).select_related("leader").order_by("-id").first()


# --- leaders ------------------------------------------------------------------------------


def leader_for_user(*, shop, user) -> Leader | None:
    """The person's leader row in this shop (active or suspended), or None (never was, or cleared out)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Leader.objects.select_related("pickup_point")
        .filter(shop=shop, user=user)
        .exclude(status=Leader.Status.CLEARED)
        .first()
    )


def count_per_leader(model_queryset, field: str = "leader"):
    return Coalesce(
        Subquery(
            model_queryset.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def period_bounds(
    *, shop, date_from: date | None = None, date_to: date | None = None
) -> tuple[datetime | None, datetime | None]:
    """A period of whole days in the shop's timezone, as [start, end) instants; either side may be open."""
    if date_from and date_to and date_from > date_to:
        raise ApplicationError(
            "validation",
            field="date_to",
            reason="not_before_start",
        )
    tz = ZoneInfo(shop.timezone)
    start = datetime.combine(date_from, time.min, tzinfo=tz) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz) if date_to else None
    return start, end


def in_period(queryset, start, end):
    if start is not None:
        queryset = queryset.filter(created_at__gte=start)
    if end is not None:
        queryset = queryset.filter(created_at__lt=end)
    return queryset


def per_leader(queryset, **aggregate):
    """One aggregate of `queryset` per leader, as a correlated subquery (0 when none)."""
    ((name, expression),) = aggregate.items()
    return Coalesce(
        Subquery(
            queryset.filter(leader=OuterRef("pk"))
            .order_by()
            .values("leader")
            .annotate(**{name: expression})
            .values(name)[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def leaders_with_stats(*, shop, date_from: date | None = None, date_to: date | None = None):
    """Leaders with their performance columns: members bound to them, and over the period (all time
    when open) what the apps above add through the leader_stats hook — orders: distinct buyers,
    orders, GMV (net of refunds), last sale; commissions: commission earned."""
    start, end = period_bounds(shop=shop, date_from=date_from, date_to=date_to)
    return (
        Leader.objects.filter(shop=shop)
        .select_related("shop", "pickup_point", "team", "region", "referred_by")
        .annotate(
            member_count=count_per_leader(Membership.objects.filter(shop=shop)),
            **leader_stats.merged(shop=shop, start=start, end=end),
        )
    )


# Sort keys the console offers; a leading "-" sorts descending. Leaders without a sale sort last.
LEADER_ORDERINGS = (
    "gmv_fen",
    "order_count",
    "member_count",
    "buyer_count",
    "commission_fen",
    "last_order_at",
    "name",
    "created_at",
)


def _leader_ordering(ordering: str | None) -> list:
    if not ordering:
        return ["-id"]
    field = ordering.lstrip("-")
    descending = ordering.startswith("-")
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return [expression, "-id"]


def leaders_list(
    *,
    shop,
    status: str | None = None,
    team_id: int | None = None,
    region_id: int | None = None,
    search: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    ordering: str | None = None,
):
    leaders = leaders_with_stats(shop=shop, date_from=date_from, date_to=date_to)
    if status:
        leaders = leaders.filter(status=status)
    if team_id:
        leaders = leaders.filter(team_id=team_id)
    if region_id:
        leaders = leaders.filter(region_id=region_id)
    search = (search or "").strip()
    if search:
        leaders = leaders.filter(
            Q(name__icontains=search)
            | Q(phone__contains=search)
            | Q(pickup_point__community__icontains=search)
            | Q(pickup_point__name__icontains=search)
        )
    return leaders.order_by(*_leader_ordering(ordering))


def leader_get(*, shop, leader_id: int) -> Leader:
    return get_in_shop(leaders_with_stats(shop=shop), shop, leader_id, thing_zh="团长", thing_en="Leader")


def leader_detail(*, shop, leader_id: int) -> Leader:
    """A leader with its performance, how many leaders it referred, and its latest audit rows."""
    leader = get_in_shop(
        leaders_with_stats(shop=shop).annotate(referral_count=Count("referrals", distinct=True)),
        shop,
        leader_id,
        thing_zh="团长",
        thing_en="Leader",
    )
    leader.recent_events = leader_events(leader=leader)
    return leader


def leader_events(*, leader: Leader, limit: int = 50) -> list[LeaderEvent]:
    return list(
        LeaderEvent.objects.filter(shop_id=leader.shop_id, leader=leader)
        .select_related("actor")
        .order_by("-id")[:limit]
    )


def leader_member_count(*, leader: Leader) -> int:
    return Membership.objects.filter(shop_id=leader.shop_id, leader=leader).count()


def effective_commission_rate_bp(leader: Leader) -> int:
    return (
        leader.commission_rate_bp if leader.commission_rate_bp is not None else leader.shop.default_commission_rate_bp
    )


def teams_list(*, shop):
    return (
        Team.objects.filter(shop=shop)
        .select_related("captain")
        .annotate(member_count=Count("members", filter=~Q(members__status=Leader.Status.CLEARED)))
        .order_by("id")
    )


def team_get(*, shop, team_id: int):
    return get_in_shop(teams_list(shop=shop), shop, team_id, thing_zh="团队", thing_en="Team")


def regions_list(*, shop):
    return (
        Region.objects.filter(shop=shop)
        .select_related("regional_leader")
        .annotate(leader_count=Count("leaders", filter=~Q(leaders__status=Leader.Status.CLEARED)))
        .order_by("id")
    )


def region_get(*, shop, region_id: int):
    return get_in_shop(regions_list(shop=shop), shop, region_id, thing_zh="区域", thing_en="Region")


# --- member side ------------------------------------------------------------------------


def pickup_points_nearby(*, shop, lat, lng, radius_m: int = 5000, limit: int = 20) -> list[dict]:
    """Active pickup points of active leaders within radius_m, nearest first.

    A city has thousands of points within 5 km: searching the whole radius at once reads and
    measures them all. Rings grow instead (1 km, doubling up to radius_m): each bounding box
    narrows rows in SQL (index on shop, lat, lng), the exact distance is measured here on their
    coordinates only, and once `limit` points lie within the ring's radius no point outside it can
    be nearer. Only the points answered are then loaded whole."""
    ring = min(radius_m, NEARBY_FIRST_RING_M)
    while True:
        lat_min, lat_max, lng_min, lng_max = bounding_box(lat, lng, ring)
        candidates = PickupPoint.objects.filter(
            shop=shop,
            is_active=True,
            leader__status=Leader.Status.ACTIVE,
            lat__gte=lat_min,
            lat__lte=lat_max,
            lng__gte=lng_min,
            lng__lte=lng_max,
        ).values_list("id", "lat", "lng")
        found = sorted(
            (metres, point_id)
            for point_id, point_lat, point_lng in candidates
            if (metres := distance_m(lat, lng, point_lat, point_lng)) <= ring
        )
        if len(found) >= limit or ring >= radius_m:
            break
        ring = min(ring * 2, radius_m)
    found = found[:limit]
    points = PickupPoint.objects.select_related("leader").in_bulk([point_id for _, point_id in found])
    return [{"distance_m": metres, "point": points[point_id]} for metres, point_id in found]


def membership_for_user(*, shop, user) -> Membership | None:
    return Membership.objects.select_related("leader", "leader__pickup_point").filter(shop=shop, user=user).first()


__all__ = [
    "application_checks_evaluate",
    "application_latest_for_user",
    "applications_for_review",
    "applications_with_current_checks",
    "community_holder",
    "effective_commission_rate_bp",
    "leader_events",
    "leader_detail",
    "leader_for_user",
    "leader_get",
    "leader_member_count",
    "leaders_list",
    "leaders_with_stats",
    "LEADER_ORDERINGS",
    "period_bounds",
    "membership_for_user",
    "normalize_community",
    "pickup_points_nearby",
    "recruitment_plan_link",
    "recruitment_plan_public",
    "region_get",
    "regions_list",
    "team_get",
    "teams_list",
]
