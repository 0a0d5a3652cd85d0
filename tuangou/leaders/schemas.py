from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from tuangou.core.bounds import NOT_A_BOOLEAN, Id, Int
from tuangou.core.phones import mask_phone
from tuangou.core.validation import Name, Text

from .selectors import LEADER_ORDERINGS, effective_commission_rate_bp, recruitment_plan_link

# --- recruitment --------------------------------------------------------------------------


class RecruitmentPlanIn(Schema):
    title: Name = Field(..., min_length=1, max_length=60)
    benefits: Text = Field(..., min_length=1, max_length=5000)
    requirements: Text = Field(..., min_length=1, max_length=5000)
    referral_reward_fen: Int = Field(..., ge=0, le=10_000_000)
    referral_gmv_target_fen: Int = Field(..., ge=0, le=1_000_000_000)
    referral_window_days: Int = Field(..., ge=1, le=365)
    is_published: bool = True


class RecruitmentPlanOut(Schema):
    id: int
    title: str
    benefits: str
    requirements: str
    referral_reward_fen: int
    referral_gmv_target_fen: int
    referral_window_days: int
    is_published: bool
    public_token: str
    link_url: str
    updated_at: datetime

    @staticmethod
    def resolve_link_url(plan) -> str:
        return recruitment_plan_link(plan)


class PlanTemplateOut(Schema):
    key: str
    name: str
    title: str
    benefits: str
    requirements: str
    referral_reward_fen: int
    referral_gmv_target_fen: int
    referral_window_days: int


class RecruitmentPublicOut(Schema):
    """The plan page the QR code opens, with the thresholds the application form will be checked against."""

    shop_id: int
    shop_name: str
    title: str
    benefits: str
    requirements: str
    referral_reward_fen: int
    referral_gmv_target_fen: int
    referral_window_days: int
    public_token: str
    link_url: str
    min_households: int
    one_leader_per_community: bool

    @staticmethod
    def resolve_shop_name(plan) -> str:
        return plan.shop.name

    @staticmethod
    def resolve_link_url(plan) -> str:
        return recruitment_plan_link(plan)

    @staticmethod
    def resolve_min_households(plan) -> int:
        return plan.shop.min_households

    @staticmethod
    def resolve_one_leader_per_community(plan) -> bool:
        return plan.shop.one_leader_per_community


# --- applications ---------------------------------------------------------------------------


class LeaderApplicationIn(Schema):
    name: Name = Field(..., min_length=1, max_length=30)
    phone: Name = Field(..., max_length=20)
    community: Name = Field(..., min_length=1, max_length=60)
    address: Name = Field(..., min_length=1, max_length=200)
    lat: float = Field(..., ge=3, le=54, description="GCJ-02/WGS-84 latitude; China only")
    lng: float = Field(..., ge=73, le=136)
    households: Int = Field(..., ge=0, le=100_000)
    reach: Text = Field("", max_length=200, description="How they reach neighbours: 微信群, 便利店, 快递点 ...")
    referral_code: Name = Field("", max_length=20)


class LeaderApplicationOut(Schema):
    """For reviewers. `checks` of a pending application are evaluated at read time."""

    id: int
    user_id: int
    name: str
    phone: str
    community: str
    address: str
    lat: float
    lng: float
    households: int
    reach: str
    referral_code: str
    status: str
    status_label: str
    checks: dict[str, dict[str, Any]]
    reject_reason: str
    reviewed_at: datetime | None
    created_at: datetime
    leader_id: int | None

    @staticmethod
    def resolve_status_label(application) -> str:
        return application.get_status_display()

    @staticmethod
    def resolve_leader_id(application) -> int | None:
        leader = getattr(application, "leader", None)
        return leader.id if leader else None


class MyApplicationOut(Schema):
    """The applicant's own view: where their application stands, and why if rejected."""

    id: int
    name: str
    community: str
    address: str
    households: int
    status: str
    status_label: str
    reject_reason: str
    created_at: datetime
    reviewed_at: datetime | None
    leader_id: int | None

    @staticmethod
    def resolve_status_label(application) -> str:
        return application.get_status_display()

    @staticmethod
    def resolve_leader_id(application) -> int | None:
        leader = getattr(application, "leader", None)
        return leader.id if leader else None


