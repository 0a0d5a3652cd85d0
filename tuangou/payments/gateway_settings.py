"""A shop's payment settings (支付设置): what the owner enters, checked and stored with the secrets
encrypted (secret_box); what the console is shown back (never a secret: 已设置, the last 4 of a
serial); and 测试连接 (connection_check.py).

Keys are taken as PEM, or as the bare base64 Alipay's and WeChat's tools print, and stored as
PEM: a provider treats a value without `-----BEGIN` as a file path on our server, so nothing a
shop typed may ever reach it in that form.
"""

import base64
import binascii
import hashlib
import re

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from tuangou.audit.services import audit_record, changes
from tuangou.core.errors import ApplicationError

from . import secret_box
from .credentials import partner_available
from .models import ShopPaymentSettings

S = ShopPaymentSettings
MCHID = re.compile(r"[0-9]{8,12}")
WX_APPID = re.compile(r"wx[0-9a-f]{16}")
SERIAL = re.compile(r"[0-9A-Fa-f]{8,64}")
KEY_ID = re.compile(r"PUB_KEY_ID_[0-9A-Za-z_]{1,60}|[0-9A-Fa-f]{8,64}")
ALIPAY_APP_ID = re.compile(r"[0-9]{16}")
ALIPAY_PID = re.compile(r"2088[0-9]{12}")
APIV3_KEY = re.compile(r"[\x21-\x7e]{32}")

PLAIN_FIELDS = {
    # field: (pattern, reason when it does not match)
    "wechatpay_sub_mchid": (MCHID, "mchid_format"),
    "wechatpay_sub_appid": (WX_APPID, "wx_appid_format"),
    "wechatpay_mchid": (MCHID, "mchid_format"),
    "wechatpay_appid": (WX_APPID, "wx_appid_format"),
    "wechatpay_merchant_serial": (SERIAL, "serial_format"),
    "alipay_app_id": (ALIPAY_APP_ID, "alipay_app_id_format"),
    "alipay_seller_id": (ALIPAY_PID, "alipay_pid_format"),
}
SECRET_FIELDS = {
    "wechatpay_private_key": "wechatpay_private_key_encrypted",
    "wechatpay_apiv3_key": "wechatpay_apiv3_key_encrypted",
    "alipay_private_key": "alipay_private_key_encrypted",
}


def _invalid(field: str, reason: str) -> ApplicationError:
    return ApplicationError("invalid", field=field, reason=reason)


def _der(text: str, field: str, reason: str) -> bytes:
    try:
        return base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(field, reason) from None


