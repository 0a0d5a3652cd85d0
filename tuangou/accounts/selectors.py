from tuangou.leaders.models import Leader
from tuangou.shops.models import Staff
from tuangou.shops.permissions import ROLE_PERMISSIONS


def user_profile(*, user) -> dict:
    staff = Staff.objects.filter(user=user, is_active=True).select_related("shop").order_by("shop_id")
    leaders = Leader.objects.filter(user=user).select_related("shop").order_by("shop_id")
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.name,
        "phone": user.phone,
        "is_platform_operator": user.is_staff,
        "staff_of": [
            {
                "shop_id": s.shop_id,
                "shop_name": s.shop.name,
                "role": s.role,
                "permissions": sorted(ROLE_PERMISSIONS[s.role]),
            }
            for s in staff
        ],
        "leader_of": [
            {"shop_id": leader.shop_id, "shop_name": leader.shop.name, "leader_id": leader.id, "status": leader.status}
            for leader in leaders
        ],
    }
