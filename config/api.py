"""The one NinjaAPI: every app's routers, and the single error shape {code, message, field}."""

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tuangou.audit.approvals import ApprovalRequired, approval_request_create
from tuangou.core.errors import ApplicationError
from tuangou.core.openapi import document_errors_and_bounds
from tuangou.core.validation import JsonObjectParser, validation_error_body


class TuangouAPI(NinjaAPI):
    """Builds the OpenAPI document once per process: it only changes with the code, and building
    it costs ~180 ms of CPU (the public /api/openapi.json would otherwise be cheap to flood).

    The document also says what Ninja cannot see (core/openapi.py): the error answers
    {code, message, field} of every operation, and the ranges of the integers we send."""

    _openapi_cache: dict = {}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_params:
            return document_errors_and_bounds(
                super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            )
        if path_prefix not in self._openapi_cache:
            self._openapi_cache[path_prefix] = document_errors_and_bounds(
                super().get_openapi_schema(path_prefix=path_prefix)
            )
        return self._openapi_cache[path_prefix]


api = TuangouAPI(
    title="Tuangou API",
    version="1.0.0",
    description="社区团购 SaaS — merchants (console), leaders (leader center) and members (shop). "
    "Errors always have the shape {code, message, field}; send Accept-Language: en for English messages.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
    parser=JsonObjectParser(),
)


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    return api.create_response(
        request, {"code": exc.code, "message": exc.message(), "field": exc.field}, status=exc.status
    )


@api.exception_handler(ApprovalRequired)
def on_approval_required(request, exc: ApprovalRequired):
    """Here, after the service's transaction rolled back: the action waits for a second person."""
    approval = approval_request_create(exc)
    pending = ApplicationError("approval_pending", status=409, summary=approval.summary, approval_id=approval.pk)
    return on_application_error(request, pending)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    body = validation_error_body(exc.errors)
    # A business rule the schema checks (price_negative) answers 400 like the service would.
    return api.create_response(request, body, status=422 if body["code"] == "validation_error" else 400)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    error = ApplicationError("not_authenticated", status=401)
    return on_application_error(request, error)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    from tuangou.core.errors import NotFound

    return on_application_error(request, NotFound())


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request, exc):
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return on_application_error(request, ApplicationError("body_too_large", status=413, max_mb=f"{limit_mb:g}"))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):  # Ninja's words
        return on_application_error(request, ApplicationError("json_invalid"))
    return api.create_response(
        request, {"code": "http_error", "message": str(exc), "field": None}, status=exc.status_code
    )


