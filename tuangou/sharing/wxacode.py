"""Mini-program codes (小程序码) beside the H5 QR codes: getwxacodeunlimit makes any number of codes,
each carrying a scene of at most 32 characters that the mini-program page reads on open. A code for a
scene never changes, so each is fetched from WeChat once and kept (WeChat limits the calls a minute)."""

from django.conf import settings
from django.core.cache import cache

from tuangou.accounts import wechat
from tuangou.core.errors import ApplicationError

# The mini-program's pages that open the links (they read the scene: "r<shop>" / "c<shop>.<campaign>[.<leader>]").
RECRUIT_PAGE = "pages/recruit/index"
CAMPAIGN_PAGE = "pages/campaign/index"
CACHE_SECONDS = 30 * 86400
MAX_SCENE = 32


def recruitment_scene(*, shop_id: int) -> str:
    return f"r{shop_id}"


def campaign_scene(*, shop_id: int, campaign_id: int, leader_id: int | None = None) -> str:
    """c<shop>.<campaign>, and .<leader> for a leader's own code (the attribution, like ?leader=)."""
    scene = f"c{shop_id}.{campaign_id}"
    return f"{scene}.{leader_id}" if leader_id else scene


def wxacode_png(*, scene: str, page: str) -> bytes:
    """The code's PNG, from the cache or from WeChat (then cached)."""
    app_id, secret = settings.WECHAT_MINIPROGRAM_APP_ID, settings.WECHAT_MINIPROGRAM_APP_SECRET
    if not app_id or not secret:
        raise ApplicationError("wxacode_not_configured", status=400)
    if not 1 <= len(scene) <= MAX_SCENE:
        raise ValueError(f"a scene has 1 to {MAX_SCENE} characters: {scene!r}")
    key = f"wxacode:{app_id}:{page}:{scene}"
    png = cache.get(key)
    if png is None:
        try:
            png = wechat.wxacode_unlimited(app_id=app_id, secret=secret, scene=scene, page=page)
        except wechat.WechatError:
            raise ApplicationError("wechat_unavailable", status=502) from None
        cache.set(key, png, timeout=CACHE_SECONDS)
    return png
