from .models import RecruitmentPlan

DEFAULT_PLAN = {
    "title": "招募社区团长，在家轻松赚钱",
    "benefits": "0资金、0囤货、0风险；每单享佣金；平台提供培训、宣传物料、营销活动与售后服务。",
    "requirements": "小区户数500户以上；有邻里微信群或便利店/快递点；每个小区只招1名团长。",
}


def recruitment_plan_create_default(*, shop) -> RecruitmentPlan:
    return RecruitmentPlan.objects.create(shop=shop, referral_reward_fen=50000, **DEFAULT_PLAN)


def membership_ensure(*, shop, user, leader=None):
    """The person's membership in this shop, created on first contact; the first leader who
    brought them is kept as attribution. Binding to a chosen leader is membership_bind's job."""
    from .models import Membership

    membership, created = Membership.objects.get_or_create(
        shop=shop, user=user, defaults={"leader": leader, "via_leader": leader}
    )
    if not created and membership.leader_id is None and leader is not None:
        Membership.objects.filter(pk=membership.pk, leader__isnull=True).update(leader=leader)
        membership.leader = leader
    return membership
