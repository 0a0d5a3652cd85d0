"""The Django admin speaks Chinese by default.

LocaleMiddleware picks the language from the browser's Accept-Language, so an operator whose
browser says en-US got an English admin although LANGUAGE_CODE is zh-hans. Under /admin/ the
site's language wins; an operator who wants English sets the django_language cookie."""

from django.conf import settings
from django.utils import translation


class AdminLanguageMiddleware:
    """Goes right after django.middleware.locale.LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        if request.path_info.startswith("/admin/"):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
