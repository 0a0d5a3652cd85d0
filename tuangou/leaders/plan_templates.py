"""Starting texts for the recruitment plan (后台模板一键套用), one per leader profile the brochure
recommends: stay-at-home mums, convenience-store owners, parcel pick-up points.

The requirements are filled in from the shop's own thresholds so the page never promises
something the review will refuse.
"""

_SUPPORTS = "四大支持：技能培训、宣传物料、营销活动、售后服务，商家全程负责。"
_NO_RISK = "0资金、0囤货、0风险：以销定采，团员下单后商家配送到自提点，不用垫钱、不压货。"

TEMPLATES = [
    {
        "key": "mom",
        "name": "宝妈副业版",
        "title": "宝妈副业首选：在家带娃也能当团长赚钱",
        "benefits": (
            f"{_NO_RISK}\n"
            "时间自由：接送孩子、做家务的间隙，在小区群里转发团购就能赚佣金，不限时间地点。\n"
            "原产地直发，品质有保证，邻居买得放心，您推荐得安心。\n"
            f"{_SUPPORTS}\n"
            "{referral}"
        ),
        "requirements": (
            "{households}\n"
            "在小区有一定人缘，愿意建立并维护邻里微信群；\n"
            "每天能抽出1小时转发团购、通知提货；\n"
            "家中有可供邻居自提的空间（楼下、门口均可）。\n"
            "{one_per_community}"
        ),
    },
    {
        "key": "store",
        "name": "便利店店主版",
        "title": "便利店店主加盟团长：门店变自提点，客流翻倍",
        "benefits": (
            f"{_NO_RISK}\n"
            "团员到店自提，顺手带走店里的商品，增加现场消费机会。\n"
            "每单享佣金，销量越高收入越高；业绩优秀可晋升区域团长，管理多个社区。\n"
            f"{_SUPPORTS}\n"
            "{referral}"
        ),
        "requirements": (
            "{households}\n"
            "小区内或小区门口有正常营业的便利店/社区店；\n"
            "店内有存放团购商品的位置，营业时间内可供提货；\n"
            "{one_per_community}"
        ),
    },
    {
        "key": "parcel",
        "name": "快递代收点版",
        "title": "快递代收点升级团购自提点：原有客流，多一份收入",
        "benefits": (
            f"{_NO_RISK}\n"
            "代收点本来就有自提属性，和业主接触多，团购提货顺带完成，不增加工作量。\n"
            "扫码核销提货，系统自动生成分拣单，轻松管理。\n"
            f"{_SUPPORTS}\n"
            "{referral}"
        ),
        "requirements": (
            "{households}\n"
            "经营快递代收点/驿站，有固定场地和营业时间；\n"
            "愿意在代收点张贴团购二维码，邀请业主入群；\n"
            "{one_per_community}"
        ),
    },
]


def _yuan(amount_fen: int) -> str:
    yuan, fen = divmod(int(amount_fen), 100)
    return f"{yuan}元" if not fen else f"{yuan}.{fen:02d}元"


def _fill(text: str, *, shop, referral_reward_fen: int, referral_gmv_target_fen: int, referral_window_days: int) -> str:
    if referral_reward_fen:
        referral = (
            f"邀请好友成为团长：新团长{referral_window_days}天内交易额达到{_yuan(referral_gmv_target_fen)}，"
            f"推荐人可获得{_yuan(referral_reward_fen)}现金奖励。"
        )
    else:
        referral = "邀请好友成为团长，审核通过有奖励。"
    households = f"所在小区{shop.min_households}户以上；" if shop.min_households else "小区规模不限；"
    one_per_community = "每个小区只招1名团长，先到先得。" if shop.one_leader_per_community else ""
    return text.format(referral=referral, households=households, one_per_community=one_per_community).strip()


def templates_for_shop(
    *, shop, referral_reward_fen: int = 50000, referral_gmv_target_fen: int = 500000, referral_window_days: int = 60
) -> list[dict]:
    numbers = {
        "referral_reward_fen": referral_reward_fen,
        "referral_gmv_target_fen": referral_gmv_target_fen,
        "referral_window_days": referral_window_days,
    }
    return [
        {
            "key": template["key"],
            "name": template["name"],
            "title": template["title"],
            "benefits": _fill(template["benefits"], shop=shop, **numbers),
            "requirements": _fill(template["requirements"], shop=shop, **numbers),
            **numbers,
        }
        for template in TEMPLATES
    ]
