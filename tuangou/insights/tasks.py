"""Insights jobs (django-q): safe to run twice."""

from tuangou.shops.models import Shop

from .rollups import rollups_rebuild


def rollups_rebuild_all() -> int:
    """Every active shop's rollups: the dashboard's for the closed days of the last month, 经营分析's
    item rollups for those days and for older days refunded since the run before (rollups.py)."""
    rows = 0
    for shop in Shop.objects.filter(status=Shop.Status.ACTIVE).order_by("id"):
        rows += rollups_rebuild(shop=shop)
    return rows
