"""Issue 8: WeChat Pay platform certificates downloaded from /v3/certificates (decrypted with the
APIv3 key, the answer verified), refreshed when an unknown serial signs, beside the public-key
mode (PUB_KEY_ID_…); against the local simulator, on PostgreSQL."""

import pytest
from django.core.cache import cache

from simulators.wechatpay import WechatPaySimulator
from tuangou.core.errors import ApplicationError
from tuangou.payments import reconciliation, services
from tuangou.payments.models import Payment
from tuangou.payments.providers import ProviderUnavailable, get_provider

from .test_wechatpay import given_an_order_opened_at_wechatpay, outcomes
from .wechatpay_world import given_wechatpay, to_our_server

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def wechat(settings, require_postgres):
    cache.clear()
    world = given_wechatpay(settings)
    yield world
    world.sim.stop()


def certificate_downloads(sim) -> int:
    return sum(1 for r in sim.requests if (r["method"], r["path"]) == ("GET", "/v3/certificates"))


def test_the_first_download_is_decrypted_and_trusted_by_its_own_certificate(wechat, settings):
    settings.WECHATPAY = {**settings.WECHATPAY, "PLATFORM_KEYS": {}}  # nothing trusted yet

    downloaded = get_provider("wechatpay").certificates_refresh()

    assert downloaded == wechat.sim.platform_keys()  # serial -> the very PEM, decrypted with the APIv3 key
    assert get_provider("wechatpay")._provider.certificates_downloaded() == downloaded


def test_a_download_signed_by_a_certificate_we_do_not_trust_is_refused(wechat, settings):
    stranger = WechatPaySimulator()  # another "platform": its certificate is all we trust
    settings.WECHATPAY = {**settings.WECHATPAY, "PLATFORM_KEYS": stranger.platform_keys()}

    with pytest.raises(ProviderUnavailable, match="not verified"):
        get_provider("wechatpay").certificates_refresh()

    assert get_provider("wechatpay")._provider.certificates_downloaded() == {}


def test_a_rotation_mid_stream_refreshes_once_and_keeps_verifying_answers_and_notifies(wechat):
    world, order, payment, _ = given_an_order_opened_at_wechatpay()
    old_serial = wechat.sim.signing_serial
    wechat.sim.fault("rotate")  # the next answer is signed by a new certificate, unknown to us

    answer = services.payment_query_apply(payment=payment)

    assert answer == "notpay"  # verified: the new certificate came from /v3/certificates
    new_serial = wechat.sim.signing_serial
    assert new_serial != old_serial and certificate_downloads(wechat.sim) == 1
    assert set(get_provider("wechatpay")._provider.certificates_downloaded()) == {old_serial, new_serial}

    wechat.sim.pay(payment.out_trade_no)
    wechat.sim.deliver_all(to_our_server)  # signed by the new certificate: already known, no second download

    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert outcomes() == ["applied"] and certificate_downloads(wechat.sim) == 1


def test_the_scheduled_refresh_learns_a_rotation_ahead_of_its_first_signature(wechat):
    wechat.sim.rotate("certificate")

    assert reconciliation.wechatpay_certificates_refresh() == 2

    assert wechat.sim.signing_serial in get_provider("wechatpay")._provider.certificates_downloaded()


def test_public_key_mode_keeps_working_beside_certificates_and_an_unknown_key_id_is_refused_without_a_download(
    wechat, settings
):
    world, order, payment, _ = given_an_order_opened_at_wechatpay()
    key_id = wechat.sim.rotate("public_key")  # WeChat Pay signs with its public key from now on
    settings.WECHATPAY = {**settings.WECHATPAY, "PLATFORM_KEYS": wechat.sim.platform_keys()}

    assert services.payment_query_apply(payment=payment) == "notpay"

    wechat.sim.rotate("public_key")  # a key id we were never given: not something /v3/certificates lists
    assert services.payment_query_apply(payment=payment) == "unknown"
    assert key_id.startswith("PUB_KEY_ID_") and certificate_downloads(wechat.sim) == 0


def test_a_flood_of_made_up_serials_costs_one_download_a_minute(wechat):
    world, order, payment, _ = given_an_order_opened_at_wechatpay()
    wechat.sim.pay(payment.out_trade_no)
    delivery = wechat.sim.outbox[-1]
    provider = get_provider("wechatpay")

    for serial in ("5157F09EFDC096DE15EBE81A47057A72", "6157F09EFDC096DE15EBE81A47057A72"):
        headers = {**wechat.sim.notify_headers(delivery.body), "Wechatpay-Serial": serial}
        headers.pop("_faults")
        with pytest.raises(ApplicationError) as refused:
            provider.verify_notify(headers, delivery.body)
        assert (refused.value.code, refused.value.field) == ("signature_invalid", "Wechatpay-Serial")

    assert certificate_downloads(wechat.sim) == 1
    assert Payment.objects.get(pk=payment.pk).status == "created"