class ApproveIn(Schema):
    commission_rate_bp: Annotated[int, Field(ge=0, le=5000), NOT_A_BOOLEAN] | None = Field(
        None, description="None = the shop's default rate"
    )
    route: Name = Field("", max_length=40)
    point_name: Name = Field("", max_length=60, description="Pickup point name; default 「小区」自提点")


class RejectIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=200)


class BulkApproveIn(Schema):
    application_ids: list[Id] = Field(..., min_length=1, max_length=100)
    commission_rate_bp: Annotated[int, Field(ge=0, le=5000), NOT_A_BOOLEAN] | None = None


class BulkRejectIn(Schema):
    application_ids: list[Id] = Field(..., min_length=1, max_length=100)
    reason: Text = Field(..., min_length=1, max_length=200)


class BulkOutcomeOut(Schema):
    application_id: int
    ok: bool
    leader_id: int | None = None
    code: str | None = None
    message: str | None = None
    field: str | None = None


# --- leaders ------------------------------------------------------------------------------


class PickupPointOut(Schema):
    id: int
    name: str
    community: str
    address: str
    lat: float
    lng: float
    route: str
    households: int
    is_active: bool


class LeaderOut(Schema):
    id: int
    user_id: int
    name: str
    phone: str
    status: str
    status_label: str
    status_reason: str
    commission_rate_bp: int | None
    effective_commission_rate_bp: int
    referral_code: str
    referred_by_id: int | None
    referred_by_name: str | None
    team_id: int | None
    team_name: str | None
    region_id: int | None
    region_name: str | None
    pickup_point: PickupPointOut | None
    member_count: int  # bound to this leader now
    # Over the requested period (all time without one):
    buyer_count: int
    order_count: int
    gmv_fen: int
    commission_fen: int
    last_order_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_status_label(leader) -> str:
        return leader.get_status_display()

    @staticmethod
    def resolve_effective_commission_rate_bp(leader) -> int:
        return effective_commission_rate_bp(leader)

    @staticmethod
    def resolve_referred_by_name(leader) -> str | None:
        return leader.referred_by.name if leader.referred_by_id else None

    @staticmethod
    def resolve_team_name(leader) -> str | None:
        return leader.team.name if leader.team_id else None

    @staticmethod
    def resolve_region_name(leader) -> str | None:
        return leader.region.name if leader.region_id else None

    @staticmethod
    def resolve_pickup_point(leader):
        return getattr(leader, "pickup_point", None)


class LeaderEventOut(Schema):
    id: int
    type: str
    from_status: str
    to_status: str
    actor_name: str | None
    data: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_actor_name(event) -> str | None:
        return event.actor.name if event.actor_id else None


class LeaderDetailOut(LeaderOut):
    referral_count: int
    events: list[LeaderEventOut]  # latest first

    @staticmethod
    def resolve_events(leader) -> list:
        return leader.recent_events


class LeaderPatchIn(Schema):
    """Only the keys sent change; commission_rate_bp / team_id / region_id accept null to clear."""

    commission_rate_bp: Annotated[int, Field(ge=0, le=5000), NOT_A_BOOLEAN] | None = None
    team_id: Id | None = None
    region_id: Id | None = None
    name: Name | None = Field(None, min_length=1, max_length=60, description="Pickup point name")
    address: Name | None = Field(None, min_length=1, max_length=200)
    lat: float | None = Field(None, ge=3, le=54)
    lng: float | None = Field(None, ge=73, le=136)
    route: Name | None = Field(None, max_length=40)


LeaderOrdering = Literal[tuple(name for field in LEADER_ORDERINGS for name in (field, f"-{field}"))]


class LeaderListQuery(Schema):
    """Filters of the leaders list and its Excel export; the period bounds the performance columns."""

    status: Literal["active", "suspended", "cleared"] | None = None
    team_id: Id | None = None
    region_id: Id | None = None
    search: Name = Field("", max_length=60)
    date_from: date | None = None
    date_to: date | None = None
    ordering: LeaderOrdering | None = None  # type: ignore[valid-type]


class LeaderStatusIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=200)


class TeamIn(Schema):
    name: Name = Field(..., min_length=1, max_length=40)
    captain_id: Id | None = None


class TeamPatch(Schema):
    name: Name | None = Field(None, min_length=1, max_length=40)
    captain_id: Id | None = None


class TeamOut(Schema):
    id: int
    name: str
    captain_id: int | None
    captain_name: str | None
    member_count: int

    @staticmethod
    def resolve_captain_name(team) -> str | None:
        return team.captain.name if team.captain_id else None


class RegionIn(Schema):
    name: Name = Field(..., min_length=1, max_length=40)
    regional_leader_id: Id | None = None


class RegionPatch(Schema):
    name: Name | None = Field(None, min_length=1, max_length=40)
    regional_leader_id: Id | None = None


class RegionOut(Schema):
    id: int
    name: str
    regional_leader_id: int | None
    regional_leader_name: str | None
    leader_count: int

    @staticmethod
    def resolve_regional_leader_name(region) -> str | None:
        return region.regional_leader.name if region.regional_leader_id else None


# --- member side ------------------------------------------------------------------------


def _point_of(obj):
    """Nearby rows come as {"distance_m", "point"}; my-leader passes the point itself."""
    return obj["point"] if isinstance(obj, dict) else obj


class PublicPointOut(Schema):
    """A pickup point as members see it: the leader's phone masked."""

    pickup_point_id: int
    leader_id: int
    community: str
    name: str
    address: str
    lat: float
    lng: float
    route: str
    leader_name: str
    leader_phone: str

    @staticmethod
    def resolve_pickup_point_id(obj) -> int:
        return _point_of(obj).id

    @staticmethod
    def resolve_leader_id(obj) -> int:
        return _point_of(obj).leader_id

    @staticmethod
    def resolve_community(obj) -> str:
        return _point_of(obj).community

    @staticmethod
    def resolve_name(obj) -> str:
        return _point_of(obj).name

    @staticmethod
    def resolve_address(obj) -> str:
        return _point_of(obj).address

    @staticmethod
    def resolve_lat(obj) -> float:
        return _point_of(obj).lat

    @staticmethod
    def resolve_lng(obj) -> float:
        return _point_of(obj).lng

    @staticmethod
    def resolve_route(obj) -> str:
        return _point_of(obj).route

    @staticmethod
    def resolve_leader_name(obj) -> str:
        return _point_of(obj).leader.name

    @staticmethod
    def resolve_leader_phone(obj) -> str:
        return mask_phone(_point_of(obj).leader.phone)


class NearbyQuery(Schema):
    lat: float = Field(..., ge=3, le=54)
    lng: float = Field(..., ge=73, le=136)
    radius_m: int = Field(5000, ge=1, le=50_000)
    limit: int = Field(20, ge=1, le=100)


class NearbyPointOut(PublicPointOut):
    distance_m: int


class MyLeaderIn(Schema):
    leader_id: Id


class MyLeaderOut(PublicPointOut):
    """My chosen leader in this shop and where I pick up; leader_status tells if they are open."""

    leader_status: str

    @staticmethod
    def resolve_leader_status(point) -> str:
        return point.leader.status


# --- leader center ----------------------------------------------------------------------


class LeaderMeOut(Schema):
    id: int
    shop_id: int
    shop_name: str
    name: str
    phone: str
    status: str
    status_label: str
    status_reason: str
    commission_rate_bp: int
    referral_code: str
    referral_link: str
    member_count: int
    team_name: str | None
    region_name: str | None
    pickup_point: PickupPointOut | None


class PickupPointPatchIn(Schema):
    name: Name | None = Field(None, min_length=1, max_length=60)
    address: Name | None = Field(None, min_length=1, max_length=200)


class PlacesQuery(Schema):
    q: Name = Field("", max_length=60)


class PlaceOut(Schema):
    """A place the member can search by name or address, with its coordinates."""

    name: str
    address: str
    lat: float
    lng: float
    source: str  # pickup_point (the shop's own) or the provider (amap)
