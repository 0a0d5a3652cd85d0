from typing import Annotated

from ninja import Schema
from pydantic import Field

from tuangou.core.bounds import NOT_A_BOOLEAN
from tuangou.core.validation import Name, Text


class ShopIn(Schema):
    name: Name = Field(..., min_length=1, max_length=60)
    category: Name = Field("", max_length=30)
    city: Name = Field("", max_length=30)
    contact_name: Name = Field("", max_length=30)
    contact_phone: Name = Field("", max_length=20)


class ShopPublicOut(Schema):
    id: int
    name: str
    category: str
    city: str


class ShopSettingsOut(Schema):
    id: int
    name: str
    category: str
    city: str
    contact_name: str
    contact_phone: str
    timezone: str
    min_households: int
    one_leader_per_community: bool
    min_distance_between_points_m: int
    payment_timeout_minutes: int
    after_sales_days: int
    default_commission_rate_bp: int
    pickup_notice_text: str


class ShopSettingsIn(Schema):
    name: Name | None = Field(None, min_length=1, max_length=60)
    category: Name | None = Field(None, max_length=30)
    city: Name | None = Field(None, max_length=30)
    contact_name: Name | None = Field(None, max_length=30)
    contact_phone: Name | None = Field(None, max_length=20)
    min_households: Annotated[int, Field(ge=0, le=100000), NOT_A_BOOLEAN] | None = None
    one_leader_per_community: bool | None = None
    min_distance_between_points_m: Annotated[int, Field(ge=0, le=50000), NOT_A_BOOLEAN] | None = None
    payment_timeout_minutes: Annotated[int, Field(ge=1, le=1440), NOT_A_BOOLEAN] | None = None
    after_sales_days: Annotated[int, Field(ge=0, le=60), NOT_A_BOOLEAN] | None = None
    default_commission_rate_bp: Annotated[int, Field(ge=0, le=10000), NOT_A_BOOLEAN] | None = None
    pickup_notice_text: Text | None = Field(None, min_length=1, max_length=200)


class StaffOut(Schema):
    id: int
    user_id: int
    username: str
    display_name: str
    role: str
    role_label: str
    is_active: bool


class StaffIn(Schema):
    username: Name = Field(..., min_length=3, max_length=150)
    role: Name
    password: str = Field("", max_length=128)
    display_name: Name = Field("", max_length=50)


class StaffPatch(Schema):
    role: Name | None = None
    is_active: bool | None = None


class RoleOut(Schema):
    role: str
    label: str
    permissions: list[str]
