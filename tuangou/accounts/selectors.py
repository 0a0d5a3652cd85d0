from .hooks import profile_parts
from .models import WechatIdentity


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


def wechat_pending_identity(*, identity_id: int | None) -> WechatIdentity | None:
    """The WeChat identity waiting for its person to verify a phone, if it still waits."""
    if not identity_id:
        return None
    return WechatIdentity.objects.filter(pk=identity_id, user__isnull=True).first()
