"""Payment providers behind one interface. The rest of the code asks get_provider(name) and
never imports a provider directly, so a real gateway (WeChat Pay, Alipay) slots in beside the
sandbox without touching orders.

Every call that goes out to a provider (opening a trade, sending a refund, asking about a
trade) refuses to run inside a transaction (tuangou.core.transactions.outside_transaction): a slow or failing
gateway must never hold our row locks, nor a rollback forget money that already moved.
"""

from typing import Protocol

from tuangou.core.transactions import outside_transaction


class ProviderUnavailable(Exception):
    """The provider did not take the request (timeout, outage, "system busy"): the same
    request — same reference — may be sent again later."""


class GatewayUnreachable(ProviderUnavailable):
    """No answer came at all (connection refused, DNS, timeout)."""


class AnswerUnverified(ProviderUnavailable):
    """An answer came but its signature did not verify with the gateway's public key we hold."""


class RefundPending(Exception):
    """The provider took the refund and is still processing it (WeChat Pay's PROCESSING): it
    stays pending until the provider's refund notify, or the next try, says it succeeded."""


class PaymentProvider(Protocol):
    name: str

    def create_payment(self, payment) -> str:
        """Open the trade at the provider (idempotent by out_trade_no); returns the URL the payer opens to pay."""

    def verify_notify(self, headers, body: bytes) -> dict:
        """Check a callback's signature and freshness; returns its fields or raises
        ApplicationError (signature_invalid, notify_expired, notify_invalid)."""

    def refund(self, refund) -> str:
        """Return `refund.amount_fen` of the refund's payment under `refund.out_refund_no`
        (idempotent: the same reference never refunds twice); returns the provider's refund id.
        Raises ProviderUnavailable (try again) or ApplicationError("refund_failed") (refused)."""

    def query(self, payment) -> dict:
        """What the provider knows of the payment's trade: {"out_trade_no", "trade_state"
        (SUCCESS / NOTPAY / CLOSED), "amount_fen", "transaction_id", "paid_at"} — the fields of
        a paid notify when SUCCESS. Raises ProviderUnavailable (ask again later)."""


class _Guarded:
    """A provider whose outgoing calls refuse to run inside a transaction."""

    def __init__(self, provider):
        self._provider = provider
        self.name = provider.name
        self.create_payment = outside_transaction(provider.create_payment)
        self.refund = outside_transaction(provider.refund)
        self.query = outside_transaction(provider.query)
        self.verify_notify = provider.verify_notify  # checks bytes we hold: no call goes out
        for optional in (
            "close",
            "jsapi_params",
            "miniprogram_params",
            "native_code_url",
            "refund_query",
            "transfer_create",
            "transfer_query",
            "trade_bill",
            "certificates_refresh",
        ):  # what only some gateways have
            if hasattr(provider, optional):
                setattr(self, optional, outside_transaction(getattr(provider, optional)))
        if hasattr(provider, "verify_transfer_notify"):  # checks bytes we hold: no call goes out
            self.verify_transfer_notify = provider.verify_transfer_notify
        if hasattr(provider, "merchant_of"):
            self.merchant_of = provider.merchant_of
        if hasattr(provider, "transfer_confirm_params"):  # no call goes out
            self.transfer_confirm_params = provider.transfer_confirm_params
        self.pay_url_valid_for = getattr(provider, "pay_url_valid_for", None)
        self.appid = getattr(provider, "appid", "")
        self.miniprogram_appid = getattr(provider, "miniprogram_appid", "")


def get_provider(name: str, *, shop_id: int | None = None, config: dict | None = None) -> PaymentProvider:
    """The provider, configured for the shop (its own payment settings, else the platform's
    settings; credentials.py), or with `config` as given (a connection test of unsaved values)."""
    from ..credentials import CONFIGS
    from .alipay import AlipayProvider
    from .sandbox import SandboxProvider
    from .wechatpay import WechatPayProvider

    providers = {
        SandboxProvider.name: SandboxProvider,
        WechatPayProvider.name: WechatPayProvider,
        AlipayProvider.name: AlipayProvider,
    }
    if name not in providers:
        raise LookupError(f"unknown payment provider {name!r}")
    if config is None and shop_id is not None and name in CONFIGS:
        config = CONFIGS[name](shop_id)
    return _Guarded(providers[name](config) if config is not None else providers[name]())
