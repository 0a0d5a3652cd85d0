"""The campaign poster: a 750×1334 PNG in a real Chinese font whose QR code opens the campaign
with the leader's attribution; drawn once per content and cached."""

from io import BytesIO

import pytest
from django.conf import settings as django_settings
from PIL import Image, ImageDraw, ImageFont

from tuangou.campaigns.models import Campaign
from tuangou.core import fonts
from tuangou.leaders.models import Leader
from tuangou.sharing import images

from .factories import decode_qr, given_campaign, phone_client, png_size, product_photo

pytestmark = pytest.mark.django_db


def glyph(font, char: str) -> bytes:
    canvas = Image.new("L", (60, 60), 0)
    ImageDraw.Draw(canvas).text((5, 0), char, font=font, fill=255)
    return canvas.tobytes()


def poster_path(world) -> str:
    return f"shops/{world.shop.id}/leader/campaigns/{world.campaign.id}/poster.png"


def test_poster_qr_opens_the_campaign_with_the_leaders_attribution(settings):
    settings.SITE_URL = "https://tuangou.example.cn"
    world = given_campaign()
    leader = phone_client(world.leader.user)

    response = leader.get(poster_path(world))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert png_size(response.content) == (750, 1334)
    assert (
        decode_qr(response.content)
        == f"https://tuangou.example.cn/h5/s/{world.shop.id}/campaigns/{world.campaign.id}?leader={world.leader.id}"
    )


def test_poster_text_is_drawn_with_noto_sans_sc_not_empty_boxes():
    # Given the font the posters use
    font = images.font(40)
    assert font.path == images.font_path()
    assert font.getname()[0] == "Noto Sans SC"
    # When 团 and 购 are drawn, then each is its own glyph, not the missing-glyph box that a
    # character outside the font (a private-use code point) gets
    box, tuan, gou = glyph(font, "\ue000"), glyph(font, "团"), glyph(font, "购")
    assert box not in (tuan, gou)
    assert tuan.count(255) > 0
    assert tuan != gou
    # ... and "团购" advances by the two glyphs' widths (an em each in a CJK font)
    assert font.getlength("团购") == font.getlength("团") + font.getlength("购") == 80


def test_poster_shows_the_first_product_photo_when_there_is_one():
    world = given_campaign()
    product_photo(world.shop, world.milk.sku.product, colour=(200, 30, 30))
    leader = phone_client(world.leader.user)

    poster = Image.open(BytesIO(leader.get(poster_path(world)).content)).convert("RGB")

    assert poster.getpixel((375, 418)) == (200, 30, 30)  # the middle of the picture area


def test_poster_without_a_photo_shows_a_colour_block_with_the_product_name():
    world = given_campaign()
    leader = phone_client(world.leader.user)

    poster = Image.open(BytesIO(leader.get(poster_path(world)).content)).convert("RGB")

    assert poster.getpixel((60, 150)) in images.BLOCK_COLOURS
    expected = Image.open(BytesIO(images.png_bytes(images.colour_block("土鸡蛋", (690, 580))))).convert("RGB")
    assert poster.crop((30, 128 + 200, 720, 128 + 380)).tobytes() == expected.crop((0, 200, 690, 380)).tobytes()


def test_poster_is_cached_by_content_and_redrawn_when_the_content_changes():
    world = given_campaign()
    leader = phone_client(world.leader.user)
    posters = django_settings.MEDIA_ROOT / "posters"

    first = leader.get(poster_path(world))
    again = leader.get(poster_path(world))
    not_modified = leader.get(poster_path(world), headers={"If-None-Match": first["ETag"]})

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert not_modified.status_code == 304
    assert len(list(posters.glob("campaign-*.png"))) == 1

    Campaign.objects.filter(pk=world.campaign.pk).update(title="周末鲜蛋团（加量）")
    changed = leader.get(poster_path(world))

    assert changed["ETag"] != first["ETag"]
    assert len(list(posters.glob("campaign-*.png"))) == 2


def test_characters_the_main_font_lacks_are_drawn_from_the_fallback_chain_not_as_boxes():
    def drawn(text: str) -> bytes:
        canvas = Image.new("L", (60, 60), 0)
        images.draw_text(ImageDraw.Draw(canvas), (5, 0), text, 40, 255)
        return canvas.tobytes()

    box = glyph(images.font(40), "\U000f0000")  # no font has a plane-15 private-use character
    assert drawn("\U000f0000") == box
    for char in "𠮷😀":
        assert drawn(char) != box
        assert drawn(char).count(255) > 50
    # 𠮷 is Noto Sans JP's glyph, drawn on the main font's baseline
    jp = ImageFont.truetype(fonts.font_for("𠮷").path, 40)
    canvas = Image.new("L", (60, 60), 0)
    ImageDraw.Draw(canvas).text((5, images.font(40).getmetrics()[0]), "𠮷", font=jp, fill=255, anchor="ls")
    assert drawn("𠮷") == canvas.tobytes()
    assert images.text_width("𠮷😀", 40) == jp.getlength("𠮷") + images._face(fonts.font_for("😀").path, 40).getlength(
        "😀"
    )


def test_a_leader_named_with_a_character_outside_the_bmp_is_on_the_poster_not_a_box():
    world = given_campaign()
    leader = phone_client(world.leader.user)
    # the first character of the name, after 团长：, in the card at the foot of the poster
    left = 60 + int(images.text_width("团长：", 30))
    region = (left, 1100, left + 34, 1150)

    Leader.objects.filter(pk=world.leader.pk).update(name="𠮷田")
    named = Image.open(BytesIO(leader.get(poster_path(world)).content)).convert("L").crop(region)
    Leader.objects.filter(pk=world.leader.pk).update(name="\U000f0000田")
    boxed = Image.open(BytesIO(leader.get(poster_path(world)).content)).convert("L").crop(region)

    assert named.tobytes() != boxed.tobytes()
    assert named.getextrema()[0] < 100  # ink is there


def test_a_long_leader_name_wraps_instead_of_ending_in_an_ellipsis():
    content = {
        "shop_name": "鲜果小铺",
        "title": "周末鲜果团",
        "price_fen": 1290,
        "cutoff_label": "11月30日 20:00",
        "link": "https://tuangou.example.cn/h5/s/1/campaigns/1",
        "leader_name": "海韵花园三期东门水果店的陈丽团长",
        "point_name": "海韵花园自提点",
        "point_address": "思明区海韵路8号",
    }
    width = images.WIDTH - 60 - 200 - 24 - 60

    lines = images.wrap(f"团长：{content['leader_name']}", 30, width)

    assert len(lines) == 2 and "".join(lines) == f"团长：{content['leader_name']}"
    assert not lines[-1].endswith("…")
    assert images.render_campaign_poster(content).startswith(b"\x89PNG")


def test_a_long_shop_name_shrinks_then_wraps_instead_of_ending_in_an_ellipsis():
    name = "厦门思明区海韵花园三期东门社区生鲜团购旗舰店"

    size, lines = images.fit(name, (34, 28, 24), 420, 2)

    assert (size, len(lines), "".join(lines)) == (24, 2, name)
    assert images.fit("鲜果小铺", (34, 28, 24), 420, 2) == (34, ["鲜果小铺"])
