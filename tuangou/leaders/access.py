"""Leader-center access: the caller must be a leader of the shop."""

from tuangou.core.errors import ApplicationError, NotFound
from tuangou.shops.access import access_shop

from .models import Leader


def access_leader(request, shop_id: int, *, write: bool = False) -> Leader:
    """The caller's leader row in this shop. Not a leader (or cleared out) -> 404; a suspended
    leader may still look but not act (write=True) -> leader_not_active."""
    shop = access_shop(shop_id)
    leader = (
        Leader.objects.select_related("shop", "pickup_point")
        .filter(shop=shop, user=request.auth)
        .exclude(status=Leader.Status.CLEARED)
        .first()
    )
    if leader is None:
        raise NotFound("团长", "Leader")
    if write and leader.status != Leader.Status.ACTIVE:
        raise ApplicationError("leader_not_active", status=403)
    request.shop = shop
    request.leader = leader
    return leader
