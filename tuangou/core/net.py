"""Who is asking: the client's IP address, taken from a proxy header only behind our own proxies."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The address limits and logs count against (login attempts, SMS sends, django-axes).

    REMOTE_ADDR, unless the request came from a proxy listed in settings.TRUSTED_PROXIES (IPs or
    CIDR networks): then X-Forwarded-For is read from the right, skipping our own proxies, and the
    first address not ours is the client. Anyone can send an X-Forwarded-For header; without a
    trusted proxy in front it is ignored, so a guesser cannot pick a fresh IP per request."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    hops = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:  # a garbled entry: nothing left of it can be trusted
            break
        if not _trusted(address, networks):
            return str(address)
        remote = address
    return str(remote)
