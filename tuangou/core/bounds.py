"""Every integer the API takes has a documented range (minimum/maximum in /api/openapi.json) that
fits its column. The business caps live here, in one place; schemas and api.py use the types below.

Columns: PositiveIntegerField and IntegerField hold up to 2^31 − 1 on PostgreSQL (SQLite stores
64 bits, so a value past 2^31 only fails there); ids are BigAutoField (2^63 − 1). A Python int
past 2^63 breaks SQLite too. The caps below are far inside both.
"""

from typing import Annotated

from ninja import Query
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1  # IntegerField / PositiveIntegerField
INT64_MAX = 2**63 - 1  # BigIntegerField / BigAutoField
INT64_MIN = -(2**63)

MAX_ID = INT64_MAX  # primary keys are BigAutoField
MAX_PRICE_FEN = 100_000_000  # ¥1,000,000: a unit price or cost
MAX_AMOUNT_FEN = INT32_MAX  # an order's, a line's or a refund's total (PositiveIntegerField), ~¥21.4 M
MAX_STOCK = 10_000_000  # pieces of one SKU in stock, or allotted to one campaign item
MAX_STOCK_DELTA = MAX_STOCK  # one stock adjustment, either way
MAX_QUANTITY = 9_999  # pieces of one item: a purchase limit, an after-sales or refund quantity
MAX_ORDER_QUANTITY = 999  # pieces of one item in one order
MAX_THRESHOLD = 1_000_000  # members or pieces a campaign needs to succeed
MAX_SORT = 1_000_000  # a display position (categories), either way
MAX_COMMISSION_BP = 10_000  # 100 % in basis points
MAX_PAGE = 100_000  # page numbers of a paginated list (× page size stays a cheap OFFSET)
MAX_PAGE_SIZE = 100


def _not_negative(code: str):
    """A minimum of 0 that answers the business error `code` (price_negative, stock_negative: 400,
    as the services did before the schemas had bounds) instead of a generic validation error."""

    def check(value: int) -> int:
        if value < 0:
            raise PydanticCustomError(code, "must not be negative")
        return value

    return AfterValidator(check)


def _not_a_boolean(value):
    """JSON true and false are not numbers: pydantic's lax mode would read them as 1 and 0 (an
    order of `"quantity": true`). Query strings ("1") and whole floats (2.0) are still read."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


NOT_A_BOOLEAN = BeforeValidator(_not_a_boolean)
# A bare integer field (its bounds in its Field(...)); the bounded types below put the check after
# their bounds, as pydantic documents them as minimum/maximum only then.
Int = Annotated[int, NOT_A_BOOLEAN]

Id = Annotated[int, Field(ge=1, le=MAX_ID), NOT_A_BOOLEAN]
PriceFen = Annotated[
    int, Field(le=MAX_PRICE_FEN, json_schema_extra={"minimum": 0}), _not_negative("price_negative"), NOT_A_BOOLEAN
]
AmountFen = Annotated[int, Field(ge=1, le=MAX_AMOUNT_FEN), NOT_A_BOOLEAN]
Stock = Annotated[
    int, Field(le=MAX_STOCK, json_schema_extra={"minimum": 0}), _not_negative("stock_negative"), NOT_A_BOOLEAN
]
StockDelta = Annotated[int, Field(ge=-MAX_STOCK_DELTA, le=MAX_STOCK_DELTA), NOT_A_BOOLEAN]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY), NOT_A_BOOLEAN]
PurchaseLimit = Annotated[int, Field(ge=0, le=MAX_QUANTITY), NOT_A_BOOLEAN]  # 0: no limit
# The minimum of 1 is the service's check (its 400 names 成团目标); the schema holds the maximum.
Threshold = Annotated[int, Field(le=MAX_THRESHOLD, json_schema_extra={"minimum": 1}), NOT_A_BOOLEAN]
Sort = Annotated[int, Field(ge=-MAX_SORT, le=MAX_SORT), NOT_A_BOOLEAN]
CommissionBp = Annotated[int, Field(ge=0, le=MAX_COMMISSION_BP), NOT_A_BOOLEAN]

# Query parameters of api.py (a query `Id | None = None`: pydantic reads the bounds from Id).
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Cursor = Annotated[int, Query(ge=0, le=MAX_ID)]  # "after this id" (0: from the start)
