"""Address search (issue 7, item 16): members find a place by name, never by typing coordinates.
The offline backend searches the shop's own pickup points and communities; the Amap backend
speaks Amap's web-service protocol, here against a local fake server (Amap is not reachable)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from tuangou.accounts.testing import ApiClient
from tuangou.core.testing import ok
from tuangou.leaders.tests.factories import SOFTWARE_PARK_2, XIAMEN_UNIVERSITY, LeaderFactory
from tuangou.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def given_shop_with_points():
    shop = ShopFactory(city="厦门")
    LeaderFactory(
        shop=shop,
        point__name="海韵驿站",
        point__community="海韵花园",
        point__address="思明区海韵路8号",
        point__at=XIAMEN_UNIVERSITY,
    )
    LeaderFactory(
        shop=shop,
        point__name="软件园便利店",
        point__community="软件园二期",
        point__address="思明区观日路22号",
        point__at=SOFTWARE_PARK_2,
    )
    LeaderFactory(shop=ShopFactory(), point__community="海韵别墅", point__address="湖里区海韵路1号")  # another shop
    return shop


def places(shop, q=""):
    return ok(ApiClient().get(f"shops/{shop.id}/places", {"q": q}))


def test_the_offline_search_finds_the_shops_own_communities_by_name_or_address():
    shop = given_shop_with_points()

    by_name = places(shop, "海韵")
    by_address = places(shop, "观日路")
    everything = places(shop)

    assert by_name == [
        {
            "name": "海韵花园",
            "address": "思明区海韵路8号（海韵驿站）",
            "lat": 24.4376,
            "lng": 118.0963,
            "source": "pickup_point",
        }
    ]
    assert [p["name"] for p in by_address] == ["软件园二期"]
    assert sorted(p["name"] for p in everything) == ["海韵花园", "软件园二期"]
    assert places(shop, "不存在的小区") == []


def test_a_too_long_query_is_a_4xx_naming_q():
    shop = given_shop_with_points()

    response = ApiClient().get(f"shops/{shop.id}/places", {"q": "海" * 61})

    assert response.status_code == 422
    assert response.json()["field"] == "q"


class FakeAmap(BaseHTTPRequestHandler):
    """Answers as https://restapi.amap.com/v3/geocode/geo does; records each query."""

    answer: dict = {}
    seen: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        FakeAmap.seen.append({"path": urlparse(self.path).path, **parse_qs(urlparse(self.path).query)})
        body = json.dumps(FakeAmap.answer, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def amap(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeAmap)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeAmap.seen = []
    settings.GEOCODER = "amap"
    settings.AMAP_KEY = "test-key-123"
    settings.AMAP_GEOCODE_URL = f"http://127.0.0.1:{server.server_port}/v3/geocode/geo"
    yield FakeAmap
    server.shutdown()
    server.server_close()


def test_amap_places_come_after_the_shops_own_with_lat_and_lng_from_its_lng_lat(amap):
    shop = given_shop_with_points()
    amap.answer = {
        "status": "1",
        "info": "OK",
        "infocode": "10000",
        "count": "2",
        "geocodes": [
            {"formatted_address": "福建省厦门市思明区海韵路", "location": "118.112233,24.445566", "level": "道路"},
            {"formatted_address": "坏坐标", "location": "", "level": "未知"},
        ],
    }

    found = places(shop, "海韵")

    assert found == [
        {
            "name": "海韵花园",
            "address": "思明区海韵路8号（海韵驿站）",
            "lat": 24.4376,
            "lng": 118.0963,
            "source": "pickup_point",
        },
        {
            "name": "福建省厦门市思明区海韵路",
            "address": "福建省厦门市思明区海韵路",
            "lat": 24.445566,
            "lng": 118.112233,
            "source": "amap",
        },
    ]
    assert amap.seen == [
        {"path": "/v3/geocode/geo", "key": ["test-key-123"], "address": ["海韵"], "city": ["厦门"], "output": ["JSON"]}
    ]


def test_a_refusing_amap_falls_back_to_the_shops_own_places(amap):
    shop = given_shop_with_points()
    amap.answer = {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}

    found = places(shop, "软件园")

    assert [(p["name"], p["source"]) for p in found] == [("软件园二期", "pickup_point")]
    assert len(amap.seen) == 1
