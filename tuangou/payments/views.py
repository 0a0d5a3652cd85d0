"""The sandbox gateway's pay page (what the payer sees at a real provider's checkout)."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from tuangou.core.money import format_fen

from . import sandbox
from .models import SandboxTrade


def _safe_return_url(value: str) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative //evil."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=set()) else None


@require_http_methods(["GET", "POST"])
def sandbox_pay_page(request, out_trade_no):
    trade = SandboxTrade.objects.select_related("payment__order__shop").filter(out_trade_no=out_trade_no).first()
    if trade is None:
        raise Http404
    return_url = _safe_return_url(request.POST.get("return_url") or request.GET.get("return_url", ""))
    outcome = None
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            trade = sandbox.gateway_pay(out_trade_no=out_trade_no)
            outcome = "paid" if trade.state == SandboxTrade.State.SUCCESS else "closed"
        else:
            trade = sandbox.gateway_cancel(out_trade_no=out_trade_no)
            outcome = "cancelled"
        if return_url:
            return HttpResponseRedirect(return_url)
    order = trade.payment.order
    context = {
        "trade": trade,
        "order": order,
        "shop": order.shop,
        "amount": format_fen(trade.amount_fen),
        "return_url": return_url or "",
        "outcome": outcome,
        "payable": trade.state == SandboxTrade.State.NOTPAY and outcome is None,
    }
    return render(request, "payments/sandbox_pay.html", context)
