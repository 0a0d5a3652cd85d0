from datetime import date, datetime
from enum import IntEnum

from ninja import Schema


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
