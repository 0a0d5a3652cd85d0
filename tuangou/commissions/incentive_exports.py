"""团长激励 lists as Excel files (openpyxl): the same rows the console shows."""

from zoneinfo import ZoneInfo

from tuangou.core import excel

REFERRAL_STATUS = {"in_progress": "考核中", "rewarded": "已奖励", "expired": "未达标"}


def _local(value, tz) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def workbook(*, title: str, headers: list[str], rows: list[list]) -> bytes:
    return excel.workbook((title, headers, rows))


def referrals_workbook(*, shop, rows: list[dict]) -> bytes:
    tz = ZoneInfo(shop.timezone)
    return workbook(
        title="推荐团长",
        headers=["新团长", "推荐人", "审核通过", "考核截止", "交易额（元）", "目标（元）", "奖励（元）", "状态"],
        rows=[
            [
                row["leader_name"],
                row["referrer_name"],
                _local(row["approved_at"], tz),
                _local(row["deadline"], tz),
                excel.Yuan(row["gmv_fen"]),
                excel.Yuan(row["target_fen"]),
                excel.Yuan(row["reward_fen"]),
                REFERRAL_STATUS[row["status"]],
            ]
            for row in rows
        ],
    )


def leaderboard_workbook(*, board: dict) -> bytes:
    return workbook(
        title=f"团队PK{board['month']:%Y-%m}",
        headers=["名次", "团队", "队长", "团长数", "交易额（元）"],
        rows=[
            [team["rank"], team["team_name"], team["captain_name"], team["member_count"], excel.Yuan(team["gmv_fen"])]
            for team in board["teams"]
        ],
    )


def awards_workbook(*, shop, rows: list[dict]) -> bytes:
    tz = ZoneInfo(shop.timezone)
    return workbook(
        title="激励奖励",
        headers=["时间", "团长", "类型", "金额（元）", "冲回后（元）", "原因", "已结算", "已收回"],
        rows=[
            [
                _local(row["created_at"], tz),
                row["leader_name"],
                row["kind_label"],
                excel.Yuan(row["amount_fen"]),
                excel.Yuan(row["net_fen"]),
                row["reason"],
                "是" if row["is_settled"] else "否",
                "是" if row["is_revoked"] else "否",
            ]
            for row in rows
        ],
    )


def levels_workbook(*, levels) -> bytes:
    return workbook(
        title="团长等级",
        headers=["级别", "名称", "佣金比例", "任务：交易额（元）", "任务：团员数", "任务：提货率", "团长数"],
        rows=[
            [
                level.rank,
                level.name,
                f"{level.commission_rate_bp / 100:g}%",
                excel.Yuan(level.min_gmv_fen),
                level.min_members,
                f"{level.min_pickup_rate_bp / 100:g}%",
                level.leader_count,
            ]
            for level in levels
        ],
    )
