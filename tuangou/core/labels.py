"""Choice labels in both languages: a label is Chinese unless the request asked for English."""

from django.utils import translation
from django.utils.functional import lazy


def _pick(zh: str, en: str) -> str:
    return en if (translation.get_language() or "").startswith("en") else zh


# Lazy, like gettext_lazy: the language is read when the label is shown, not at import.
bilingual = lazy(_pick, str)