def private_key_pem(text: str, field: str) -> str:
    """An RSA private key (PKCS#1 or PKCS#8, PEM or bare base64) as PKCS#8 PEM."""
    text = text.strip()
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = serialization.load_der_private_key(_der(text, field, "pem_private_key"), password=None)
    except (ValueError, TypeError):
        raise _invalid(field, "pem_private_key") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise _invalid(field, "rsa_2048")
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_key_pem(text: str, field: str) -> str:
    """An RSA public key or a certificate (PEM or bare base64 of the key) as PEM."""
    text = text.strip()
    try:
        if "CERTIFICATE" in text:
            certificate = x509.load_pem_x509_certificate(text.encode())
            if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
                raise _invalid(field, "pem_public_key")
            return certificate.public_bytes(serialization.Encoding.PEM).decode()
        if "-----BEGIN" in text:
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = serialization.load_der_public_key(_der(text, field, "pem_public_key"))
    except (ValueError, TypeError):
        raise _invalid(field, "pem_public_key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise _invalid(field, "pem_public_key")
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _platform_keys(entries: list[dict]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for index, entry in enumerate(entries):
        key_id = entry["id"].strip()
        if not KEY_ID.fullmatch(key_id):
            raise _invalid(f"wechatpay_platform_keys.{index}.id", "key_id_format")
        keys[key_id] = public_key_pem(entry["pem"], f"wechatpay_platform_keys.{index}.pem")
    return keys


def _require(row: ShopPaymentSettings, fields: list[str]) -> None:
    for field in fields:
        stored = SECRET_FIELDS.get(field, field)
        if not getattr(row, stored):
            raise ApplicationError("required", field=field)


def _check_complete(row: ShopPaymentSettings) -> None:
    """What the chosen gateway needs is all there (a half-entered merchant would fail at the
    first payment): WeChat Pay partner needs the sub_mchid (and the platform to be a 服务商),
    direct needs every credential; Alipay needs its four."""
    uses_wechatpay = row.provider in (S.Provider.WECHATPAY, S.Provider.WECHATPAY_ALIPAY)
    uses_alipay = row.provider in (S.Provider.ALIPAY, S.Provider.WECHATPAY_ALIPAY)
    if row.wechatpay_mode == S.WechatpayMode.PARTNER:
        if uses_wechatpay:
            _require(row, ["wechatpay_sub_mchid"])
        if row.wechatpay_sub_mchid and not partner_available():
            raise ApplicationError("wechatpay_partner_unavailable", field="wechatpay_mode", status=400)
    elif uses_wechatpay or row.wechatpay_mchid:
        _require(
            row,
            [
                "wechatpay_mchid",
                "wechatpay_appid",
                "wechatpay_merchant_serial",
                "wechatpay_private_key",
                "wechatpay_apiv3_key",
            ],
        )
        if not row.wechatpay_platform_keys:
            raise ApplicationError("required", field="wechatpay_platform_keys")
    if uses_alipay or row.alipay_app_id:
        _require(row, ["alipay_app_id", "alipay_seller_id", "alipay_private_key", "alipay_public_key"])


@transaction.atomic
def payment_settings_update(*, shop, **edits) -> ShopPaymentSettings:
    """Save what the owner changed (None: unchanged; "" clears a field or a secret). Every value
    is checked before anything is written; a refusal names its field and changes nothing."""
    row, _ = ShopPaymentSettings.objects.select_for_update().get_or_create(shop=shop)
    before = _audited(row)
    for field, value in edits.items():
        if value is None:
            continue
        if field in ("provider", "wechatpay_mode"):
            setattr(row, field, value)
        elif field in PLAIN_FIELDS:
            value = value.strip()
            pattern, reason = PLAIN_FIELDS[field]
            if value and not pattern.fullmatch(value):
                raise _invalid(field, reason)
            setattr(row, field, value)
        elif field == "wechatpay_apiv3_key":
            value = value.strip()
            if value and not APIV3_KEY.fullmatch(value):
                raise _invalid(field, "apiv3_key_format")
            row.wechatpay_apiv3_key_encrypted = secret_box.encrypt(value)
        elif field in ("wechatpay_private_key", "alipay_private_key"):
            pem = private_key_pem(value, field) if value.strip() else ""
            setattr(row, SECRET_FIELDS[field], secret_box.encrypt(pem))
        elif field == "alipay_public_key":
            row.alipay_public_key = public_key_pem(value, field) if value.strip() else ""
        elif field == "wechatpay_platform_keys":
            row.wechatpay_platform_keys = _platform_keys(value)
    _check_complete(row)
    row.checked_at, row.check_ok, row.check_message = None, None, ""  # what was tested is no more
    row.save()
    was, now = changes(before, _audited(row))
    if was or now:
        audit_record(shop=shop, actor=None, action="payment.settings", target=row, before=was, after=now)
    return row


def _audited(row: ShopPaymentSettings) -> dict:
    """What the audit log keeps of the settings: the plain fields, and for each secret only a
    fingerprint of its ciphertext's presence and change (a secret never reaches the log)."""
    plain = {field: getattr(row, field) for field in ("provider", "wechatpay_mode", *PLAIN_FIELDS)}
    plain["alipay_public_key"] = "已设置" if row.alipay_public_key else ""
    plain["wechatpay_platform_keys"] = sorted(row.wechatpay_platform_keys or {})
    for field in SECRET_FIELDS.values():
        token = getattr(row, field)
        plain[field] = f"已设置 #{hashlib.sha256(token.encode()).hexdigest()[:8]}" if token else ""
    return plain


def _tail(value: str) -> str:
    return f"…{value[-4:]}" if value else ""


def payment_settings_show(*, shop) -> dict:
    """What the console shows: identifiers, whether each secret is set, never a secret."""
    row = ShopPaymentSettings.objects.filter(shop=shop).first() or ShopPaymentSettings(shop=shop)
    base = settings.WECHATPAY.get("NOTIFY_BASE", settings.SITE_URL).rstrip("/")
    return {
        "provider": row.provider,
        "platform_provider": settings.PAYMENT_PROVIDER,
        "partner_available": partner_available(),
        "wechatpay_mode": row.wechatpay_mode,
        "wechatpay_sub_mchid": row.wechatpay_sub_mchid,
        "wechatpay_sub_appid": row.wechatpay_sub_appid,
        "wechatpay_mchid": row.wechatpay_mchid,
        "wechatpay_appid": row.wechatpay_appid,
        "wechatpay_merchant_serial_tail": _tail(row.wechatpay_merchant_serial),
        "wechatpay_private_key_set": bool(row.wechatpay_private_key_encrypted),
        "wechatpay_apiv3_key_set": bool(row.wechatpay_apiv3_key_encrypted),
        "wechatpay_platform_key_ids": sorted(row.wechatpay_platform_keys or {}),
        "wechatpay_notify_url": base + reverse("api:payments_notify_wechatpay", kwargs={"shop_id": shop.pk}),
        "alipay_app_id": row.alipay_app_id,
        "alipay_seller_id": row.alipay_seller_id,
        "alipay_private_key_set": bool(row.alipay_private_key_encrypted),
        "alipay_public_key_set": bool(row.alipay_public_key),
        "alipay_notify_url": settings.ALIPAY.get("NOTIFY_BASE", settings.SITE_URL).rstrip("/")
        + reverse("api:payments_notify_alipay", kwargs={"shop_id": shop.pk}),
        "checked_at": row.checked_at,
        "check_ok": row.check_ok,
        "check_message": row.check_message,
    }


def payment_secrets_rotate() -> int:
    """Re-encrypt every shop's secrets under the first PAYMENT_SECRETS_KEY (after a new key was
    put first); answers the rows rewritten. Run before the old key is dropped."""
    rotated = 0
    for row in ShopPaymentSettings.objects.order_by("pk"):
        for stored in SECRET_FIELDS.values():
            setattr(row, stored, secret_box.rotate(getattr(row, stored)))
        row.save(update_fields=[*SECRET_FIELDS.values(), "updated_at"])
        rotated += 1
    return rotated
