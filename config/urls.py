from django.contrib import admin
from django.urls import path, re_path

from config.api import api
from config.metrics import metrics
from tuangou.accounts import views as account_views
from tuangou.core import frontend
from tuangou.core import views as core_views
from tuangou.core.resolver import indexed
from tuangou.payments import views as payment_views

urlpatterns = [
    path("admin/", admin.site.urls),
    indexed(path("api/", api.urls)),  # ~300 routes: narrowed first
    path("healthz", core_views.healthz),
    path("metrics", metrics),
    path("favicon.ico", core_views.favicon),
    path("privacy/", account_views.privacy_policy, name="privacy-policy"),
    path("", core_views.home),
    path("dev/sms", account_views.dev_sms_codes),
    path("pay/sandbox/<str:out_trade_no>", payment_views.sandbox_pay_page, name="sandbox-pay"),
    re_path(r"^media/(?P<path>.*)$", core_views.media),
    re_path(r"^console/(?P<path>.*)$", frontend.console_app, name="console"),
    re_path(r"^h5/(?P<path>.*)$", frontend.h5_app, name="h5"),
]
