"""Insights jobs (django-q): safe to run twice."""

from tuangou.shops.models import Shop

from .rollups import rollups_rebuild


def rollups_rebuild_all() -> int:
    """Every active shop's dashboard rollups, rebuilt for the closed days of the last month."""
    rows = 0
    for shop in Shop.objects.filter(status=Shop.Status.ACTIVE).order_by("id"):
        rows += rollups_rebuild(shop=shop)
    return rows
