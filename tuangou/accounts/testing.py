"""Test helpers: JSON clients over Django's test client (and over real HTTP) that log in the way real
clients do — a password, or a phone and the SMS code read from the development inbox."""

import json
import urllib.request

from django.test import Client

from tuangou.core.testing import ok

from .privacy import PRIVACY_POLICY_VERSION
from .sms import last_code_for

# What the H5 login page sends once the person ticked 我已阅读并同意《隐私政策》.
PRIVACY_CONSENT = {"agree_privacy": True, "privacy_version": PRIVACY_POLICY_VERSION}


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
        response = self.post("auth/sms/login", {"phone": phone, "code": last_code_for(phone), **PRIVACY_CONSENT})
        assert response.status_code == 200, response.content
        self._refresh_csrf()
        return response.json()


class HttpResponse:
    """The bits of a response the tests read, from a real HTTP exchange."""

    def __init__(self, status: int, headers, content: bytes):
        self.status_code = status
        self.headers = headers
        self.content = content

    def json(self):
        import json as _json

        return _json.loads(self.content)

    def __getitem__(self, name):
        return self.headers.get(name)


class HttpApiClient:
    """Like ApiClient, but over real HTTP to a running server (pytest-django's live_server):
    cookies in a jar, the CSRF token sent back as a browser's JavaScript would."""

    def __init__(self, base_url: str, language: str | None = None):
        import http.cookiejar
        import urllib.request

        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.language = language
        self.token: str | None = None

    def _cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def raw(self, method: str, url: str, body: bytes | None = None, headers=None) -> HttpResponse:
        import urllib.error
        import urllib.request

        if url.startswith("/"):
            url = self.base_url + url
        request = urllib.request.Request(url, data=body, method=method.upper(), headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return HttpResponse(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, error.headers, error.read())

    def request(self, method: str, path: str, data=None, headers=None):
        import urllib.parse

        if not path.startswith("/"):
            path = "/api/" + path
        all_headers = {"Accept": "application/json"}
        if self.language:
            all_headers["Accept-Language"] = self.language
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if method == "get":
            if data:
                path += "?" + urllib.parse.urlencode(data)
        else:
            if self._cookie("csrftoken") is None:
                self.raw("get", "/api/auth/csrf")
            all_headers["X-CSRFToken"] = self._cookie("csrftoken") or ""
            all_headers["Referer"] = self.base_url + "/"
            all_headers["Content-Type"] = "application/json"
            body = json.dumps(data if data is not None else {}).encode()
        all_headers.update(headers or {})
        return self.raw(method, path, body, all_headers)

    def get(self, path, params=None, **kw):
        return self.request("get", path, params, **kw)

    def post(self, path, data=None, **kw):
        return self.request("post", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("patch", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.request("put", path, data, **kw)

    def post_form(self, url: str, fields: dict) -> HttpResponse:
        """Submit an HTML form as a browser does (with the page's CSRF cookie and a Referer)."""
        import urllib.parse

        if self._cookie("csrftoken") is None:
            self.raw("get", url)
        fields = {"csrfmiddlewaretoken": self._cookie("csrftoken") or "", **fields}
        return self.raw(
            "post",
            url,
            urllib.parse.urlencode(fields).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base_url + "/",
            },
        )

    def login_password(self, username: str, password: str):
        return ok(self.post("auth/login", {"username": username, "password": password}))

    def login_sms(self, phone: str):
        ok(self.post("auth/sms/send", {"phone": phone}))
        return ok(self.post("auth/sms/login", {"phone": phone, "code": last_code_for(phone), **PRIVACY_CONSENT}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Show redirects to the test instead of following them."""

    def redirect_request(self, *args, **kwargs):
        return None
