"""Text a person typed, made fit to print: every Excel cell (tuangou.core.excel) and every PDF text
(tuangou.fulfilment.exports) goes through `printable`.

What members and merchants type may hold characters no sheet can show: control characters (a
pasted BEL or ESC, a NUL on a database that keeps one) make openpyxl raise IllegalCharacterError
(the whole export answered 500) and fpdf2 log a missing glyph and print nothing in their place;
invisible format characters (zero-width space, byte-order mark, a right-to-left override that
turns a name round) are in no font of the chain either. They are dropped. Tab and line breaks
stay (a remark may have lines) unless the text must stand on one line, where they become spaces.
Joiners and variation selectors stay: they make one emoji out of several code points.
"""

import re

# Unicode's control (Cc: C0 with NUL, DEL, C1) and format (Cf) characters, but tab, LF, CR and the
# joiners U+200C/U+200D (Unicode 14; tuangou/core/tests/test_text.py checks the list against Python's).
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2"
    "\u180e\u200b\u200e-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_BREAKS = re.compile(r"\r\n|[\t\n\r]")


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` without the characters no sheet can show; with `one_line`, tabs and line breaks
    become spaces."""
    if text.isprintable():  # no control, format or line-break character: nothing to do (most texts)
        return text
    text = _UNPRINTABLE.sub("", text)
    return _BREAKS.sub(" ", text) if one_line else text
