from ninja import Path, Router

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.shops.access import access_shop_as_staff

from . import selectors
from .schemas import DashboardDays, DashboardOut

console_router = Router(tags=["console: insights"], auth=AUTH)


@console_router.get(
    "/dashboard", response=DashboardOut, summary="Dashboard: GMV, orders, members, leaders; series and tops"
)
def get_dashboard(request, shop_id: Path[Id], days: DashboardDays = DashboardDays.WEEK):
    staff = access_shop_as_staff(request, shop_id, "dashboard.view")
    return selectors.dashboard_get(shop=staff.shop, days=int(days))
