import logging
import re
import time
import uuid

from .logging import set_request_id

logger = logging.getLogger("tuangou.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Gives every request an id (kept from X-Request-ID when sane), and logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        set_request_id(request.id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        # The log line costs a record, a dict and the lazy user lookup: skip it when INFO is off.
        if logger.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            logger.info(
                "request",
                extra={
                    "data": {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "user_id": user.pk if user is not None and user.is_authenticated else None,
                    }
                },
            )
        set_request_id(None)
        return response


class ApiErrorShapeMiddleware:
    """Answers that never reached an endpoint (unknown path, wrong method, a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, Django's CSRF refusal, a crash) still get the API's one error
    shape under /api/, so clients parse every error the same way."""

    CODES = {
        400: ("bad_request", "请求无效", "Bad request"),
        403: ("forbidden", "没有权限执行此操作", "You do not have permission to do this"),
        404: ("not_found", "接口不存在", "No such endpoint"),
        405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
        413: ("body_too_large", "请求内容太大", "The request body is too large"),
        500: ("server_error", "服务器开小差了，请稍后再试", "Something went wrong on our side; try again shortly"),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code not in self.CODES:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        from django.http import JsonResponse

        from .i18n import pick

        code, zh, en = self.CODES[response.status_code]
        shaped = JsonResponse({"code": code, "message": pick(zh, en), "field": None}, status=response.status_code)
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached or went away mid-request (a failover, a restart, pgbouncer
    without a server; Django's OperationalError or InterfaceError) is answered 503 with Retry-After,
    not 500: the same request can be sent again in a few seconds. The transaction rolled back, or,
    when the connection broke on COMMIT, may have gone through: the Idempotency-Key makes an order's
    retry answer that order instead of placing another. Under /api/ in the API's error shape."""

    RETRY_AFTER_S = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse, JsonResponse

        from .errors import ApplicationError

        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("database unavailable", exc_info=exception, extra={"data": {"path": request.path}})
        error = ApplicationError("service_unavailable", status=503, seconds=self.RETRY_AFTER_S)
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": error.code, "message": error.message(), "field": None}, status=503)
        else:
            response = HttpResponse(error.message(), status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.RETRY_AFTER_S)
        return response
