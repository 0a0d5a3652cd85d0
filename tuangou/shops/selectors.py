"""Reads of the shops app that other apps may call."""

from .models import Staff
from .permissions import ROLE_PERMISSIONS


def staff_profile_part(*, user) -> dict:
    """The shops a person works in, with their role and permissions (part of their profile)."""
    staff = Staff.objects.filter(user=user, is_active=True).select_related("shop").order_by("shop_id")
    return {
        "staff_of": [
            {
                "shop_id": s.shop_id,
                "shop_name": s.shop.name,
                "role": s.role,
                "permissions": sorted(ROLE_PERMISSIONS[s.role]),
            }
            for s in staff
        ]
    }
