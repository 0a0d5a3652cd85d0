"""Reads of leader feedback, each scoped to its shop (and, for a leader, to their own)."""

from django.db.models import Count

from tuangou.core.api import get_in_shop

from .models import Feedback


def _listed(rows):
    return rows.select_related("leader", "product").annotate(
        photo_count=Count("photos", distinct=True), reply_count=Count("replies", distinct=True)
    )


def feedback_list(*, shop, status=None, kind=None, leader_id=None):
    rows = Feedback.objects.filter(shop=shop)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if leader_id:
        rows = rows.filter(leader_id=leader_id)
    return _listed(rows).order_by("-id")


def feedback_counts(*, shop) -> dict:
    counts = dict(Feedback.objects.filter(shop=shop).values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in Feedback.Status.values}


def feedback_get(*, shop, feedback_id: int, leader=None) -> Feedback:
    rows = Feedback.objects.select_related("leader", "product")
    if leader is not None:
        rows = rows.filter(leader=leader)
    return get_in_shop(rows, shop, feedback_id, thing_zh="反馈", thing_en="Feedback")


def feedback_of_leader(*, leader):
    return _listed(Feedback.objects.filter(shop=leader.shop, leader=leader)).order_by("-id")
