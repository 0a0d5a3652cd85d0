"""URL resolving for the API's ~300 routes without trying each one in turn.

Django resolves a path by trying the include's patterns one after the other: for the last of
Ninja's routes that was ~300 regex matches, about a millisecond of CPU, more than some views
cost. `IndexedResolver` first narrows the patterns to those that can match — a route of as many
segments whose first and last literal segments are the path's — and runs Django's own resolve
over them, in their original order, so the answer (and the route reported to metrics) is the
same as without the index.
"""

import copy

from django.urls.resolvers import RoutePattern, URLPattern, URLResolver

_ANY = None  # a segment that is a converter (<shop_id>) or mixes text and one


def _segment(text: str):
    return _ANY if "<" in text else text


def _index_key(pattern) -> tuple | None:
    """(segments, first, last) of a plain route; None for what can match any path (a regex, a
    nested include, a <path:> converter that spans slashes)."""
    if not isinstance(pattern, URLPattern) or not isinstance(pattern.pattern, RoutePattern):
        return None
    route = str(pattern.pattern)
    if "<path:" in route:
        return None
    segments = route.split("/")
    return len(segments), _segment(segments[0]), _segment(segments[-1])


class IndexedResolver(URLResolver):
    """A URLResolver whose resolve tries only the patterns that can match the path."""

    def _index(self):
        index, always = {}, []
        for position, pattern in enumerate(self.url_patterns):
            key = _index_key(pattern)
            if key is None:
                always.append((position, pattern))
            else:
                index.setdefault(key, []).append((position, pattern))
        self.__dict__["_indexed"] = (index, always, {})
        return self.__dict__["_indexed"]

    def resolve(self, path):
        match = self.pattern.match(str(path))
        if not match:
            return super().resolve(path)  # raises Resolver404 as Django does
        index, always, narrowed = self.__dict__.get("_indexed") or self._index()
        segments = match[0].split("/")
        n, first, last = len(segments), segments[0], segments[-1]
        found = [
            *always,
            *index.get((n, first, last), ()),
            *index.get((n, first, _ANY), ()),
            *index.get((n, _ANY, last), ()),
            *index.get((n, _ANY, _ANY), ()),
        ]
        found.sort(key=lambda pair: pair[0])
        key = tuple(position for position, _ in found)
        narrow = narrowed.get(key)
        if narrow is None:
            # A copy of this resolver that holds only these patterns: Django's own resolve runs
            # over them. One per distinct set of candidates (a handful), kept for the process.
            narrow = copy.copy(self)
            narrow.__dict__["url_patterns"] = [pattern for _, pattern in found]
            narrowed[key] = narrow
        return URLResolver.resolve(narrow, path)


def indexed(resolver: URLResolver) -> URLResolver:
    """`path("api/", api.urls)` as an IndexedResolver."""
    resolver.__class__ = IndexedResolver
    return resolver
