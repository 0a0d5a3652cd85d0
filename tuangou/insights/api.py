from ninja import Path, Router

from tuangou.campaigns.selectors import campaign_get
from tuangou.core import excel
from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.openapi import XLSX, file_response
from tuangou.shops.access import access_shop_as_staff

from . import analytics, exports, forecast, selectors
from .schemas import (
    AnalyticsDays,
    DashboardDays,
    DashboardOut,
    ForecastOut,
    IdleLeaderOut,
    MarginsOut,
    NudgeIn,
    NudgeOut,
    PickupPointRowOut,
    RepeatOut,
)

console_router = Router(tags=["console: insights"], auth=AUTH)


@console_router.get(
    "/dashboard", response=DashboardOut, summary="Dashboard: GMV, orders, members, leaders; series and tops"
)
def get_dashboard(request, shop_id: Path[Id], days: DashboardDays = DashboardDays.WEEK):
    staff = access_shop_as_staff(request, shop_id, "dashboard.view")
    return selectors.dashboard_get(shop=staff.shop, days=int(days))


# --- 经营分析 (analytics) ------------------------------------------------------------------------


@console_router.get("/analytics/margins", response=MarginsOut, summary="Margin by product and by campaign")
def get_margins(request, shop_id: Path[Id], days: AnalyticsDays = AnalyticsDays.MONTH):
    staff = access_shop_as_staff(request, shop_id, "dashboard.view")
    return analytics.margins(shop=staff.shop, days=int(days))


@console_router.get("/analytics/repeat", response=RepeatOut, summary="Repeat-purchase rate and monthly cohorts")
def get_repeat(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "dashboard.view")
    return analytics.repeat_purchase(shop=staff.shop)


@console_router.get(
    "/analytics/idle-leaders", response=list[IdleLeaderOut], summary="Active leaders with no sale in 14 days"
)
def get_idle_leaders(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return analytics.idle_leaders(shop=staff.shop)


@console_router.post(
    "/analytics/idle-leaders/nudge", response=NudgeOut, summary="Message idle leaders (once a day each)"
)
def nudge_idle_leaders(request, shop_id: Path[Id], payload: NudgeIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    sent = analytics.idle_leaders_nudge(shop=staff.shop, leader_ids=payload.leader_ids, text=payload.text)
    return {"sent": sent}


@console_router.get(
    "/analytics/pickup", response=list[PickupPointRowOut], summary="Pickup rate and time to pickup per point"
)
def get_pickup(request, shop_id: Path[Id], days: AnalyticsDays = AnalyticsDays.MONTH):
    staff = access_shop_as_staff(request, shop_id, "dashboard.view")
    return analytics.pickup_by_point(shop=staff.shop, days=int(days))


@console_router.get(
    "/analytics/export.xlsx",
    summary="Export the analyses (margins, cohorts, idle leaders, pickup)",
    openapi_extra=file_response(XLSX),
)
def export_analytics(request, shop_id: Path[Id], days: AnalyticsDays = AnalyticsDays.MONTH):
    staff = access_shop_as_staff(request, shop_id, "dashboard.view")
    content = exports.analytics_xlsx(shop=staff.shop, days=int(days))
    return excel.xlsx_response(content, ascii_name=exports.file_name(staff.shop), name="经营分析.xlsx")


@console_router.get(
    "/campaigns/{campaign_id}/forecast",
    response=ForecastOut,
    summary="Purchase forecast: each SKU's expected quantity at the cut-off, with a range and its measured error",
)
def get_forecast(request, shop_id: Path[Id], campaign_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    campaign = campaign_get(shop=staff.shop, campaign_id=campaign_id)
    return {
        **forecast.campaign_forecast(campaign=campaign),
        "accuracy": forecast.backtest(shop=staff.shop)["points"],
    }
