"""Serves the single-page apps: every path under /console/ and /h5/ answers its index.html and
the app's router takes it from there."""
from django.conf import settings
from django.http import HttpResponse


def index_html(app: str) -> str | None:
    path = settings.FRONTEND_DIST / app / "index.html"
    return path.read_text(encoding="utf-8") if path.exists() else None


def _not_built(app: str) -> HttpResponse:
    return HttpResponse(
        f"<!doctype html><meta charset=utf-8><p>The {app} front end is not built yet: run <code>make frontend</code>.</p>",
        status=503,
    )


def console_app(request, path: str = ""):
    html = index_html("console")
    return HttpResponse(html) if html else _not_built("console")


def h5_app(request, path: str = ""):
    html = index_html("h5")
    return HttpResponse(html) if html else _not_built("h5")
