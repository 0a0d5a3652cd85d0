"""Exports in S3-compatible object storage (tuangou/core/storage.py), against a real S3 API server
on a local port (moto's server standing in for Aliyun OSS / Tencent COS / MinIO): the sheet is
built into the bucket, the download answers a redirect to a signed URL that lives
EXPORT_URL_SECONDS, and that URL gives the same bytes; pictures get plain URLs."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.core.files.storage import default_storage, storages
from openpyxl import load_workbook

from tuangou.core.storage import ObjectStorage
from tuangou.fulfilment.tests.test_exports import sold, start  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
BUCKET = "tuangou-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    child = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError as error:
            if getattr(error, "code", None):
                break
            time.sleep(0.1)
    try:
        yield endpoint
    finally:
        child.terminate()
        child.wait(timeout=10)


@pytest.fixture
def object_storage(settings, s3_endpoint):
    keys = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=s3_endpoint, **keys).create_bucket(Bucket=BUCKET)
    settings.EXPORT_URL_SECONDS = 120
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tuangou.core.storage.ObjectStorage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test-key",
                "secret_key": "test-secret",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    assert isinstance(storages["default"], ObjectStorage)
    return boto3.client("s3", endpoint_url=s3_endpoint, **keys)


def test_an_export_in_object_storage_downloads_through_a_short_lived_signed_url(
    sold,  # noqa: F811
    object_storage,
    django_capture_on_commit_callbacks,
):
    started = start(sold, django_capture_on_commit_callbacks).json()
    job = sold["client"].get(f"{sold['base']}/exports/{started['id']}").json()
    assert job["status"] == "done"
    [stored] = object_storage.list_objects_v2(Bucket=BUCKET, Prefix="exports/")["Contents"]

    response = sold["client"].get(job["download_url"])
    assert response.status_code == 302
    signed = urlparse(response["Location"])
    query = parse_qs(signed.query)
    assert signed.path == f"/{BUCKET}/{stored['Key']}"
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    assert query["response-content-disposition"][0].startswith("attachment;")
    with urllib.request.urlopen(response["Location"], timeout=10) as download:
        body = download.read()  # (the file name rides in response-content-disposition, which moto ignores)
    sheet = load_workbook(__import__("io").BytesIO(body)).active
    assert any("土鸡蛋" in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)

    # Someone else's shop: the API refuses before any URL is made.
    from tuangou.fulfilment.tests.factories import staff_client
    from tuangou.shops.tests.factories import ShopFactory

    stranger = staff_client(ShopFactory(), role="owner")
    assert stranger.get(job["download_url"]).status_code == 404


def test_pictures_get_plain_urls_and_exports_only_signed_ones(object_storage):
    assert "X-Amz-Signature" not in default_storage.url("products/2026/11/mango.png")
    assert "X-Amz-Signature" in default_storage.url("exports/1/sheet.xlsx")
