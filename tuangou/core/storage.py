"""Uploaded images and generated exports in S3-compatible object storage (Aliyun OSS, Tencent COS,
MinIO) when settings.STORAGE_S3_BUCKET is set; local disk (MEDIA_ROOT) otherwise.

Public pictures get plain URLs (the bucket policy lets anyone read products/ and campaigns/, see
docs/deploy.md), so pages and share cards can cache them. Names under PRIVATE_PREFIXES (exports
with members' phones) are only ever handed out as signed URLs that expire; the API checks the
caller's permission first and then redirects to one (tuangou/core/downloads.py)."""

from django.conf import settings
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Posters carry one leader's attribution: handed out by the API after its check, as exports are.
PRIVATE_PREFIXES = ("exports/", "posters/")


class ObjectStorage(S3Storage):
    querystring_auth = False

    def signed_url(self, name: str, expire: int, parameters: dict | None = None) -> str:
        key = self._normalize_name(clean_name(name))
        return self.connection.meta.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket.name, "Key": key, **(parameters or {})}, ExpiresIn=expire
        )

    def url(self, name, parameters=None, expire=None, http_method=None):
        if clean_name(name).startswith(PRIVATE_PREFIXES):
            return self.signed_url(name, expire or settings.EXPORT_URL_SECONDS, parameters)
        return super().url(name, parameters, expire, http_method)
