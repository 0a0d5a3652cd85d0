"""The fonts text is drawn in (posters with Pillow, sheets with fpdf2), as one fallback chain.

Noto Sans SC has GB2312 and far more, but not every name a member types: 𠮷 (CJK Extension B,
outside the BMP) or an emoji came out as boxes on posters and vanished from PDF sheets. Each
character is drawn in the first font of the chain that has it:

1. Noto Sans SC (pylopdf-fonts-zh-cn, PyPI, OFL) — Chinese text as it was;
2. Noto Sans JP (pylopdf-fonts-jp, PyPI, OFL) — the same design, with 353 Extension B characters
   (𠮷 among them) in the same sans style;
3. HanaMin B (fonts-hanazono, Debian, OFL or the Hanazono licence) — all 42,711 of Extension B
   (and C–F); no PyPI package carries such a font, so `make install` and .ci/run install it;
4. Noto Emoji (manimgx-fonts, PyPI, OFL) — monochrome emoji that draw at any size, unlike the
   colour bitmap fonts.

Every one is pinned exactly (requirements.txt, and the Debian version in the Makefile and .ci/run).
"""

import importlib.resources
import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from .text import printable

logger = logging.getLogger("tuangou.fonts")
# fpdf2 subsets each font through fontTools, which logs every table at INFO: dozens of lines a sheet.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ChainFont:
    family: str  # the name fpdf2 registers it under
    path: str
    source: str  # the registry package it comes from


def _package_file(package: str, name: str) -> str:
    try:
        return str(importlib.resources.files(package).joinpath(name))
    except ModuleNotFoundError:
        return ""


def _chain_spec() -> list[ChainFont]:
    return [
        ChainFont(
            "NotoSansSC",
            _package_file("pylopdf_fonts_zh_cn", "NotoSansSC-Regular.otf"),
            "PyPI pylopdf-fonts-zh-cn==0.1.1",
        ),
        ChainFont(
            "NotoSansJP",
            _package_file("pylopdf_fonts_jp", "NotoSansJP-Regular.otf"),
            "PyPI pylopdf-fonts-jp==0.1.1",
        ),
        ChainFont("HanaMinB", "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", "Debian fonts-hanazono=20170904-2.1"),
        ChainFont(
            "NotoEmoji",
            _package_file("manimgx_fonts", "NotoEmoji[wght].ttf"),
            "PyPI manimgx-fonts==2026.9.26.post1",
        ),
    ]


@lru_cache(maxsize=1)
def chain() -> tuple[ChainFont, ...]:
    """The chain's fonts present on this machine, in order. The first is required; a missing
    fallback is logged and skipped, so a machine without it still draws (with boxes for what
    only it had) — tests/test_fonts checks that the whole chain is installed."""
    fonts = []
    for index, font in enumerate(_chain_spec()):
        if font.path and Path(font.path).is_file():
            fonts.append(font)
        elif index == 0:
            raise RuntimeError(f"the main font is missing: install {font.source}")
        else:
            logger.warning("fallback font %s is missing (install %s)", font.family, font.source)
    return tuple(fonts)


def primary() -> ChainFont:
    return chain()[0]


@lru_cache(maxsize=8)
def coverage(path: str) -> frozenset[int]:
    """The code points a font file maps to a glyph (its cmap)."""
    font = TTFont(path, lazy=True, fontNumber=0)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


@lru_cache(maxsize=8)
def covered_characters(path: str) -> frozenset[str]:
    """`coverage` as characters: a text's missing ones are then one set difference."""
    return frozenset(map(chr, coverage(path)))


def _joins_previous(char: str) -> bool:
    """Marks, variation selectors, ZWJ, skin tones: drawn with the character before them."""
    code = ord(char)
    return unicodedata.category(char) in ("Mn", "Me", "Cf") or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF


def font_for(char: str) -> ChainFont:
    """The first font of the chain that has `char`; the main font when none has it."""
    code = ord(char)
    for font in chain():
        if code in coverage(font.path):
            return font
    return primary()


def runs(text: str) -> list[tuple[ChainFont, str]]:
    """`text` split into runs of characters that share a font, in order (without the control
    characters no font draws: tuangou.core.text.printable)."""
    result: list[tuple[ChainFont, str]] = []
    for char in printable(text, one_line=True):
        font = result[-1][0] if result and _joins_previous(char) else font_for(char)
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + char)
        else:
            result.append((font, char))
    return result


def fallbacks_needed(texts) -> list[ChainFont]:
    """The fallback fonts some character of `texts` needs (loading HanaMin B into a PDF costs
    ~0.4 s, so a sheet registers only those it uses)."""
    needed = set()
    # Each character once (a sorting list is 10^5 names of a few hundred characters).
    for char in set("".join(map(str, texts))).difference(covered_characters(primary().path)):
        if not _joins_previous(char):
            font = font_for(char)
            if font != primary():
                needed.add(font)
    return [font for font in chain() if font in needed]
