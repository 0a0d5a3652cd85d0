"""Which gateway a shop's payment goes through, and with whose credentials: the shop's own
payment settings (ShopPaymentSettings) where it has them, else the platform's (settings.WECHATPAY /
ALIPAY, settings.PAYMENT_PROVIDER) — so a shop that never opened 支付设置 pays as before.

Providers get a plain config dict (the shape of settings.WECHATPAY / ALIPAY) with the shop's
secrets decrypted only here, at the moment a provider is built.
"""

from django.conf import settings

from tuangou.core.errors import ApplicationError

from . import secret_box
from .models import ShopPaymentSettings

S = ShopPaymentSettings


def payment_settings_of(shop_id: int) -> ShopPaymentSettings | None:
    return ShopPaymentSettings.objects.filter(shop_id=shop_id).first()


def provider_name_for(*, shop_id: int, channel: str = "h5") -> str:
    """The gateway a new payment of this shop opens at: with both WeChat Pay and Alipay, WeChat
    Pay inside WeChat's browser (channel jsapi), in the mini-program and for a desk QR code
    (native), Alipay for the redirect outside WeChat (h5)."""
    row = payment_settings_of(shop_id)
    choice = row.provider if row is not None else S.Provider.PLATFORM
    if choice == S.Provider.PLATFORM:
        return settings.PAYMENT_PROVIDER
    if choice == S.Provider.WECHATPAY_ALIPAY:
        return "alipay" if channel == "h5" else "wechatpay"  # a QR / mini-program is WeChat Pay
    return choice


def providers_of(shop_id: int) -> list[str]:
    """Every gateway a shop takes money through (both, when it runs WeChat Pay and Alipay)."""
    row = payment_settings_of(shop_id)
    choice = row.provider if row is not None else S.Provider.PLATFORM
    if choice == S.Provider.PLATFORM:
        return [settings.PAYMENT_PROVIDER]
    if choice == S.Provider.WECHATPAY_ALIPAY:
        return ["wechatpay", "alipay"]
    return [choice]


def partner_available() -> bool:
    """The platform is a WeChat Pay service provider (服务商) its shops can be sub-merchants of."""
    config = settings.WECHATPAY
    return config.get("MODE") == "partner" and bool(config.get("MCHID") and config.get("MERCHANT_PRIVATE_KEY"))


def _secret(row: ShopPaymentSettings, field: str) -> str:
    try:
        return secret_box.decrypt(getattr(row, field))
    except secret_box.SecretUnreadable:
        raise ApplicationError("payment_secret_unreadable", status=409) from None


def wechatpay_config(shop_id: int | None, row: ShopPaymentSettings | None = None) -> dict:
    platform = settings.WECHATPAY
    row = row if row is not None else (payment_settings_of(shop_id) if shop_id is not None else None)
    if row is None:
        return platform
    if row.wechatpay_mode == S.WechatpayMode.PARTNER and row.wechatpay_sub_mchid:
        if not partner_available():
            raise ApplicationError("wechatpay_partner_unavailable", field="wechatpay_mode", status=409)
        return {
            **platform,
            "SUB_MCHIDS": {str(row.shop_id): row.wechatpay_sub_mchid},
            "SUB_APPIDS": {str(row.shop_id): row.wechatpay_sub_appid} if row.wechatpay_sub_appid else {},
        }
    if row.wechatpay_mode == S.WechatpayMode.DIRECT and row.wechatpay_mchid:
        return {
            **platform,
            "MODE": "direct",
            "MCHID": row.wechatpay_mchid,
            "APPID": row.wechatpay_appid,
            "MERCHANT_SERIAL": row.wechatpay_merchant_serial,
            "MERCHANT_PRIVATE_KEY": _secret(row, "wechatpay_private_key_encrypted"),
            "APIV3_KEY": _secret(row, "wechatpay_apiv3_key_encrypted"),
            "PLATFORM_KEYS": dict(row.wechatpay_platform_keys or {}),
            "SUB_MCHIDS": {},
            "SUB_APPIDS": {},
        }
    return platform


def alipay_config(shop_id: int | None, row: ShopPaymentSettings | None = None) -> dict:
    platform = settings.ALIPAY
    row = row if row is not None else (payment_settings_of(shop_id) if shop_id is not None else None)
    if row is None or not row.alipay_app_id:
        return platform
    return {
        **platform,
        "APP_ID": row.alipay_app_id,
        "SELLER_ID": row.alipay_seller_id,
        "APP_PRIVATE_KEY": _secret(row, "alipay_private_key_encrypted"),
        "ALIPAY_PUBLIC_KEY": row.alipay_public_key,
    }


CONFIGS = {"wechatpay": wechatpay_config, "alipay": alipay_config}
