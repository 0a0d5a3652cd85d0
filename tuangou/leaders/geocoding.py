"""Address search behind one interface: a typed place name or address -> candidate places with
coordinates, so nobody is asked to type a latitude. Two backends, chosen by settings.GEOCODER:

- `offline` (the default, and the fallback): the shop's own pickup points and communities,
  matched by name, community or address. Works with no network and no key.
- `amap`: Amap's web-service geocoder (https://restapi.amap.com/v3/geocode/geo, `key`,
  `address`, `city`; answers `{"status": "1", "geocodes": [{"formatted_address", "location":
  "lng,lat", ...}]}`), searched in the shop's city; the shop's own places come first. Any
  failure of the provider (network, a refused key, a malformed answer) falls back to offline.
"""

import json
import logging
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.conf import settings
from django.db.models import Q

from .models import Leader, PickupPoint

logger = logging.getLogger("tuangou.geocoding")
LIMIT = 10


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    lat: float
    lng: float
    source: str  # "pickup_point" (the shop's own) or the provider's name ("amap")

    def as_dict(self) -> dict:
        return asdict(self)


class Geocoder(Protocol):
    name: str

    def search(self, *, shop, query: str, limit: int = LIMIT) -> list[Place]:
        """Candidate places for a query in this shop's area, best first."""


class OfflineGeocoder:
    """The shop's own pickup points (of active leaders) and their communities."""

    name = "offline"

    def search(self, *, shop, query: str, limit: int = LIMIT) -> list[Place]:
        points = PickupPoint.objects.filter(shop=shop, is_active=True, leader__status=Leader.Status.ACTIVE)
        query = (query or "").strip()
        if query:
            points = points.filter(
                Q(community__icontains=query) | Q(name__icontains=query) | Q(address__icontains=query)
            )
        places, seen = [], set()
        for point in points.order_by("community", "id")[: limit * 3]:
            if point.community in seen:
                continue
            seen.add(point.community)
            places.append(
                Place(
                    name=point.community,
                    address=f"{point.address}（{point.name}）",
                    lat=float(point.lat),
                    lng=float(point.lng),
                    source="pickup_point",
                )
            )
        return places[:limit]


def _location(value) -> tuple[float, float] | None:
    """Amap's "lng,lat" -> (lat, lng), inside China's bounds, or None."""
    try:
        lng_text, lat_text = str(value).split(",")
        lat, lng = Decimal(lat_text), Decimal(lng_text)
    except (ValueError, InvalidOperation):
        return None
    if not (3 <= lat <= 54 and 73 <= lng <= 136):
        return None
    return float(round(lat, 6)), float(round(lng, 6))


class AmapGeocoder:
    """Amap (高德) web-service geocoding; settings.AMAP_KEY, AMAP_GEOCODE_URL (the real endpoint
    unless a test points it elsewhere), AMAP_TIMEOUT_SECONDS."""

    name = "amap"

    def __init__(self, offline: OfflineGeocoder | None = None):
        self.offline = offline or OfflineGeocoder()

    def _provider(self, *, shop, query: str, limit: int) -> list[Place]:
        params = {"key": settings.AMAP_KEY, "address": query, "output": "JSON"}
        if shop.city:
            params["city"] = shop.city
        url = f"{settings.AMAP_GEOCODE_URL}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=settings.AMAP_TIMEOUT_SECONDS) as response:  # noqa: S310 (settings URL)
            answer = json.loads(response.read() or b"{}")
        if str(answer.get("status")) != "1":
            raise RuntimeError(f"amap refused: {answer.get('info')} ({answer.get('infocode')})")
        places = []
        for row in answer.get("geocodes") or []:
            where = _location(row.get("location"))
            if where is None:
                continue
            address = str(row.get("formatted_address") or query)
            places.append(Place(name=address, address=address, lat=where[0], lng=where[1], source=self.name))
        return places[:limit]

    def search(self, *, shop, query: str, limit: int = LIMIT) -> list[Place]:
        own = self.offline.search(shop=shop, query=query, limit=limit)
        if not (query or "").strip():
            return own
        try:
            found = self._provider(shop=shop, query=query.strip(), limit=limit)
        except Exception:  # any provider fault: the shop's own places still answer
            logger.warning("amap geocoding failed", extra={"data": {"shop_id": shop.id}}, exc_info=True)
            return own
        return (own + found)[:limit]


_BACKENDS = {"offline": OfflineGeocoder, "amap": AmapGeocoder}


def get_geocoder() -> Geocoder:
    return _BACKENDS[getattr(settings, "GEOCODER", "offline")]()


def places_search(*, shop, query: str, limit: int = LIMIT) -> list[dict]:
    """Places for the member's search box (empty query: the shop's own communities)."""
    return [place.as_dict() for place in get_geocoder().search(shop=shop, query=query, limit=limit)]
