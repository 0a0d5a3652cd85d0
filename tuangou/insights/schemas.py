from datetime import date, datetime
from enum import IntEnum

from ninja import Field, Schema

from tuangou.core.bounds import Id
from tuangou.core.validation import Text


class DashboardDays(IntEnum):
    """The window of the series and the tops: today, 7 or 30 days up to and including today."""

    TODAY = 1
    WEEK = 7
    MONTH = 30


class DashboardCardOut(Schema):
    days: int  # 1 = today, 7 and 30 = those many days up to and including today
    gmv_fen: int  # paid minus refunded
    orders: int
    paying_members: int
    new_leaders: int


class DashboardDayOut(Schema):
    date: date
    gmv_fen: int
    orders: int


class TopLeaderOut(Schema):
    leader_id: int
    name: str
    pickup_point_name: str
    gmv_fen: int
    orders: int
    members: int


class TopProductOut(Schema):
    product_id: int
    name: str
    quantity: int
    gmv_fen: int
    orders: int


class AcquisitionOut(Schema):
    """0.01元 deals as acquisition cost over the window (insights.selectors.deals_acquisition)."""

    deal_units: int  # deal units sold and kept
    cost_fen: int  # (normal price − deal price) × units
    paid_fen: int  # what members paid for them
    new_members: int  # members whose first paid order held a deal
    cost_per_member_fen: int


class DashboardOut(Schema):
    days: int
    since: datetime
    cards: list[DashboardCardOut]
    series: list[DashboardDayOut]
    top_leaders: list[TopLeaderOut]
    top_products: list[TopProductOut]
    acquisition: AcquisitionOut


class AnalyticsDays(IntEnum):
    """The window of an analysis: 7, 30, 90 or 365 days up to and including today."""

    WEEK = 7
    MONTH = 30
    QUARTER = 90
    YEAR = 365


class MarginRowOut(Schema):
    product_id: int | None = None
    campaign_id: int | None = None
    name: str
    orders: int | None = None  # campaigns only
    quantity: int  # units kept (sold minus refunded)
    revenue_fen: int  # paid minus refunded
    cost_fen: int  # units kept × the SKU's cost
    margin_fen: int
    margin_bp: int | None  # of the revenue, in basis points; null when nothing was kept
    cost_missing: bool  # some units sold have no cost set: the margin is overstated


class MarginsOut(Schema):
    days: int
    total: MarginRowOut
    products: list[MarginRowOut]
    campaigns: list[MarginRowOut]


class CohortOut(Schema):
    month: date
    members: int  # members whose first paid order in the shop was this month
    retention_bp: list[int]  # share of them who paid in month +1, +2, … (basis points)


class RepeatOut(Schema):
    months: int
    since: datetime
    buyers: int  # members who paid in the window
    repeaters: int  # of them, with two paid orders or more
    repeat_bp: int
    cohorts: list[CohortOut]


class IdleLeaderOut(Schema):
    leader_id: int
    name: str
    phone: str
    last_sale_at: datetime | None
    idle_days: int | None  # null: never sold
    gmv_before_fen: int  # in the 30 days before they went quiet
    nudged_today: bool


class NudgeIn(Schema):
    leader_ids: list[Id] = Field(..., min_length=1, max_length=200)
    text: Text = Field(..., min_length=1, max_length=500)


class NudgeOut(Schema):
    sent: int


class PickupPointRowOut(Schema):
    pickup_point_id: int
    name: str
    orders: int  # orders whose goods arrived at the point in the window
    picked_up: int
    pickup_bp: int
    median_hours: float | None  # from arrival to pickup
    max_hours: float | None


class ForecastItemOut(Schema):
    campaign_item_id: int
    sku_id: int
    product_name: str
    spec: str
    sold: int  # paid so far
    forecast: int | None  # expected at the cut-off; null when it is too early to say
    low: int | None
    high: int | None
    stock_bound: bool  # the forecast reaches the stock: it will sell out


class BacktestPointOut(Schema):
    elapsed_bp: int  # replayed at this share of the window
    campaigns: int
    wape_bp: int | None  # Σ|forecast − sold| ÷ Σ sold over SKUs, in basis points


class ForecastOut(Schema):
    campaign_id: int
    elapsed_bp: int  # share of the selling window gone
    method: str  # history | linear | final | too_early
    history: int  # past campaigns that gave the shape
    items: list[ForecastItemOut]
    accuracy: list[BacktestPointOut]
