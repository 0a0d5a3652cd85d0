from .models import RecruitmentPlan

DEFAULT_PLAN = {
    "title": "招募社区团长，在家轻松赚钱",
    "benefits": "0资金、0囤货、0风险；每单享佣金；平台提供培训、宣传物料、营销活动与售后服务。",
    "requirements": "小区户数500户以上；有邻里微信群或便利店/快递点；每个小区只招1名团长。",
}


def recruitment_plan_create_default(*, shop) -> RecruitmentPlan:
    return RecruitmentPlan.objects.create(shop=shop, referral_reward_fen=50000, **DEFAULT_PLAN)
