"""Test helpers: a JSON client over Django's test client that logs in the way real clients do."""
import json

from django.test import Client

from tuangou.accounts.sms import last_code_for


class ApiClient:
    """Talks to /api/ with JSON, carrying a session cookie (and CSRF token) or a bearer token."""

    def __init__(self, language: str | None = None):
        self.client = Client(enforce_csrf_checks=True)
        self.token: str | None = None
        self.language = language
        self.csrf: str | None = None

    def _headers(self, extra=None):
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        if self.language:
            headers["Accept-Language"] = self.language
        headers.update(extra or {})
        return headers

    def _refresh_csrf(self):
        response = self.client.get("/api/auth/csrf")
        self.csrf = response.json()["csrf_token"]

    def request(self, method: str, path: str, data=None, headers=None, **kwargs):
        if not path.startswith("/"):
            path = "/api/" + path
        if method != "get" and self.csrf is None and not self.token:
            self._refresh_csrf()
        call = getattr(self.client, method)
        if method == "get":
            return call(path, data, headers=self._headers(headers), **kwargs)
        if "files" in kwargs:
            files = kwargs.pop("files")
            return call(path, {**(data or {}), **files}, headers=self._headers(headers), **kwargs)
        body = json.dumps(data if data is not None else {})
        return call(path, body, content_type="application/json", headers=self._headers(headers), **kwargs)

    def get(self, path, params=None, **kw):
        return self.request("get", path, params, **kw)

    def post(self, path, data=None, **kw):
        return self.request("post", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("patch", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.request("put", path, data, **kw)

    def delete(self, path, data=None, **kw):
        return self.request("delete", path, data, **kw)

    # --- logging in as real clients do ----------------------------------------------
    def login_password(self, username: str, password: str):
        response = self.post("auth/login", {"username": username, "password": password})
        assert response.status_code == 200, response.content
        self._refresh_csrf()  # Django rotates the CSRF token at login
        return response.json()

    def login_sms(self, phone: str):
        sent = self.post("auth/sms/send", {"phone": phone})
        assert sent.status_code == 200, sent.content
        response = self.post("auth/sms/login", {"phone": phone, "code": last_code_for(phone)})
        assert response.status_code == 200, response.content
        self._refresh_csrf()
        return response.json()


def ok(response, status: int = 200):
    """The JSON body of a response that must have this status (shows the body when it doesn't)."""
    assert response.status_code == status, f"{response.status_code}: {response.content.decode()[:800]}"
    return response.json() if response.content else None
