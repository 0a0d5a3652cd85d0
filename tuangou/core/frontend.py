"""Serves the single-page apps: every path under /console/ and /h5/ answers its index.html and
the app's router takes it from there. Pages that are painted on the server first (a shared
campaign link) are registered by their app (register_h5_page)."""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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


# Server-painted H5 pages: an app registers (path pattern, painter) in its AppConfig.ready(); the
# painter gets the request, the match and the app's index.html and returns the page to send.
_H5_PAINTERS: list[tuple[re.Pattern, Callable[[HttpRequest, re.Match, str], str]]] = []


def register_h5_page(pattern: str, painter: Callable[[HttpRequest, re.Match, str], str]) -> None:
    _H5_PAINTERS.append((re.compile(pattern), painter))


def h5_app(request, path: str = ""):
    html = index_html("h5")
    if not html:
        return _not_built("h5")
    for pattern, painter in _H5_PAINTERS:
        match = pattern.match(path)
        if match:
            html = painter(request, match, html)
            break
    if settings.FEED_PORT:  # `make run`: the live feed is served on its own port (manage.py serve)
        html = html.replace("</head>", f'<meta name="tuangou-feed-port" content="{settings.FEED_PORT:d}" /></head>', 1)
    return HttpResponse(html)
