"""Marketing jobs (django-q): thin wrappers around the services."""

from . import packs


def coupon_pack_deliver(pack_id: int) -> dict:
    pack = packs.coupon_pack_deliver(pack_id=pack_id)
    return {"delivered": pack.delivered, "refused": pack.refused, "of": pack.members_total}


def coupon_packs_redrive() -> int:
    return packs.coupon_packs_redrive()


def payment_gifts_deliver(order_id: int) -> int:
    from . import gifts

    return gifts.payment_gifts_deliver(order_id=order_id)


def payment_gifts_redrive() -> int:
    from . import gifts

    return gifts.payment_gifts_redrive()
