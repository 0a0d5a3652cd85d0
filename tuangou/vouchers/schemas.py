from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from tuangou.core.bounds import NOT_A_BOOLEAN, Id
from tuangou.core.phones import mask_name, mask_phone
from tuangou.core.validation import Name

Uses = Annotated[int, Field(ge=1, le=1000), NOT_A_BOOLEAN]
Code = Annotated[Name, Field(min_length=1, max_length=24)]
Pin = Annotated[Name, Field(min_length=1, max_length=8)]


class RedemptionOut(Schema):
    id: int
    uses: int
    uses_left_after: int
    store_name: str
    actor_name: str
    created_at: datetime

    @staticmethod
    def resolve_store_name(obj):
        return obj.store.name if obj.store_id else ""

    @staticmethod
    def resolve_actor_name(obj):
        return obj.actor.name if obj.actor_id else ""


class VoucherOut(Schema):
    """A code as its member sees it (their order page shows it with its QR)."""

    id: int
    code: str
    product_name: str
    uses_total: int
    uses_left: int
    status: str
    status_label: str
    expired: bool
    valid_from: datetime | None
    valid_until: datetime | None
    redemptions: list[RedemptionOut]

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_expired(obj):
        from django.utils import timezone

        return bool(obj.valid_until and obj.valid_until <= timezone.now())

    @staticmethod
    def resolve_redemptions(obj):
        return list(obj.redemptions.all())


class ConsoleVoucherOut(VoucherOut):
    order_id: int
    order_number: str
    member_name: str
    member_phone: str

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_member_phone(obj):
        return mask_phone(obj.member.phone or "")


class StoreVoucherOut(Schema):
    """A code as a partner store sees it before redeeming: no more of the member than a masked name."""

    code: str
    product_name: str
    uses_total: int
    uses_left: int
    status: str
    status_label: str
    valid_until: datetime | None
    member_name: str

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_member_name(obj):
        return mask_name(obj.member.name or "")


class RedeemIn(Schema):
    code: Code
    uses: Uses = 1
    store_id: Id | None = None


class RedeemedOut(Schema):
    redemption: RedemptionOut
    voucher: StoreVoucherOut


class StoreIn(Schema):
    name: Name = Field(..., min_length=1, max_length=40)
    address: Name = Field("", max_length=120)
    contact_phone: Name = Field("", max_length=20)
    pin: Pin


class StorePatch(Schema):
    name: Name | None = Field(None, max_length=40)
    address: Name | None = Field(None, max_length=120)
    contact_phone: Name | None = Field(None, max_length=20)
    pin: Pin | None = None
    is_active: bool | None = None
    new_link: bool = False


class StoreOut(Schema):
    id: int
    name: str
    address: str
    contact_phone: str
    is_active: bool
    link_token: str
    redemption_count: int = 0


class StorePinIn(Schema):
    pin: Pin


class StoreCodeIn(Schema):
    pin: Pin
    code: Code


class StoreRedeemIn(StoreCodeIn):
    uses: Uses = 1


class StoreSessionOut(Schema):
    name: str
    shop_name: str


class TopUpOut(Schema):
    id: int
    order_id: int
    phone: str
    face_value_fen: int
    quantity: int
    reference: str
    vendor_order_no: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)