def _register():
    from tuangou.accounts.api import router as accounts_router
    from tuangou.audit.api import console_router as audit_console
    from tuangou.campaigns.api import console_router as campaigns_console
    from tuangou.campaigns.api import leader_router as campaigns_leader
    from tuangou.campaigns.api import member_router as campaigns_member
    from tuangou.catalog.api import console_router as catalog_console
    from tuangou.commissions.api import console_router as commissions_console
    from tuangou.commissions.api import leader_router as commissions_leader
    from tuangou.commissions.api import notify_router as commissions_notify
    from tuangou.feedback.api import console_router as feedback_console
    from tuangou.feedback.api import leader_router as feedback_leader
    from tuangou.fulfilment.api import console_router as fulfilment_console
    from tuangou.fulfilment.api import leader_router as fulfilment_leader
    from tuangou.insights.api import console_router as insights_console
    from tuangou.integrations.api import console_router as integrations_console
    from tuangou.leaders.api import console_router as leaders_console
    from tuangou.leaders.api import leader_router as leaders_leader
    from tuangou.leaders.api import member_router as leaders_member
    from tuangou.market.api import console_router as market_console
    from tuangou.market.api import member_router as market_member
    from tuangou.marketing.api import console_router as marketing_console
    from tuangou.marketing.api import leader_router as marketing_leader
    from tuangou.marketing.api import member_router as marketing_member
    from tuangou.notifications.api import member_router as notifications_member
    from tuangou.notifications.api import receipts_router as sms_receipts_router
    from tuangou.orders.api import campaign_member_router as orders_campaign_member
    from tuangou.orders.api import console_router as orders_console
    from tuangou.orders.api import leader_router as orders_leader
    from tuangou.orders.api import member_router as orders_member
    from tuangou.payments.api import console_router as payments_console
    from tuangou.payments.api import member_router as payments_member
    from tuangou.payments.api import router as payments_router
    from tuangou.polls.api import console_router as polls_console
    from tuangou.polls.api import leader_router as polls_leader
    from tuangou.polls.api import member_router as polls_member
    from tuangou.sharing.api import console_router as sharing_console
    from tuangou.sharing.api import leader_router as sharing_leader
    from tuangou.sharing.api import member_router as sharing_member
    from tuangou.shops.api import console_router as shops_console
    from tuangou.shops.api import router as shops_router
    from tuangou.vouchers.api import console_router as vouchers_console
    from tuangou.vouchers.api import member_router as vouchers_member
    from tuangou.vouchers.api import store_router as vouchers_store
    from tuangou.vouchers.api import topup_router as vouchers_topup
    from tuangou.warehouses.api import console_router as warehouses_console
    from tuangou.warehouses.api import courier_router as warehouses_courier
    from tuangou.warehouses.api import member_router as warehouses_member

    api.add_router("/auth", accounts_router)
    api.add_router("/shops", shops_router)
    api.add_router("/payments", payments_router)
    api.add_router("/commissions", commissions_notify)
    api.add_router("/sms", sms_receipts_router)
    api.add_router("/redeem", vouchers_store)
    api.add_router("/topups", vouchers_topup)
    console = "/console/shops/{shop_id}"
    for router in (
        shops_console,
        catalog_console,
        campaigns_console,
        leaders_console,
        orders_console,
        marketing_console,
        fulfilment_console,
        warehouses_console,
        commissions_console,
        payments_console,
        sharing_console,
        polls_console,
        insights_console,
        vouchers_console,
        audit_console,
        integrations_console,
        feedback_console,
        market_console,
    ):
        api.add_router(console, router)
    member = "/shops/{shop_id}"
    for router in (
        campaigns_member,
        orders_campaign_member,  # a campaign page's buyers and live feed, read in orders
        leaders_member,
        orders_member,
        marketing_member,
        payments_member,
        notifications_member,
        sharing_member,
        warehouses_member,
        vouchers_member,
        polls_member,
        market_member,
    ):
        api.add_router(member, router)
    api.add_router("/shops/{shop_id}/courier", warehouses_courier)
    leader = "/shops/{shop_id}/leader"
    for router in (
        campaigns_leader,
        leaders_leader,
        orders_leader,
        fulfilment_leader,
        commissions_leader,
        sharing_leader,
        polls_leader,
        marketing_leader,
        feedback_leader,
    ):
        api.add_router(leader, router)


def _check_permission_before_validation():
    """Console operations check the caller's staff role right after login, before Ninja
    validates path, query and body: a role without the permission gets 403 for any body, a
    stranger 404 (not a 422 that tells them which fields the shop's endpoint takes).

    The permission is the one the view passes to access_shop_as_staff (a literal in its code:
    every console view starts with that call); a view that names none (it checks in a helper) is
    prechecked for staff only, and one that names two needs either.
    """
    from tuangou.shops.access import staff_precheck
    from tuangou.shops.permissions import PERMISSIONS

    for bound in api._get_bound_routers():
        if not bound.prefix.startswith("/console/shops/{shop_id}"):
            continue
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                view, permissions = operation.view_func, set()
                while view is not None:
                    code = getattr(view, "__code__", None)
                    permissions |= {c for c in (code.co_consts if code else ()) if c in PERMISSIONS}
                    view = getattr(view, "__wrapped__", None)
                operation._run_checks = _checks_then_staff(operation, frozenset(permissions), staff_precheck)


_SHOP_ID = re.compile(r"[1-9][0-9]{0,17}")


def _checks_then_staff(operation, permissions, staff_precheck):
    run_checks = operation._run_checks

    def checks(request):
        error = run_checks(request)  # login (401) and throttles first
        if error is not None:
            return error
        shop_id = str((request.resolver_match.kwargs if request.resolver_match else {}).get("shop_id"))
        if not _SHOP_ID.fullmatch(shop_id):
            return None  # not an id: validation answers 422 for it
        try:
            staff_precheck(request, int(shop_id), permissions)
        except Exception as exc:
            return operation.api.on_exception(request, exc)
        return None

    return checks


_register()
_check_permission_before_validation()
