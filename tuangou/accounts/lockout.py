"""What a locked-out staff login sees (django-axes calls this through AXES_LOCKOUT_CALLABLE)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from tuangou.core.errors import ApplicationError


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def login_locked_error() -> ApplicationError:
    return ApplicationError(
        "login_locked",
        field="password",
        status=429,
        limit=settings.AXES_FAILURE_LIMIT,
        minutes=lockout_minutes(),
    )


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """Under /api/ our error shape {code, message, field} with 429; the admin's login page gets
    the same sentence as a page of its own."""
    error = login_locked_error()
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": error.code, "message": error.message(), "field": error.field},
            status=error.status,
            json_dumps_params={"ensure_ascii": False},
        )
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>登录已锁定</title></head>'
        f'<body style="font-family:sans-serif;max-width:32em;margin:4em auto"><h1>登录已锁定</h1>'
        f"<p>{escape(error.message())}</p></body></html>"
    )
    return HttpResponse(body, status=error.status, content_type="text/html; charset=utf-8")
