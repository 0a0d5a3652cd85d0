"""Posters with object storage (moto's S3 server on a local port, as for exports): drawn once into
the bucket, handed to the leader as a redirect to a signed URL that lives EXPORT_URL_SECONDS, and
never by a plain URL; nothing is written to local disk."""

import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage

from tuangou.fulfilment.tests.test_export_object_storage import BUCKET, object_storage, s3_endpoint  # noqa: F401

from .factories import decode_qr, given_campaign, phone_client, png_size

pytestmark = pytest.mark.django_db


def test_a_poster_lands_in_object_storage_and_downloads_through_a_signed_url(object_storage):  # noqa: F811
    world = given_campaign()
    leader = phone_client(world.leader.user)
    path = f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/poster.png"

    response = leader.get(path)
    assert response.status_code == 302, response.content
    [stored] = object_storage.list_objects_v2(Bucket=BUCKET, Prefix="posters/")["Contents"]
    signed = urlparse(response["Location"])
    query = parse_qs(signed.query)
    assert signed.path == f"/{BUCKET}/{stored['Key']}"
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    with urllib.request.urlopen(response["Location"], timeout=10) as download:
        png = download.read()
    assert png_size(png) == (750, 1334)
    assert f"/campaigns/{world.campaign.id}?leader={world.leader.id}" in decode_qr(png)
    assert not list((Path(django_settings.MEDIA_ROOT) / "posters").glob(f"{Path(stored['Key']).stem}*"))

    again = leader.get(path)  # drawn once: the same object, no second one
    assert again.status_code == 302
    assert len(object_storage.list_objects_v2(Bucket=BUCKET, Prefix="posters/")["Contents"]) == 1
    assert "X-Amz-Signature" in default_storage.url(stored["Key"])  # never a plain, public URL

    stranger = phone_client(given_campaign().leader.user)  # a leader of another shop
    assert stranger.get(path).status_code in (403, 404)
