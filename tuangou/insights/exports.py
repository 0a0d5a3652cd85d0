"""经营分析 as one workbook: a sheet per analysis, as the console shows them."""

from zoneinfo import ZoneInfo

from django.utils import timezone

from tuangou.core import excel
from tuangou.core.i18n import pick

from . import analytics


def _percent(bp: int | None) -> str:
    return "" if bp is None else f"{bp / 100:.1f}%"


def _local(value, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if value else ""


def file_name(shop) -> str:
    return f"analytics-{timezone.now().astimezone(ZoneInfo(shop.timezone)):%Y%m%d-%H%M}.xlsx"


def _margin_rows(rows: list[dict], *, campaigns: bool) -> list[list]:
    return [
        [
            row["name"],
            *([row["orders"]] if campaigns else []),
            row["quantity"],
            excel.Yuan(row["revenue_fen"]),
            excel.Yuan(row["cost_fen"]),
            excel.Yuan(row["margin_fen"]),
            _percent(row["margin_bp"]),
            pick("未设置成本", "no cost set") if row["cost_missing"] else "",
        ]
        for row in rows
    ]


def analytics_xlsx(*, shop, days: int) -> bytes:
    margins = analytics.margins(shop=shop, days=days)
    repeat = analytics.repeat_purchase(shop=shop)
    idle = analytics.idle_leaders(shop=shop)
    pickup = analytics.pickup_by_point(shop=shop, days=days)
    money = pick(
        ["销量", "收入", "成本", "毛利", "毛利率", "提示"], ["Units", "Revenue", "Cost", "Margin", "Margin %", "Note"]
    )
    months = max((len(c["retention_bp"]) for c in repeat["cohorts"]), default=0)
    return excel.workbook(
        (pick("商品毛利", "Margin by product"), [pick("商品", "Product"), *money],
         _margin_rows(margins["products"], campaigns=False)),
        (pick("团购毛利", "Margin by campaign"), [pick("团购", "Campaign"), pick("订单", "Orders"), *money],
         _margin_rows(margins["campaigns"], campaigns=True)),
        (
            pick("复购与留存", "Cohorts"),
            [pick("首购月份", "First month"), pick("人数", "Members"),
             *[pick(f"+{k}月", f"+{k} mo") for k in range(1, months + 1)]],
            [[f"{c['month']:%Y-%m}", c["members"], *[_percent(bp) for bp in c["retention_bp"]]]
             for c in repeat["cohorts"]]
            + [[pick("复购率", "Repeat rate"), repeat["buyers"], _percent(repeat["repeat_bp"])]],
        ),
        (
            pick("沉睡团长", "Idle leaders"),
            pick(["团长", "手机号", "最后成交", "未成交天数", "此前30天成交"],
                 ["Leader", "Phone", "Last sale", "Days idle", "GMV the 30 days before"]),
            [[row["name"], row["phone"], _local(row["last_sale_at"], shop.timezone),
              "" if row["idle_days"] is None else row["idle_days"], excel.Yuan(row["gmv_before_fen"])]
             for row in idle],
        ),
        (
            pick("提货", "Pickup"),
            pick(["提货点", "到货订单", "已提货", "提货率", "提货用时中位数（小时）", "最长（小时）"],
                 ["Pickup point", "Orders arrived", "Picked up", "Pickup rate", "Median hours", "Longest hours"]),
            [[row["name"], row["orders"], row["picked_up"], _percent(row["pickup_bp"]),
              "" if row["median_hours"] is None else row["median_hours"],
              "" if row["max_hours"] is None else row["max_hours"]]
             for row in pickup],
        ),
    )  # fmt: skip
