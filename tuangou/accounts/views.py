"""Plain Django views of the accounts app outside the API: the development SMS inbox, the privacy policy."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.html import escape

from .privacy import PRIVACY_POLICY_VERSION
from .sms import recent_outbox


def dev_sms_codes(request):
    """The development SMS inbox: the last codes the console backend 'sent'. Off unless SMS_SHOW_CODES."""
    if not settings.SMS_SHOW_CODES:
        raise Http404
    rows = "".join(
        f"<tr><td>{escape(m['phone'])}</td><td><b>{escape(m['code'])}</b></td><td>{escape(m.get('text', ''))}</td><td>{escape(m['sent_at'])}</td></tr>"
        for m in recent_outbox()
    )
    return HttpResponse(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        "<title>开发短信</title><h2>开发环境短信（最近的验证码）</h2>"
        f"<table border=1 cellpadding=6><tr><th>手机号</th><th>验证码</th><th>短信内容</th><th>发送时间</th></tr>{rows}</table>"
    )


def privacy_policy(request):
    """The privacy policy, in Chinese, for the H5 login page's 《隐私政策》 link."""
    return render(request, "accounts/privacy.html", {"version": PRIVACY_POLICY_VERSION})
