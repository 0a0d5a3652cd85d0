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
