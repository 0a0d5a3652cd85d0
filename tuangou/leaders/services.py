"""Writes of the leaders app: recruitment plan, applications and their review, leader status,
teams and regions, members binding to a leader.

Thresholds (decided here, shown to applicants on the plan page):
- Hard, refused at submission and nothing stored: households below shop.min_households
  (households_too_few), and — when shop.one_leader_per_community — a community already held
  by a leader who is not cleared out (community_taken). Approval re-checks the community
  under the shop row lock, so two approvals for one community cannot both pass.
- Soft, stored in `checks` for the reviewer: distance to the nearest pickup point against
  shop.min_distance_between_points_m, and whether the referral code exists.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from tuangou.audit.services import audit_record
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.phones import normalize_phone
from tuangou.core.states import StateMachine, event_record
from tuangou.shops.models import Shop

from .hooks import member_joined
from .models import Leader, LeaderApplication, Membership, PickupPoint, RecruitmentPlan, Region, Team
from .selectors import application_checks_evaluate, community_holder, normalize_community

DEFAULT_PLAN = {
    "title": "招募社区团长，在家轻松赚钱",
    "benefits": "0资金、0囤货、0风险；每单享佣金；平台提供培训、宣传物料、营销活动与售后服务。",
    "requirements": "小区户数500户以上；有邻里微信群或便利店/快递点；每个小区只招1名团长。",
}
PLAN_FIELDS = (
    "title",
    "benefits",
    "requirements",
    "referral_reward_fen",
    "referral_gmv_target_fen",
    "referral_window_days",
    "is_published",
)
MAX_COMMISSION_RATE_BP = 5000
LAT_RANGE = (Decimal("3"), Decimal("54"))  # mainland China and its islands, with a margin
LNG_RANGE = (Decimal("73"), Decimal("136"))
BULK_LIMIT = 100


def recruitment_plan_create_default(*, shop) -> RecruitmentPlan:
    return RecruitmentPlan.objects.create(shop=shop, referral_reward_fen=50000, **DEFAULT_PLAN)


@transaction.atomic
def recruitment_plan_ensure(*, shop) -> RecruitmentPlan:
    """The shop's plan; a shop without one gets the default (safe to call twice)."""
    plan = RecruitmentPlan.objects.filter(shop=shop).order_by("id").first()
    if plan is None:
        Shop.objects.select_for_update().filter(pk=shop.pk).first()  # two first calls create one plan
        plan = RecruitmentPlan.objects.filter(shop=shop).order_by("id").first() or recruitment_plan_create_default(
            shop=shop
        )
    return plan


@transaction.atomic
def recruitment_plan_update(*, shop, **fields) -> RecruitmentPlan:
    plan = RecruitmentPlan.objects.select_for_update().filter(pk=recruitment_plan_ensure(shop=shop).pk).get()
    for name in PLAN_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise ApplicationError(
                    "required",
                    field=name,
                )
        setattr(plan, name, value)
    plan.save()
    return plan


def membership_ensure(*, shop, user, leader=None):
    """The person's membership in this shop, created on first contact; the first leader who
    brought them is kept as attribution. Binding to a chosen leader is membership_bind's job."""
    membership, created = Membership.objects.get_or_create(
        shop=shop, user=user, defaults={"leader": leader, "via_leader": leader}
    )
    if created:
        member_joined(shop=shop, user=user)
    elif membership.leader_id is None and leader is not None:
        Membership.objects.filter(pk=membership.pk, leader__isnull=True).update(leader=leader)
        membership.leader = leader
    return membership


@transaction.atomic
def membership_bind(*, shop, user, leader_id: int) -> Membership:
    """A member picks "my leader": only an active leader with an open pickup point."""
    leader = Leader.objects.select_related("pickup_point").filter(shop=shop, pk=leader_id).first()
    if leader is None or leader.status == Leader.Status.CLEARED:
        raise NotFound("团长", "Leader", field="leader_id")
    point = getattr(leader, "pickup_point", None)
    if leader.status != Leader.Status.ACTIVE or point is None or not point.is_active:
        raise ApplicationError("leader_not_active", field="leader_id")
    membership = membership_ensure(shop=shop, user=user, leader=leader)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    membership.leader = leader
    membership.via_leader = membership.via_leader or leader
    membership.save(update_fields=["leader", "via_leader", "updated_at"])
    return membership


# --- applications -----------------------------------------------------------------------


