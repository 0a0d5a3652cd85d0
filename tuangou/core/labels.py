"""Choice labels in both languages: a label is Chinese unless the request asked for English."""

from .i18n import bilingual

__all__ = ["bilingual"]
