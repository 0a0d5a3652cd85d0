from ninja import Router

from . import services

router = Router(tags=["payments 支付"])


@router.post(
    "/notify/sandbox",
    auth=None,
    url_name="payments_notify_sandbox",
    summary="Sandbox gateway's signed payment notify (HMAC-SHA256)",
)
def sandbox_notify(request):
    # The raw body is read (not a schema): the signature covers the exact bytes sent.
    _, error = services.payment_notify_receive(provider_name="sandbox", headers=request.headers, body=request.body)
    if error is not None:
        raise error
    return {"code": "SUCCESS", "message": "OK"}
