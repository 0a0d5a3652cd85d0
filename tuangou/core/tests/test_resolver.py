import re

from django.urls import get_resolver
from django.urls.resolvers import URLResolver

from tuangou.core.resolver import IndexedResolver


def _resolved(resolver, path):
    try:
        match = resolver.resolve(path)
    except Exception as error:  # Resolver404: the same refusal is expected from both
        return type(error).__name__
    return (match.url_name, match.kwargs, match.route, match._func_path, match.namespaces)


def test_the_api_resolves_every_path_as_django_s_own_resolver_does():
    indexed = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/")
    assert isinstance(indexed, IndexedResolver)
    plain = URLResolver(indexed.pattern, indexed.urlconf_name, app_name=indexed.app_name, namespace=indexed.namespace)
    paths = [
        "api/" + re.sub(r"<[^>]+>", value, str(pattern.pattern))
        for pattern in indexed.url_patterns
        # ids, words, a literal of another route in a converter's place, and a slash inside one
        for value in ("1", "abc", "export.xlsx", "a/b")
    ]
    paths += ["api/nope", "api/shops/1/nope", "api/shops/1/orders/", "api/", "api", "api//", "apix/shops"]

    different = [path for path in paths if _resolved(indexed, path) != _resolved(plain, path)]

    assert len(paths) > 1000 and different == []
    assert _resolved(indexed, "api/shops/7/orders")[:3] == (
        "create_order",
        {"shop_id": "7"},
        "shops/<shop_id>/orders",
    )
