"""Request metrics for Prometheus, counted per route (the URL pattern, never the raw path, so ids
do not explode the series) and status. Several web processes (uvicorn/gunicorn workers) share them
through PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode, docs/deploy.md)."""

import time

from prometheus_client import Counter, Histogram

REQUESTS = Counter("tuangou_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "tuangou_http_request_duration_seconds",
    "Time to answer an HTTP request (a live feed counts until its headers are sent)",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None and match.route else "unmatched"


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        route = route_of(request)
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(time.perf_counter() - started)
        return response
