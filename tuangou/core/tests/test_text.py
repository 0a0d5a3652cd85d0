import unicodedata

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tuangou.core import fonts
from tuangou.core.text import _BREAKS, _UNPRINTABLE, printable


def test_control_and_invisible_format_characters_are_dropped_and_joiners_kept():
    typed = "\x00张\x07三\x1b丰\x7f\x85\u200b\ufeff\u202e👨\u200d👩\ufe0f"

    assert printable(typed) == "张三丰👨\u200d👩\ufe0f"


def test_line_breaks_stay_unless_the_text_must_be_one_line():
    assert printable("一\r\n二\t三\n") == "一\r\n二\t三\n"
    assert printable("一\r\n二\t三\n", one_line=True) == "一 二 三 "


def test_every_control_and_format_character_of_the_bmp_is_dropped_and_nothing_else():
    # the list in tuangou/core/text.py against this Python's Unicode database
    kept = {"\t", "\n", "\r", "\u200c", "\u200d"}
    bmp = [chr(code) for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF]
    dropped = [c for c in bmp if unicodedata.category(c) in ("Cc", "Cf") and c not in kept]

    assert printable("".join(bmp)) == "".join(c for c in bmp if c not in dropped)
    assert printable("\U000e0001\U000e0041\U0001d173") == ""


def test_what_excel_cannot_hold_is_a_subset_of_what_is_dropped():
    illegal = "".join(chr(code) for code in range(0x20) if ILLEGAL_CHARACTERS_RE.match(chr(code)))

    assert printable(illegal) == ""


def test_posters_draw_no_box_for_a_control_character():
    # every text on a poster is drawn and measured run by run (tuangou.sharing.images)
    assert [(font.family, run) for font, run in fonts.runs("张\x07三\u202e丰\t😀")] == [
        ("NotoSansSC", "张三丰 "),
        ("NotoEmoji", "😀"),
    ]


def test_a_text_str_isprintable_accepts_is_one_the_character_list_leaves_as_it_is():
    # printable() answers such a text at once: none of its characters may be one the list drops
    planes = [*range(0x10000), *range(0x10000, 0x20000), *range(0xE0000, 0xE0200)]
    accepted = [chr(code) for code in planes if chr(code).isprintable()]
    assert not [c for c in accepted if _BREAKS.sub(" ", _UNPRINTABLE.sub("", c)) != c]
    assert printable("张三丰 𠮷😀 138") == "张三丰 𠮷😀 138"
