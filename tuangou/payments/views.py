from django.http import Http404


def sandbox_pay_page(request, out_trade_no):
    raise Http404
