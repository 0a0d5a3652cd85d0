"""Rendering shareable images, cached by content hash (on local disk, or in object storage when
there is one): the same poster is drawn once, and a change of anything drawn on it (price,
title, leader, point, picture) draws a new one."""

import hashlib
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from . import images

# Bump when the drawing code changes, so cached posters of the old look are not served.
RENDER_VERSION = 1
RENDERERS = {
    "campaign": images.render_campaign_poster,
    "recruitment": images.render_recruitment_poster,
}


def poster_name(*, content: dict) -> str:
    """Its name in storage: the content's hash, so a change draws a new one."""
    digest = hashlib.sha256(
        json.dumps([RENDER_VERSION, content], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return f"posters/{content['kind']}-{digest[:32]}.png"


def poster_cache_path(*, content: dict) -> Path:
    return Path(settings.MEDIA_ROOT) / poster_name(content=content)


def poster_stored(*, content: dict, storage) -> tuple[str, str]:
    """Object storage (tuangou/core/storage.py): the poster's name there and its ETag, drawn and
    put once (one PUT: a reader sees the whole file or none). Every web machine shares it."""
    name = poster_name(content=content)
    if not storage.exists(name):
        name = storage.save(name, ContentFile(RENDERERS[content["kind"]](content)))
    return name, Path(name).stem


def poster_render(*, content: dict) -> tuple[bytes, str]:
    """The poster PNG for this content and its hash (an ETag), from the cache when drawn before.
    Written through a temporary file and renamed, so a reader never sees half a file."""
    path = poster_cache_path(content=content)
    etag = path.stem
    if path.exists():
        return path.read_bytes(), etag
    png = RENDERERS[content["kind"]](content)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        file.write(png)
    os.replace(temporary, path)
    return png, etag
