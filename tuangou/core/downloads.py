"""Stored files handed to a caller the API has already checked."""

from django.conf import settings
from django.http import FileResponse, HttpResponseRedirect


def signed_redirect(storage, name: str, content_type: str, disposition: str) -> HttpResponseRedirect:
    """A redirect to a signed URL of a file in object storage that lives EXPORT_URL_SECONDS."""
    parameters = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition}
    return HttpResponseRedirect(storage.signed_url(name, settings.EXPORT_URL_SECONDS, parameters))


def file_download(field_file, content_type: str, disposition: str):
    """A stored file as an attachment: streamed from local disk, or a redirect to a signed URL that
    lives EXPORT_URL_SECONDS when it is in object storage (the bytes never pass through us)."""
    storage = field_file.storage
    if hasattr(storage, "signed_url"):  # ObjectStorage (tuangou/core/storage.py)
        return signed_redirect(storage, field_file.name, content_type, disposition)
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = disposition
    return response
