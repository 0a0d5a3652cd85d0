"""A lean order path, measured only (bench/floor.py): Django and the order service as they are —
the same bearer-token lookup, shop access, OrderIn validation, `services.order_place` and the
OrderOut answer built by `construct` — called straight from a WSGI function, without Django's
request handler, its middleware, URL resolving or Ninja's operation. It tells how much of the gap
between the API and the framework-free floor (floor_app.py) is the request stack, and how much is
the service. Error answers are bare; not served by `make run`.
"""

import json
import os
import re

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.serializers.json import DjangoJSONEncoder  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from tuangou.accounts.auth import user_for_token  # noqa: E402
from tuangou.core.construct import construct  # noqa: E402
from tuangou.core.errors import ApplicationError  # noqa: E402
from tuangou.orders import services  # noqa: E402
from tuangou.orders.schemas import OrderIn, OrderOut  # noqa: E402
from tuangou.shops.access import access_shop  # noqa: E402

PATH = re.compile(r"/api/shops/(\d+)/orders\Z")


def answer(start_response, status: str, data: bytes):
    start_response(status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    match = PATH.match(environ.get("PATH_INFO", ""))
    if environ["REQUEST_METHOD"] != "POST" or not match:
        return answer(start_response, "404 Not Found", b'{"code": "not_found"}')
    close_old_connections()  # what Django's request_started does: a connection past its age is closed
    try:
        member = user_for_token(environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer "))
        if member is None:
            return answer(start_response, "401 Unauthorized", b'{"code": "unauthorized"}')
        shop = access_shop(int(match[1]))
        payload = OrderIn.model_validate_json(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        data = payload.dict()
        data["idempotency_key"] = environ.get("HTTP_IDEMPOTENCY_KEY") or data["idempotency_key"]
        order = construct(OrderOut, services.order_place(shop=shop, member=member, **data))
        body = json.dumps(order.model_dump(by_alias=True), cls=DjangoJSONEncoder, ensure_ascii=False)
        return answer(start_response, "201 Created", body.encode())
    except ValidationError as exc:
        return answer(start_response, "422 Unprocessable Entity", json.dumps({"detail": str(exc)}).encode())
    except ApplicationError as exc:
        return answer(start_response, f"{exc.status} Refused", json.dumps({"code": exc.code}).encode())
    finally:
        close_old_connections()
