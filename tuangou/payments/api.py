from ninja import Router

router = Router(tags=["payments 支付"])
