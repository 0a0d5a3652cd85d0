from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from tuangou.core.validation import Name, Text
from tuangou.orders.schemas import OrderDetailOut

from .models import ReconciliationMismatch, ReconciliationRun


class PaymentSyncOut(OrderDetailOut):
    """The order after asking the provider about its open payment. payment_state: paid (the
    money arrived), closed (the payer cancelled: pay again), notpay (not paid), unknown (the
    provider did not answer: ask again), none (no open payment), done (already settled)."""

    payment_state: Literal["paid", "closed", "notpay", "unknown", "none", "done"]


# --- 支付设置 ------------------------------------------------------------------------------

ProviderChoice = Literal["platform", "sandbox", "wechatpay", "alipay", "wechatpay_alipay"]


class PlatformKeyIn(Schema):
    id: Name = Field(..., min_length=1, max_length=64, description="Platform certificate serial or PUB_KEY_ID_…")
    pem: Text = Field(..., min_length=1, max_length=8000)


class PaymentSettingsIn(Schema):
    """Only what changes: a field left out (or null) stays as it is; "" clears it. Secrets
    (private keys, the APIv3 key) are write-only: never sent back."""

    provider: ProviderChoice | None = None
    wechatpay_mode: Literal["partner", "direct"] | None = None
    wechatpay_sub_mchid: Name | None = Field(None, max_length=32)
    wechatpay_sub_appid: Name | None = Field(None, max_length=32)
    wechatpay_mchid: Name | None = Field(None, max_length=32)
    wechatpay_appid: Name | None = Field(None, max_length=32)
    wechatpay_merchant_serial: Name | None = Field(None, max_length=64)
    wechatpay_private_key: Text | None = Field(None, max_length=8000)
    wechatpay_apiv3_key: Name | None = Field(None, max_length=64)
    wechatpay_platform_keys: list[PlatformKeyIn] | None = Field(None, max_length=5)
    alipay_app_id: Name | None = Field(None, max_length=32)
    alipay_seller_id: Name | None = Field(None, max_length=32)
    alipay_private_key: Text | None = Field(None, max_length=8000)
    alipay_public_key: Text | None = Field(None, max_length=8000)


class PaymentSettingsOut(Schema):
    provider: ProviderChoice
    platform_provider: str = Field(..., description="settings.PAYMENT_PROVIDER: what `platform` means")
    partner_available: bool = Field(..., description="The platform is a WeChat Pay 服务商 (partner mode offered)")
    wechatpay_mode: Literal["partner", "direct"]
    wechatpay_sub_mchid: str
    wechatpay_sub_appid: str
    wechatpay_mchid: str
    wechatpay_appid: str
    wechatpay_merchant_serial_tail: str = Field(..., description="…the last 4 characters, or empty")
    wechatpay_private_key_set: bool
    wechatpay_apiv3_key_set: bool
    wechatpay_platform_key_ids: list[str]
    wechatpay_notify_url: str
    alipay_app_id: str
    alipay_seller_id: str
    alipay_private_key_set: bool
    alipay_public_key_set: bool
    alipay_notify_url: str
    checked_at: datetime | None
    check_ok: bool | None
    check_message: str


class GatewayCheckOut(Schema):
    provider: Literal["wechatpay", "alipay"]
    ok: bool
    code: str = Field(..., description="gateway_ok, gateway_unreachable, gateway_signature_refused, …")
    message: str


class PaymentSettingsCheckOut(Schema):
    results: list[GatewayCheckOut]
    settings: PaymentSettingsOut


class ReconciliationRunOut(Schema):
    """A day's reconciliation of the shop at one provider: both sides' counts and totals."""

    id: int
    provider: str
    bill_date: date
    status: str
    status_label: str
    bill_payments: int
    bill_payments_fen: int
    bill_refunds: int
    bill_refunds_fen: int
    our_payments: int
    our_payments_fen: int
    our_refunds: int
    our_refunds_fen: int
    open_mismatches: int
    error: str
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj: ReconciliationRun) -> str:
        return obj.get_status_display()


class ReconciliationMismatchOut(Schema):
    id: int
    run_id: int
    kind: str
    kind_label: str
    subject: Literal["payment", "refund"]
    out_trade_no: str
    out_refund_no: str
    transaction_id: str
    bill_amount_fen: int | None
    our_amount_fen: int | None
    bill_state: str
    our_state: str
    status: str
    status_label: str
    note: str
    resolved_by: str | None
    resolved_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj: ReconciliationMismatch) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: ReconciliationMismatch) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_resolved_by(obj: ReconciliationMismatch) -> str | None:
        return obj.resolved_by.name if obj.resolved_by_id else None


class ReconciliationRunIn(Schema):
    bill_date: date
    # Which of the shop's gateways (a shop with both takes money at two); none: its first.
    provider: Literal["wechatpay", "alipay"] | None = None


class MismatchResolveIn(Schema):
    note: Text = Field(..., min_length=1, max_length=200)


ReconciliationStatus = Literal["matched", "mismatched", "failed"]
MismatchStatus = Literal["open", "resolved"]