def _coordinate(value, field: str, bounds: tuple[Decimal, Decimal]) -> Decimal:
    number = Decimal(str(value)).quantize(Decimal("0.000001"))
    if not bounds[0] <= number <= bounds[1]:
        raise ApplicationError("validation", field=field, reason="between", low=bounds[0], high=bounds[1])
    return number


def _hard_threshold_errors(shop, checks: dict) -> None:
    if not checks["households"]["ok"]:
        raise ApplicationError("households_too_few", field="households", minimum=shop.min_households)
    if not checks["one_per_community"]["ok"]:
        raise ApplicationError("community_taken", field="community", status=409)


@transaction.atomic
def application_submit(
    *,
    shop,
    user,
    name: str,
    phone: str,
    community: str,
    address: str,
    lat,
    lng,
    households: int,
    reach: str = "",
    referral_code: str = "",
) -> LeaderApplication:
    """A person applies to lead a community. Hard thresholds refuse it outright; the rest is
    recorded in `checks` for the reviewer."""
    from tuangou.accounts.models import User

    # One person's submissions queue here, so two quick taps can't leave two pending applications.
    User.objects.select_for_update().filter(pk=user.pk).first()
    name, community, address = (name or "").strip(), normalize_community(community), (address or "").strip()
    for field, value, label in (
        ("name", name, "person_name"),
        ("community", community, "community"),
        ("address", address, "address"),
    ):
        if not value:
            raise ApplicationError("required", field=field, field_label=label)
    phone = normalize_phone(phone)
    lat = _coordinate(lat, "lat", LAT_RANGE)
    lng = _coordinate(lng, "lng", LNG_RANGE)
    referral_code = (referral_code or "").strip().upper()

    existing = Leader.objects.filter(shop=shop, user=user).first()
    if existing is not None:
        raise ApplicationError(
            "leader_cleared" if existing.status == Leader.Status.CLEARED else "already_leader", status=409
        )
    if LeaderApplication.objects.filter(shop=shop, user=user, status=LeaderApplication.Status.PENDING).exists():
        raise ApplicationError("application_pending", status=409)

    candidate = {
        "community": community,
        "lat": lat,
        "lng": lng,
        "households": households,
        "referral_code": referral_code,
    }
    checks = application_checks_evaluate(shop=shop, candidates=[candidate])[0]
    _hard_threshold_errors(shop, checks)
    return LeaderApplication.objects.create(
        shop=shop,
        user=user,
        name=name,
        phone=phone,
        community=community,
        address=address,
        lat=lat,
        lng=lng,
        households=households,
        reach=(reach or "").strip(),
        referral_code=referral_code,
        checks=checks,
    )


def _locked_pending_application(shop, application_id: int) -> LeaderApplication:
    application = LeaderApplication.objects.select_for_update().filter(shop=shop, pk=application_id).first()
    if application is None:
        raise NotFound("团长申请", "Leader application", field="application_id")
    if application.status != LeaderApplication.Status.PENDING:
        raise ApplicationError("application_state", field="application_id", status=409)
    return application


def _queue_reviewed_notice(application_id: int) -> None:
    """After commit, the applicant is told the decision (leaders.tasks; a rollback tells nobody)."""
    transaction.on_commit(lambda: async_task("tuangou.leaders.tasks.application_reviewed_notify", application_id))


def _check_commission_rate(rate_bp: int | None) -> None:
    if rate_bp is not None and not 0 <= rate_bp <= MAX_COMMISSION_RATE_BP:
        raise ApplicationError("validation", field="commission_rate_bp", reason="between", low=0, high=5000)


