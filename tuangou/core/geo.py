"""Distances between pickup points and people, on a sphere (good to metres at city scale)."""

import math
from decimal import Decimal

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lng1, lat2, lng2) -> int:
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlmb = math.radians(float(lng2) - float(lng1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return int(round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))))


def bounding_box(lat, lng, radius_m: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A lat/lng box that contains the circle, so the database can prefilter by index."""
    dlat = radius_m / 111_320
    dlng = radius_m / (111_320 * max(math.cos(math.radians(float(lat))), 0.01))
    q = Decimal("0.000001")
    return (
        Decimal(float(lat) - dlat).quantize(q),
        Decimal(float(lat) + dlat).quantize(q),
        Decimal(float(lng) - dlng).quantize(q),
        Decimal(float(lng) + dlng).quantize(q),
    )
