"""The one language switch. Django's LocaleMiddleware picks the language once per request (the
Accept-Language header, else zh-hans) and activates it; everything that speaks to a person — error
messages, choice labels, sheets, server-painted pages — asks here instead of reading headers.

A job run outside a request (an export worker) activates the language it was asked in with
translation.override(language).
"""

from django.utils import translation
from django.utils.functional import lazy

CHINESE = "zh-hans"
ENGLISH = "en"


def normalize(language: str | None) -> str:
    """en or zh-hans: any language code reduced to the two we speak."""
    return ENGLISH if (language or "").startswith("en") else CHINESE


def current_language() -> str:
    """The active language (the request's, or the one a job overrode), as en or zh-hans."""
    return normalize(translation.get_language())


def is_english() -> bool:
    return current_language() == ENGLISH


def pick(zh: str, en: str) -> str:
    """The text for the active language."""
    return en if is_english() else zh


# Lazy, like gettext_lazy: the language is read when the text is shown, not when it is built.
bilingual = lazy(pick, str)