@transaction.atomic
def application_approve(
    *,
    shop,
    actor,
    application_id: int,
    commission_rate_bp: int | None = None,
    route: str = "",
    point_name: str = "",
) -> Leader:
    """Approve: the applicant becomes a leader with a pickup point at the applied address.
    commission_rate_bp None = follow the shop's default rate."""
    application = _locked_pending_application(shop, application_id)
    _check_commission_rate(commission_rate_bp)
    # The shop row lock serialises approvals of one shop, so the community check below
    # sees every leader approved before it (two approvals can't both take one community).
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    existing = Leader.objects.filter(shop=shop, user_id=application.user_id).first()
    if existing is not None:
        raise ApplicationError(
            "leader_cleared" if existing.status == Leader.Status.CLEARED else "already_leader",
            field="application_id",
            status=409,
        )
    if shop.one_leader_per_community and community_holder(shop=shop, community=application.community):
        raise ApplicationError("community_taken", field="community", status=409)

    checks = application_checks_evaluate(
        shop=shop,
        candidates=[
            {
                "community": application.community,
                "lat": application.lat,
                "lng": application.lng,
                "households": application.households,
                "referral_code": application.referral_code,
            }
        ],
    )[0]
    referrer = None
    if application.referral_code:
        referrer = (
            Leader.objects.filter(shop=shop, referral_code=application.referral_code)
            .exclude(status=Leader.Status.CLEARED)
            .first()
        )
    leader = Leader.objects.create(
        shop=shop,
        user_id=application.user_id,
        application=application,
        name=application.name,
        phone=application.phone,
        commission_rate_bp=commission_rate_bp,
        referred_by=referrer,
    )
    PickupPoint.objects.create(
        shop=shop,
        leader=leader,
        name=(point_name or "").strip() or f"{application.community}自提点",
        community=application.community,
        address=application.address,
        lat=application.lat,
        lng=application.lng,
        route=(route or "").strip(),
        households=application.households,
    )
    application.status = LeaderApplication.Status.APPROVED
    application.checks = checks
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.save(update_fields=["status", "checks", "reviewed_by", "reviewed_at", "updated_at"])
    _queue_reviewed_notice(application.id)
    event_record(
        leader,
        type="approved",
        to_status=Leader.Status.ACTIVE,
        actor=actor,
        data={
            "application_id": application.id,
            "referred_by": referrer.id if referrer else None,
            "commission_rate_bp": commission_rate_bp,
        },
    )
    return leader


@transaction.atomic
def application_reject(*, shop, actor, application_id: int, reason: str) -> LeaderApplication:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("required", field="reason", field_label="reject_reason")
    application = _locked_pending_application(shop, application_id)
    application.status = LeaderApplication.Status.REJECTED
    application.reject_reason = reason
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at", "updated_at"])
    _queue_reviewed_notice(application.id)
    return application


def applications_bulk_review(
    *, shop, actor, application_ids: list[int], approve: bool, reason: str = "", commission_rate_bp: int | None = None
) -> list[dict]:
    """Approve or reject many applications. Deliberately not one transaction: each application is
    its own (approve/reject are atomic), so one failure (say community_taken) doesn't undo the rest.
    Returns one outcome per id, in the order given."""
    if not approve and not (reason or "").strip():
        raise ApplicationError("required", field="reason", field_label="reject_reason")
    if len(application_ids) > BULK_LIMIT:
        raise ApplicationError("validation", field="application_ids", reason="at_most_per_request", maximum=BULK_LIMIT)
    outcomes = []
    for application_id in dict.fromkeys(application_ids):
        try:
            if approve:
                leader = application_approve(
                    shop=shop, actor=actor, application_id=application_id, commission_rate_bp=commission_rate_bp
                )
                outcomes.append({"application_id": application_id, "ok": True, "leader_id": leader.id})
            else:
                application_reject(shop=shop, actor=actor, application_id=application_id, reason=reason)
                outcomes.append({"application_id": application_id, "ok": True, "leader_id": None})
        except ApplicationError as error:
            outcomes.append(
                {
                    "application_id": application_id,
                    "ok": False,
                    "leader_id": None,
                    "code": error.code,
                    "message": error.message(),
                    "field": error.field,
                }
            )
    done = [outcome["application_id"] for outcome in outcomes if outcome["ok"]]
    after = {"approve": approve, "reason": reason, "done": done, "failed": len(outcomes) - len(done)}
    target = ("leaderapplication", "", f"{len(outcomes)}条团长申请")
    audit_record(shop=shop, actor=actor, action="bulk.applications", target=target, after=after)
    return outcomes


# --- leaders ------------------------------------------------------------------------------


def _locked_leader(shop, leader_id: int) -> Leader:
    leader = Leader.objects.select_for_update().filter(shop=shop, pk=leader_id).first()
    if leader is None:
        raise NotFound("团长", "Leader", field="leader_id")
    return leader


def _in_shop(model, shop, pk, field: str, thing_zh: str, thing_en: str):
    found = model.objects.filter(shop=shop, pk=pk).first()
    if found is None:
        raise NotFound(thing_zh, thing_en, field=field)
    return found


def _vacate_roles(leader: Leader, *, keep_team: Team | None = None) -> dict:
    """A leader leaving a team (or the shop) stops being its captain; cleared leaders stop leading regions."""
    teams = Team.objects.filter(shop_id=leader.shop_id, captain=leader)
    if keep_team is not None:
        teams = teams.exclude(pk=keep_team.pk)
    team_ids = list(teams.values_list("id", flat=True))
    teams.update(captain=None)
    return {"captain_of_removed": team_ids} if team_ids else {}


