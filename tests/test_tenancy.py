"""Cross-shop probe: shop A's owner, leader and member aim every API operation at shop B's ids.

Every operation is taken from the OpenAPI document, so a new endpoint is probed without
anyone remembering to add it. Nothing of shop B may leak into a response or change, and every
attempt answers exactly 404: the same as a missing id. (A console caller who is not staff of the
shop gets it before the body is even validated: see test_permission_first.py.)
"""

import io
import json
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.api import api
from tuangou.accounts.testing import ApiClient
from tuangou.shops.tests.factories import PASSWORD

from .openapi_bodies import request_body
from .world import build_world

pytestmark = pytest.mark.django_db
PARAM = re.compile(r"{(\w+)}")


def shop_b_snapshot(shop) -> dict:
    """Every row of every shop-scoped table that belongs to the shop."""
    snapshot = {}
    for model in apps.get_models():
        if any(f.name == "shop" for f in model._meta.fields) and model._meta.app_label != "shops":
            snapshot[model._meta.label] = sorted(
                json.dumps(row, default=str, sort_keys=True) for row in model.objects.filter(shop=shop).values()
            )
    return snapshot


def operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation, schema.get("components", {}).get("schemas", {})


def role_of(path: str) -> str | None:
    if path.startswith("/api/console/shops/"):
        return "owner"
    if path.startswith("/api/shops/{shop_id}/leader/"):
        return "leader"
    if path.startswith("/api/shops/{shop_id}/"):
        return "member"
    return None


def call(client: ApiClient, method: str, url: str, operation: dict, components: dict):
    kind, body = request_body(operation, components)
    if kind == "multipart":  # a real picture: the answer must be about the ids, not the upload
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (240, 200, 80)).save(buffer, format="PNG")
        return client.request(method, url, files={"file": SimpleUploadedFile("a.png", buffer.getvalue(), "image/png")})
    if method == "get":
        return client.get(url)
    return client.request(method, url, body if body is not None else {})


def test_no_operation_reaches_another_shops_objects():
    a = build_world("甲", 13911110000)
    b = build_world("乙", 13922220000)
    clients = {"owner": ApiClient(), "leader": ApiClient(), "member": ApiClient()}
    clients["owner"].login_password(a["owner"].username, PASSWORD)
    clients["leader"].login_sms(a["leader_user"].phone)
    clients["member"].login_sms(a["member"].phone)
    before = shop_b_snapshot(b["shop"])
    probed, problems, statuses = 0, [], {}

    for path, method, operation, components in operations():
        role = role_of(path)
        params = PARAM.findall(path)
        if role is None or not params:
            continue
        unknown = [p for p in params if p not in b["ids"]]
        assert not unknown, f"{method.upper()} {path}: teach tests/world.py the path parameter(s) {unknown}"
        object_params = [p for p in params if p != "shop_id"]
        attempts = []
        if object_params:  # my shop, their objects
            attempts.append(("their objects", {**{p: b["ids"][p] for p in params}, "shop_id": a["ids"]["shop_id"]}))
        if role != "member":  # their shop altogether (members may browse any shop's public pages)
            attempts.append(("their shop", {p: b["ids"][p] for p in params}))
        for label, values in attempts:
            url = PARAM.sub(lambda m, values=values: str(values[m.group(1)]), path)
            response = call(clients[role], method, url, operation, components)
            probed += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            text = response.content.decode(errors="replace")
            if b["tag"] in text:
                problems.append(f"{method.upper()} {url} ({label}) leaked shop B data: {text[:200]}")
            if response.status_code < 400:
                problems.append(f"{method.upper()} {url} ({label}) answered {response.status_code}")
            elif response.status_code != 404:
                problems.append(
                    f"{method.upper()} {url} ({label}) answered {response.status_code}, not 404: {text[:200]}"
                )

    assert not problems, "\n".join(problems)
    assert shop_b_snapshot(b["shop"]) == before
    print("probe statuses:", statuses)
    assert probed >= 10


def test_missing_and_foreign_ids_answer_the_same_404():
    a = build_world("甲", 13911110000)
    b = build_world("乙", 13922220000)
    owner = ApiClient()
    owner.login_password(a["owner"].username, PASSWORD)
    compared = 0
    for path, method, _operation, _components in operations():
        if method != "get" or role_of(path) != "owner":
            continue
        params = [p for p in PARAM.findall(path) if p != "shop_id"]
        if not params:
            continue
        foreign = PARAM.sub(
            lambda m: str(a["ids"]["shop_id"] if m.group(1) == "shop_id" else b["ids"][m.group(1)]), path
        )

        def missing_value(name):
            if name == "shop_id":
                return a["ids"]["shop_id"]
            return 987654321 if name.endswith("_id") else b["ids"][name]

        missing = PARAM.sub(lambda m: str(missing_value(m.group(1))), path)
        foreign_response, missing_response = owner.get(foreign), owner.get(missing)
        assert foreign_response.status_code == missing_response.status_code == 404, (path, foreign_response.content)
        assert foreign_response.json() == missing_response.json(), path
        compared += 1
    assert compared >= 3
