"""Plain Django views outside the API: health check, landing page, uploaded media."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.views.static import serve

from .health import health_checks

PRIVATE_MEDIA = ("exports/",)


def media(request, path):
    """Uploaded images (product photos, posters). Read at request time so MEDIA_ROOT can move.
    Generated sheets (exports/) hold customers' phone numbers: they go out only through the
    permission-checked API, never from here."""
    if path.startswith(PRIVATE_MEDIA):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def healthz(request):
    """The database, Redis when used, the worker's heartbeat and the schedules' lag (tuangou.core.health)."""
    healthy, checks = health_checks()
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def home(request):
    return HttpResponse(
        "<!doctype html><meta charset=utf-8><title>Tuangou 社区团购</title>"
        "<h1>Tuangou 社区团购</h1><ul>"
        "<li><a href='/console/'>商家后台 /console/</a></li>"
        "<li><a href='/h5/'>团长/团员 H5 /h5/</a></li>"
        "<li><a href='/api/docs'>API 文档 /api/docs</a></li>"
        "<li><a href='/admin/'>平台管理 /admin/</a></li>"
        "<li><a href='/dev/sms'>开发环境短信验证码 /dev/sms</a></li></ul>"
    )


FAVICON = Path(__file__).resolve().parent / "static" / "tuangou" / "favicon.ico"


def favicon(request):
    """/favicon.ico, which browsers ask for on every page (the admin, /api/docs, the apps)."""
    response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
