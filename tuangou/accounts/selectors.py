from .hooks import profile_parts


def user_profile(*, user) -> dict:
    """The person, and what they are in which shop (staff_of from shops, leader_of from leaders,
    through the profile_parts hook)."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.name,
        "phone": user.phone,
        "is_platform_operator": user.is_staff,
        **profile_parts.merged(user=user),
    }
