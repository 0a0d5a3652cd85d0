"""Payment providers behind one interface. The rest of the code asks get_provider(name) and
never imports a provider directly, so a real gateway (WeChat Pay, Alipay) slots in beside the
sandbox without touching orders."""

from typing import Protocol


class PaymentProvider(Protocol):
    name: str

    def create_payment(self, payment) -> str:
        """Open the trade at the provider; returns the URL the payer opens to pay."""

    def verify_notify(self, headers, body: bytes) -> dict:
        """Check a callback's signature and freshness; returns its fields or raises
        ApplicationError (signature_invalid, notify_expired, notify_invalid)."""

    def refund(self, refund) -> str:
        """Return `refund.amount_fen` of the refund's payment; returns the provider's refund id."""


def get_provider(name: str) -> PaymentProvider:
    from .sandbox import SandboxProvider

    providers = {SandboxProvider.name: SandboxProvider}
    if name not in providers:
        raise LookupError(f"unknown payment provider {name!r}")
    return providers[name]()