POINT_FIELDS = ("name", "address", "lat", "lng", "route")


@transaction.atomic
def leader_update(*, shop, actor, leader_id: int, **changes) -> Leader:
    """Edit commission rate (None = shop default), team, region and the pickup point's fields.
    Only the keys given change; each change is recorded (old, new) in one event."""
    leader = _locked_leader(shop, leader_id)
    point = PickupPoint.objects.select_for_update().filter(shop=shop, leader=leader).first()
    changed: dict[str, list] = {}

    if "commission_rate_bp" in changes:
        rate = changes["commission_rate_bp"]
        _check_commission_rate(rate)
        if rate != leader.commission_rate_bp:
            changed["commission_rate_bp"] = [leader.commission_rate_bp, rate]
            leader.commission_rate_bp = rate
    if "team_id" in changes:
        team = _in_shop(Team, shop, changes["team_id"], "team_id", "团队", "Team") if changes["team_id"] else None
        if (team.id if team else None) != leader.team_id:
            changed["team_id"] = [leader.team_id, team.id if team else None]
            changed.update(_vacate_roles(leader))
            leader.team = team
    if "region_id" in changes:
        region = (
            _in_shop(Region, shop, changes["region_id"], "region_id", "区域", "Region")
            if changes["region_id"]
            else None
        )
        if (region.id if region else None) != leader.region_id:
            changed["region_id"] = [leader.region_id, region.id if region else None]
            leader.region = region

    point_changes = {key: changes[key] for key in POINT_FIELDS if key in changes and changes[key] is not None}
    if point_changes:
        if point is None:
            raise NotFound("自提点", "Pickup point", field="pickup_point")
        if "lat" in point_changes:
            point_changes["lat"] = _coordinate(point_changes["lat"], "lat", LAT_RANGE)
        if "lng" in point_changes:
            point_changes["lng"] = _coordinate(point_changes["lng"], "lng", LNG_RANGE)
        for key, value in point_changes.items():
            if isinstance(value, str):
                value = value.strip()
                if not value and key != "route":
                    raise ApplicationError(
                        "required", field=key, field_label={"name": "pickup_point_name", "address": "address"}[key]
                    )
            if getattr(point, key) != value:
                changed[f"pickup_point.{key}"] = [str(getattr(point, key)), str(value)]
                setattr(point, key, value)
        point.save()
    leader.save()
    if changed:
        event_record(
            leader, type="updated", from_status=leader.status, to_status=leader.status, actor=actor, data=changed
        )
    return leader


# action -> (from, to): the leader state machine (approval creates an active leader).
LEADER = StateMachine(
    {
        "suspend": ({Leader.Status.ACTIVE}, Leader.Status.SUSPENDED),
        "reactivate": ({Leader.Status.SUSPENDED, Leader.Status.CLEARED}, Leader.Status.ACTIVE),
        "clear": ({Leader.Status.ACTIVE, Leader.Status.SUSPENDED}, Leader.Status.CLEARED),
    }
)


@transaction.atomic
def leader_change_status(*, shop, actor, leader_id: int, action: str, reason: str) -> Leader:
    """Suspend (may still log in and look, cannot act, hidden from members), reactivate, or clear out
    (pickup point closed, captaincies and regions given up, community freed)."""
    to_status = LEADER.target(action)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("required", field="reason")
    if action == "reactivate":
        # Same lock as approval: the freed community may have been given to someone else meanwhile.
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
    leader = _locked_leader(shop, leader_id)
    LEADER.check(leader, action)
    point = PickupPoint.objects.select_for_update().filter(shop=shop, leader=leader).first()
    data: dict = {"reason": reason}
    if (
        action == "reactivate"
        and leader.status == Leader.Status.CLEARED
        and point is not None
        and shop.one_leader_per_community
    ):
        if community_holder(shop=shop, community=point.community, exclude_leader_id=leader.id):
            raise ApplicationError("community_taken", field="community", status=409)
    if action == "clear":
        data.update(_vacate_roles(leader))
        regions = Region.objects.filter(shop=shop, regional_leader=leader)
        region_ids = list(regions.values_list("id", flat=True))
        regions.update(regional_leader=None)
        if region_ids:
            data["regions_led_removed"] = region_ids
    if point is not None:
        point.is_active = to_status != Leader.Status.CLEARED
        point.save(update_fields=["is_active", "updated_at"])
    LEADER.apply(leader, action, actor=actor, event_type=action, changes={"status_reason": reason}, **data)
    return leader


