"""测试连接: ask each gateway the shop pays through about a trade that cannot exist, with the
shop's own credentials, and say plainly what is wrong.

A right configuration gets a signed "no such trade" (WeChat Pay 404 ORDER_NOT_EXIST, Alipay
ACQ.TRADE_NOT_EXIST). Otherwise, in the order things can fail:
  * unreachable — no answer at all (address, network, firewall);
  * signature refused — the gateway did not accept our signature: merchant id, certificate
    serial or private key (WeChat Pay 401 SIGN_ERROR; Alipay's unsigned isv.invalid-signature);
  * answer unverified — the gateway answered but our copy of its public key does not verify it
    (wrong platform certificate / WeChat Pay public key, wrong Alipay public key);
  * refused — anything else the gateway said no to (a sub_mchid not bound to the platform, …);
  * APIv3 key wrong — WeChat Pay's platform certificates (下载平台证书) do not decrypt with it,
    so no notify would either.
"""

from django.utils import timezone

from tuangou.core.errors import ApplicationError
from tuangou.core.labels import bilingual
from tuangou.core.transactions import outside_transaction

from .credentials import alipay_config, payment_settings_of, provider_name_for, wechatpay_config
from .models import ShopPaymentSettings
from .providers import AnswerUnverified, GatewayUnreachable, ProviderUnavailable
from .providers.alipay import AlipayProvider
from .providers.wechatpay import WechatPayProvider

GATEWAYS = {"wechatpay": bilingual("微信支付", "WeChat Pay"), "alipay": bilingual("支付宝", "Alipay")}


def _result(gateway: str, code: str, **params) -> dict:
    error = ApplicationError(code, gateway=GATEWAYS[gateway], **params)
    return {"provider": gateway, "ok": code == "gateway_ok", "code": code, "message": error.message()}


def _transport_failure(gateway: str, error: Exception) -> dict:
    if isinstance(error, GatewayUnreachable):
        return _result(gateway, "gateway_unreachable", reason=str(error).rsplit(": ", 1)[-1][:80])
    if isinstance(error, AnswerUnverified):
        return _result(gateway, "gateway_answer_unverified")
    return _result(gateway, "gateway_error", reason=str(error).rsplit(": ", 1)[-1][:80])


def wechatpay_check(shop_id: int, row: ShopPaymentSettings | None) -> dict:
    try:
        config = wechatpay_config(shop_id, row)
        if not (config.get("MCHID") and config.get("MERCHANT_PRIVATE_KEY")):
            return _result("wechatpay", "gateway_unconfigured")
        status, data = WechatPayProvider(config).connection_probe(shop_id)
    except ApplicationError as error:  # no sub_mchid, partner mode not offered, unreadable secret
        return _result("wechatpay", "gateway_refused", reason=error.message())
    except ProviderUnavailable as error:
        return _transport_failure("wechatpay", error)
    except (ValueError, TypeError, OSError):  # a key that does not load
        return _result("wechatpay", "gateway_key_unreadable")
    if status == 404 and data.get("code") == "ORDER_NOT_EXIST":
        return _apiv3_key_check(WechatPayProvider(config))
    reason = f"{data.get('code')}: {data.get('message')}"[:120]
    if status == 401:
        return _result("wechatpay", "gateway_signature_refused", reason=reason)
    return _result("wechatpay", "gateway_refused", reason=reason)


def _apiv3_key_check(provider: WechatPayProvider) -> dict:
    """The APIv3 key opens the platform certificates (下载平台证书) as it will open every notify. A
    merchant on WeChat Pay public keys only may have no certificate to open: nothing to say then."""
    try:
        provider.certificates_download()
    except ApplicationError as error:
        if error.code == "notify_invalid":
            return _result("wechatpay", "gateway_apiv3_key_wrong")
    except ProviderUnavailable:
        pass
    return _result("wechatpay", "gateway_ok")


def alipay_check(shop_id: int, row: ShopPaymentSettings | None) -> dict:
    try:
        config = alipay_config(shop_id, row)
        if not (config.get("APP_ID") and config.get("APP_PRIVATE_KEY") and config.get("ALIPAY_PUBLIC_KEY")):
            return _result("alipay", "gateway_unconfigured")
        node = AlipayProvider(config).connection_probe()
    except ApplicationError as error:
        if error.code == "provider_refused":  # the unsigned error_response: not our app's request
            reason = str(error.params.get("reason", ""))
            code = "gateway_signature_refused" if "signature" in reason or "app-id" in reason else "gateway_refused"
            return _result("alipay", code, reason=reason)
        return _result("alipay", "gateway_refused", reason=error.message())
    except ProviderUnavailable as error:
        return _transport_failure("alipay", error)
    except (ValueError, TypeError, OSError):
        return _result("alipay", "gateway_key_unreadable")
    if node.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
        return _result("alipay", "gateway_ok")
    return _result("alipay", "gateway_refused", reason=f"{node.get('sub_code')}: {node.get('sub_msg')}"[:120])


def gateways_of(shop_id: int) -> list[str]:
    """The gateways the shop's members pay through (inside WeChat and outside), sandbox aside."""
    names = {provider_name_for(shop_id=shop_id, channel=channel) for channel in ("jsapi", "h5")}
    return [name for name in ("wechatpay", "alipay") if name in names]


@outside_transaction
def payment_settings_check(*, shop) -> list[dict]:
    """Test every gateway the shop pays through with its saved settings; the outcome is kept on
    the row (the page shows when it was last tested and what it found)."""
    row = payment_settings_of(shop.pk)
    checks = {"wechatpay": wechatpay_check, "alipay": alipay_check}
    results = [checks[name](shop.pk, row) for name in gateways_of(shop.pk)]
    if row is not None:
        message = "；".join(result["message"] for result in results)[:300]
        ShopPaymentSettings.objects.filter(pk=row.pk).update(
            checked_at=timezone.now(),
            check_ok=bool(results) and all(result["ok"] for result in results),
            check_message=message,
        )
    return results
