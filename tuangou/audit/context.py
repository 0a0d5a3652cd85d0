"""Who is acting, for services that record without being handed the request: the middleware puts
the request in a context variable, and audit_record reads the actor and IP from it."""

from contextvars import ContextVar

_request: ContextVar = ContextVar("audit_request", default=None)


def current_request():
    return _request.get()


class AuditContextMiddleware:
    """Placed after authentication; a bearer token sets request.user later, in the API's auth,
    and audit_record reads the user only when it writes, so both are seen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
