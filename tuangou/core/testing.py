"""Test helpers every app's tests share. The API clients that log in as people do (reading the
development SMS inbox) are in tuangou.accounts.testing: logging in is the accounts app's."""

import json


def ok(response, status: int = 200):
    """The JSON body of a response that must have this status (shows the body when it doesn't)."""
    content = body(response)
    assert response.status_code == status, f"{response.status_code}: {content.decode()[:800]}"
    return json.loads(content) if content else None


def body(response) -> bytes:
    """The bytes of a test client's response, built whole or streamed (a FileResponse), or of a real HTTP one."""
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
