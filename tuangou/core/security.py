"""Content-Security-Policy for every HTML page we serve (console, H5, admin, API docs).

Scripts only from our own origin: Vite's bundles, Swagger UI and the admin's are files under
/static/, and WeChat's JS-SDK is bundled too. Styles may also be inline because Element Plus and
Vant set style attributes on elements. Images may come from any https host: product pictures from
the object storage or its CDN, WeChat avatars. Nothing may frame us (frame-ancestors)."""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def feed_origin(request) -> str:
    """The live feed's origin when `make run` serves it on its own port (settings.FEED_PORT): the
    page's host on that port. Empty when the feed is on the page's origin."""
    if not settings.FEED_PORT:
        return ""
    try:
        host, _ = split_domain_port(request.get_host())
    except DisallowedHost:  # the answer is a 400 already: no feed on it
        return ""
    return f"{request.scheme}://{host}:{settings.FEED_PORT}"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html") and self.header not in response:
            feed = feed_origin(request)
            response[self.header] = (
                POLICY.replace("connect-src 'self'", f"connect-src 'self' {feed}") if feed else POLICY
            )
        return response
