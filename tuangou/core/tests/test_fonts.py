"""The font fallback chain posters and PDF sheets draw text with (tuangou/core/fonts.py), and how a
member is named to others (tuangou/core/phones.py public_name)."""

from tuangou.core import fonts
from tuangou.core.phones import public_name

RARE = "𠮷䶮龘😀"  # CJK Extension B (outside the BMP), Extension A, a 64-stroke URO character, an emoji


def test_the_whole_chain_is_installed_in_order():
    assert [font.family for font in fonts.chain()] == ["NotoSansSC", "NotoSansJP", "HanaMinB", "NotoEmoji"]


def test_every_rare_character_is_in_some_font_of_the_chain():
    for char in RARE:
        assert any(ord(char) in fonts.coverage(font.path) for font in fonts.chain()), char


def test_each_character_gets_the_first_font_that_has_it():
    assert [(char, fonts.font_for(char).family) for char in "团𠮷䶮龘😀"] == [
        ("团", "NotoSansSC"),
        ("𠮷", "NotoSansJP"),
        ("䶮", "NotoSansSC"),
        ("龘", "NotoSansSC"),
        ("😀", "NotoEmoji"),
    ]
    # 𡒄 (Extension B too) is not in Noto Sans JP: HanaMin B has all of Extension B
    assert fonts.font_for("𡒄").family == "HanaMinB"
    assert sum(1 for code in fonts.coverage(fonts.font_for("𡒄").path) if 0x20000 <= code <= 0x2A6DF) > 42000


def test_text_splits_into_runs_per_font_and_a_variation_selector_stays_with_its_emoji():
    assert [(font.family, run) for font, run in fonts.runs("𠮷野家 ☺\ufe0f好")] == [
        ("NotoSansJP", "𠮷"),
        ("NotoSansSC", "野家 "),
        ("NotoEmoji", "☺\ufe0f"),
        ("NotoSansSC", "好"),
    ]


def test_a_sheet_loads_only_the_fallbacks_its_text_needs():
    assert fonts.fallbacks_needed(["土鸡蛋", "张**"]) == []
    assert [font.family for font in fonts.fallbacks_needed(["𠮷野家", "😀", "𡒄"])] == [
        "NotoSansJP",
        "HanaMinB",
        "NotoEmoji",
    ]


def test_a_member_without_a_name_is_shown_by_their_masked_phone():
    assert public_name("p13812341234", "13812341234") == "138****1234"
    assert public_name("", "13812341234") == "138****1234"
    assert public_name("p13812341234") == "138****1234"
    assert public_name("张三丰", "13812341234") == "张**"
    assert public_name("", "") == "匿名"