@transaction.atomic
def leader_pickup_point_update(*, leader: Leader, name: str | None = None, address: str | None = None) -> PickupPoint:
    """The leader corrects their own pickup point's name or address (location stays with the merchant)."""
    point = PickupPoint.objects.select_for_update().filter(shop_id=leader.shop_id, leader=leader).first()
    if point is None:
        raise NotFound("自提点", "Pickup point")
    changed = {}
    for key, value, label in (("name", name, "pickup_point_name"), ("address", address, "address")):
        if value is None:
            continue
        value = value.strip()
        if not value:
            raise ApplicationError("required", field=key, field_label=label)
        if value != getattr(point, key):
            changed[f"pickup_point.{key}"] = [getattr(point, key), value]
            setattr(point, key, value)
    if changed:
        point.save()
        event_record(
            leader, type="updated", from_status=leader.status, to_status=leader.status, actor=leader.user, data=changed
        )
    return point


# --- teams and regions ------------------------------------------------------------------


def _captain_for(shop, team: Team, captain_id: int) -> Leader:
    """The captain must be a (not cleared) leader of this team; one in no team joins it."""
    captain = (
        Leader.objects.select_for_update()
        .filter(shop=shop, pk=captain_id)
        .exclude(status=Leader.Status.CLEARED)
        .first()
    )
    if captain is None:
        raise NotFound("团长", "Leader", field="captain_id")
    if captain.team_id is None:
        captain.team = team
        captain.save(update_fields=["team", "updated_at"])
    elif captain.team_id != team.id:
        raise ApplicationError("captain_not_in_team", field="captain_id")
    return captain


def _required_name(name: str, label: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("required", field="name", field_label=label)
    return name


@transaction.atomic
def team_create(*, shop, name: str, captain_id: int | None = None) -> Team:
    team = Team.objects.create(shop=shop, name=_required_name(name, "team_name"))
    if captain_id:
        team.captain = _captain_for(shop, team, captain_id)
        team.save(update_fields=["captain", "updated_at"])
    return team


@transaction.atomic
def team_update(*, shop, team_id: int, **changes) -> Team:
    team = Team.objects.select_for_update().filter(shop=shop, pk=team_id).first()
    if team is None:
        raise NotFound("团队", "Team", field="team_id")
    if changes.get("name") is not None:
        team.name = _required_name(changes["name"], "team_name")
    if "captain_id" in changes:
        team.captain = _captain_for(shop, team, changes["captain_id"]) if changes["captain_id"] else None
    team.save()
    return team


@transaction.atomic
def team_delete(*, shop, team_id: int) -> None:
    """Its leaders stay, without a team."""
    deleted, _ = Team.objects.filter(shop=shop, pk=team_id).delete()
    if not deleted:
        raise NotFound("团队", "Team", field="team_id")


def _regional_leader(shop, leader_id: int) -> Leader:
    leader = Leader.objects.filter(shop=shop, pk=leader_id, status=Leader.Status.ACTIVE).first()
    if leader is None:
        raise NotFound("团长", "Leader", field="regional_leader_id")
    return leader


@transaction.atomic
def region_create(*, shop, name: str, regional_leader_id: int | None = None) -> Region:
    leader = _regional_leader(shop, regional_leader_id) if regional_leader_id else None
    return Region.objects.create(shop=shop, name=_required_name(name, "region_name"), regional_leader=leader)


@transaction.atomic
def region_update(*, shop, region_id: int, **changes) -> Region:
    region = Region.objects.select_for_update().filter(shop=shop, pk=region_id).first()
    if region is None:
        raise NotFound("区域", "Region", field="region_id")
    if changes.get("name") is not None:
        region.name = _required_name(changes["name"], "region_name")
    if "regional_leader_id" in changes:
        region.regional_leader = (
            _regional_leader(shop, changes["regional_leader_id"]) if changes["regional_leader_id"] else None
        )
    region.save()
    return region


@transaction.atomic
def region_delete(*, shop, region_id: int) -> None:
    """Its leaders stay, without a region."""
    deleted, _ = Region.objects.filter(shop=shop, pk=region_id).delete()
    if not deleted:
        raise NotFound("区域", "Region", field="region_id")
