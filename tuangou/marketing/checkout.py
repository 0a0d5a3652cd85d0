"""A coupon at checkout and in the life of its order. Orders stand above marketing and call
these directly: coupon_quote while pricing, coupon_lock once the order row exists, then
coupons_use at payment and coupons_return on cancel, payment timeout or full refund.

Order of application: campaign price (the lines arrive priced) → 满减送 (none yet) → coupon.
"""

from typing import NamedTuple

from django.db.models import Case, F, Value, When
from django.utils import timezone

from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.money import format_fen

from .models import Coupon, Kind, Scope

BP = 10_000


class Line(NamedTuple):
    """One order line as the coupon sees it: what it costs after earlier discounts, and what it is."""

    amount_fen: int
    product_id: int | None
    category_id: int | None


def in_scope(rules, line: Line) -> bool:
    if rules.scope == Scope.PRODUCTS:
        return line.product_id in rules.scope_ids
    if rules.scope == Scope.CATEGORIES:
        return line.category_id in rules.scope_ids
    return True


def coupon_discount(rules, lines: list[Line]) -> int:
    """What the coupon takes off these lines (0: it does not apply — nothing in scope or the
    threshold is not met). Capped by the in-scope payable and by the order paying ≥ 1 fen."""
    scoped = sum(line.amount_fen for line in lines if in_scope(rules, line))
    if scoped <= 0 or scoped < rules.threshold_fen:
        return 0
    if rules.kind == Kind.PERCENT:
        # The buyer's favour: what they still pay is floored, so the discount is rounded up.
        discount = scoped - scoped * (BP - rules.percent_off_bp) // BP
        if rules.max_discount_fen:
            discount = min(discount, rules.max_discount_fen)
    else:
        discount = rules.reduce_fen
    total = sum(line.amount_fen for line in lines)
    return max(0, min(discount, scoped, total - 1))


def discount_allocate(rules, lines: list[Line], discount_fen: int) -> list[int]:
    """Each line's share of the discount: in proportion to its in-scope amount, floored, the
    remainder to the last in-scope line (spilling backwards only if that line would go below
    0), so the shares add up to the discount exactly and no line pays less than nothing."""
    amounts = [line.amount_fen if in_scope(rules, line) else 0 for line in lines]
    scoped = sum(amounts)
    shares = [discount_fen * amount // scoped if scoped else 0 for amount in amounts]
    remainder = discount_fen - sum(shares)
    for index in reversed(range(len(lines))):
        if remainder == 0:
            break
        extra = min(remainder, amounts[index] - shares[index])
        shares[index] += extra
        remainder -= extra
    return shares


def _not_usable(code: str = "coupon_unavailable", **params) -> ApplicationError:
    return ApplicationError(code, field="coupon_id", status=409, **params)


def coupon_quote(*, shop, member, coupon_id: int, lines: list[Line], now=None) -> tuple[Coupon, list[int]]:
    """Check the member's coupon against these lines (eligibility at use: owner, unused, inside
    its validity, threshold met on in-scope lines) and answer it with each line's share."""
    now = now or timezone.now()
    coupon = Coupon.objects.filter(shop=shop, member=member, pk=coupon_id).first()
    if coupon is None:
        raise NotFound("优惠券", "Coupon", field="coupon_id")
    if coupon.status != Coupon.Status.UNUSED or not coupon.valid_from <= now < coupon.valid_until:
        raise _not_usable()
    discount = coupon_discount(coupon, lines)
    if discount <= 0:
        raise _not_usable("coupon_not_applicable", threshold=format_fen(coupon.threshold_fen))
    return coupon, discount_allocate(coupon, lines, discount)


def coupon_lock(*, coupon: Coupon, order_id: int, discount_fen: int, paid_fen: int, now=None) -> None:
    """Hold the coupon for a new order: one conditional UPDATE from unused, so of two checkouts
    with the same coupon exactly one gets it (the other rolls its order back)."""
    now = now or timezone.now()
    taken = Coupon.objects.filter(
        pk=coupon.pk, status=Coupon.Status.UNUSED, valid_from__lte=now, valid_until__gt=now
    ).update(
        status=Coupon.Status.LOCKED,
        order_id=order_id,
        discount_fen=discount_fen,
        order_paid_fen=paid_fen,
        locked_at=now,
        updated_at=now,
    )
    if taken != 1:
        raise _not_usable()


def coupons_use(*, order_id: int, now=None) -> int:
    """The order was paid: its coupon is used."""
    now = now or timezone.now()
    return Coupon.objects.filter(order_id=order_id, status=Coupon.Status.LOCKED).update(
        status=Coupon.Status.USED, used_at=now, updated_at=now
    )


def coupons_return(*, order_ids: list[int], now=None) -> int:
    """The orders were cancelled, timed out or fully refunded: their coupons go back to unused,
    or expired when their validity is over."""
    if not order_ids:
        return 0
    now = now or timezone.now()
    return Coupon.objects.filter(order_id__in=order_ids, status__in=(Coupon.Status.LOCKED, Coupon.Status.USED)).update(
        status=Case(When(valid_until__gt=now, then=Value(Coupon.Status.UNUSED)), default=Value(Coupon.Status.EXPIRED)),
        order_id=None,
        discount_fen=0,
        order_paid_fen=0,
        locked_at=None,
        used_at=None,
        updated_at=now,
    )


def coupons_paid_less(*, order_id: int, refunded_fen: int) -> int:
    """A partial refund: the coupon stays used; the GMV it brought shrinks by what went back."""
    return Coupon.objects.filter(order_id=order_id, status=Coupon.Status.USED).update(
        order_paid_fen=F("order_paid_fen") - refunded_fen
    )
