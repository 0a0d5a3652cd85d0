"""The console's coupon export: one row per template with its figures (money in 元)."""

import io
from zoneinfo import ZoneInfo

from django.utils import timezone
from openpyxl import Workbook

from tuangou.core import excel
from tuangou.core.i18n import is_english, pick

from .reductions import reduction_label

HEADERS = [
    "名称",
    "类型",
    "状态",
    "门槛",
    "减免",
    "折扣",
    "发行量",
    "已发放",
    "已使用",
    "带动成交",
    "优惠成本",
    "创建时间",
]
HEADERS_EN = [
    "Name", "Type", "Status", "Threshold", "Amount off", "Percent off",
    "Quantity", "Issued", "Used", "GMV", "Cost", "Created",
]  # fmt: skip


def coupon_templates_xlsx(templates, *, tz: str = "Asia/Shanghai") -> bytes:
    zone = ZoneInfo(tz)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(pick("优惠券", "Coupons"))
    sheet.append(HEADERS_EN if is_english() else HEADERS)
    for template in templates:
        sheet.append(
            excel.row(
                sheet,
                [
                    template.name,
                    template.get_kind_display(),
                    template.get_status_display(),
                    excel.Yuan(template.threshold_fen),
                    excel.Yuan(template.reduce_fen),
                    f"{template.percent_off_bp / 100:g}%" if template.percent_off_bp else "",
                    template.total,
                    template.issued,
                    template.used,
                    excel.Yuan(template.gmv_fen),
                    excel.Yuan(template.cost_fen),
                    template.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                ],
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def coupon_templates_file_name(*, tz: str = "Asia/Shanghai") -> str:
    return f"coupons-{timezone.now().astimezone(ZoneInfo(tz)):%Y%m%d-%H%M}.xlsx"


# --- the other 营销 lists: the shared workbook of tuangou.core.excel -------------------------


def _local(value, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if value else ""


def export_file_name(kind: str, *, tz: str = "Asia/Shanghai") -> str:
    return f"{kind}-{timezone.now().astimezone(ZoneInfo(tz)):%Y%m%d-%H%M}.xlsx"


def coupon_packs_xlsx(packs, deliveries, *, tz: str) -> bytes:
    """定向发放: the packs with their progress, then one row per member a pack reached."""
    return excel.workbook(
        (
            pick("定向发放", "Targeted packs"),
            pick(
                ["名称", "优惠券", "每人张数", "发放对象", "状态", "目标人数", "已发放", "未发放", "创建时间", "完成时间"],
                ["Name", "Coupon", "Each", "Members", "Status", "Total", "Delivered", "Not delivered", "Created",
                 "Finished"],
            ),
            [
                [
                    pack.name,
                    pack.template.name,
                    pack.quantity,
                    pack.get_audience_display(),
                    pack.get_status_display(),
                    pack.members_total,
                    pack.delivered,
                    pack.refused,
                    _local(pack.created_at, tz),
                    _local(pack.finished_at, tz),
                ]
                for pack in packs
            ],
        ),
        (
            pick("发放明细", "Deliveries"),
            pick(["券包", "会员", "手机号", "状态", "原因", "时间"],
                 ["Pack", "Member", "Phone", "Status", "Reason", "At"]),
            [
                [
                    delivery.pack.name,
                    delivery.member.display_name,
                    delivery.member.phone or "",
                    delivery.get_status_display(),
                    delivery.reason,
                    _local(delivery.created_at, tz),
                ]
                for delivery in deliveries
            ],
        ),
    )  # fmt: skip


def payment_gifts_xlsx(activities, *, tz: str) -> bytes:
    return excel.workbook(
        (
            pick("支付有礼", "Payment gifts"),
            pick(
                ["名称", "状态", "开始时间", "结束时间", "最低实付", "赠送优惠券", "已赠订单", "创建时间"],
                ["Name", "Status", "Starts", "Ends", "Minimum paid", "Coupons given", "Orders given", "Created"],
            ),
            [
                [
                    activity.name,
                    activity.get_status_display(),
                    _local(activity.starts_at, tz),
                    _local(activity.ends_at, tz),
                    excel.Yuan(activity.min_paid_fen),
                    "、".join(f"{gift['template_name']} × {gift['count']}" for gift in activity.gifts),
                    activity.grants_count,
                    _local(activity.created_at, tz),
                ]
                for activity in activities
            ],
        )
    )


def allotments_xlsx(allotments, *, tz: str) -> bytes:
    return excel.workbook(
        (
            pick("发券宝", "Leader coupons"),
            pick(
                ["优惠券", "团长", "分配张数", "已领取", "已使用", "带动成交", "分配时间"],
                ["Coupon", "Leader", "Allotted", "Claimed", "Used", "GMV", "Allotted at"],
            ),
            [
                [
                    allotment.template.name,
                    allotment.leader.name,
                    allotment.quantity,
                    allotment.claimed,
                    allotment.used,
                    excel.Yuan(allotment.gmv_fen),
                    _local(allotment.created_at, tz),
                ]
                for allotment in allotments
            ],
        )
    )


def full_reductions_xlsx(activities, *, tz: str) -> bytes:
    return excel.workbook(
        (
            pick("满减送", "Spend & save"),
            pick(
                [
                    "名称",
                    "满减档位",
                    "适用范围",
                    "状态",
                    "开始时间",
                    "结束时间",
                    "创建时间",
                    "支付订单",
                    "优惠金额",
                    "带动成交",
                ],
                [
                    "Name",
                    "Tiers",
                    "Applies to",
                    "Status",
                    "Starts",
                    "Ends",
                    "Created",
                    "Paid orders",
                    "Taken off",
                    "GMV",
                ],
            ),
            [
                [
                    activity.name,
                    reduction_label(activity),
                    activity.get_scope_display(),
                    activity.get_status_display(),
                    _local(activity.starts_at, tz),
                    _local(activity.ends_at, tz),
                    _local(activity.created_at, tz),
                    activity.paid_orders,
                    excel.Yuan(activity.reduced_fen),
                    excel.Yuan(activity.gmv_fen),
                ]
                for activity in activities
            ],
        )
    )
