"""Drawing the shareable images with Pillow: QR codes, the campaign poster for moments (朋友圈海报)
and the recruitment poster. Each renderer takes the plain dict a selector built, so the
content hash that names the cached file covers everything that is drawn."""

import hashlib
import io
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont, ImageOps
from qrcode.constants import ERROR_CORRECT_M

from tuangou.core import fonts

WIDTH, HEIGHT = 750, 1334
GREEN = (7, 193, 96)
RED = (238, 10, 36)
INK = (50, 50, 51)
GREY = (150, 151, 153)
PAPER = (255, 255, 255)
BACKGROUND = (247, 248, 250)
# Muted, food-friendly colours for a product without a photo; picked by the name's hash.
BLOCK_COLOURS = [(255, 138, 101), (102, 187, 106), (255, 183, 77), (77, 182, 172), (240, 98, 146), (121, 134, 203)]


def font_path() -> str:
    return fonts.primary().path


@lru_cache(maxsize=64)
def _face(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def font(size: int) -> ImageFont.FreeTypeFont:
    """The main font (Noto Sans SC); text goes through draw_text, which falls back per character."""
    return _face(font_path(), size)


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int, fill, stroke_width: int = 0):
    """Draw `text` at xy (its top, as Pillow's default anchor), each run of characters in the
    first font of the chain that has them, all on the main font's baseline: 𠮷 and 😀 are drawn,
    not the main font's missing-glyph box."""
    x, y = xy
    baseline = y + font(size).getmetrics()[0]
    for chain_font, run in fonts.runs(text):
        face = _face(chain_font.path, size)
        draw.text((x, baseline), run, font=face, fill=fill, anchor="ls", stroke_width=stroke_width, stroke_fill=fill)
        x += face.getlength(run)


# --- QR codes --------------------------------------------------------------------------------


def qr_image(text: str, size: int) -> Image.Image:
    """A square QR code of about `size` px with its quiet zone, crisp modules (no smoothing)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    modules = matrix.size[0]
    scale = max(size // modules, 1)  # whole pixels per module keep every module the same width
    return matrix.resize((modules * scale, modules * scale), Image.NEAREST)


def qr_png(text: str, size: int = 480) -> bytes:
    """The QR code of `text` as PNG bytes, about `size` px square."""
    return png_bytes(qr_image(text, size))


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- text helpers ----------------------------------------------------------------------------


def text_width(text: str, size: int) -> float:
    return sum(_face(chain_font.path, size).getlength(run) for chain_font, run in fonts.runs(text))


def wrap(text: str, size: int, width: int, max_lines: int = 99) -> list[str]:
    """Break by measured width (Chinese has no spaces to break at). Names get the lines they
    need; only a text longer than `max_lines` (a box that cannot grow) ends with an ellipsis."""
    lines, current = [], ""
    for char in " ".join((text or "").split()):
        if text_width(current + char, size) > width:
            lines.append(current)
            current = char.lstrip()
            if len(lines) == max_lines:
                break
        else:
            current += char
    else:
        if current:
            lines.append(current)
        return lines
    last = lines[-1]
    while last and text_width(last + "…", size) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


def fit(text: str, sizes: tuple[int, ...], width: int, max_lines: int) -> tuple[int, list[str]]:
    """A name in a box that cannot grow: the largest of `sizes` at which it fits on one line, else
    wrapped at the smallest; an ellipsis only past `max_lines` lines at the smallest size."""
    for size in sizes[:-1]:
        lines = wrap(text, size, width)
        if len(lines) == 1:
            return size, lines
    return sizes[-1], wrap(text, sizes[-1], width, max_lines)


def _draw_lines(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    lines: list[str],
    size: int,
    fill,
    spacing: float = 1.4,
    bold: bool = False,
) -> int:
    """Draw lines top-down from xy; returns the y below the last line."""
    x, y = xy
    for line in lines:
        draw_text(draw, (x, y), line, size, fill, stroke_width=1 if bold else 0)
        y += int(size * spacing)
    return y


def _rounded(image: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, *image.size), radius=radius, fill=255)
    rounded = Image.new("RGBA", image.size, (0, 0, 0, 0))
    rounded.paste(image.convert("RGB"), (0, 0), mask)
    return rounded


def colour_block(name: str, size: tuple[int, int]) -> Image.Image:
    """A product without a photo: a calm colour with its name large in the middle."""
    digest = hashlib.sha256((name or "").encode()).digest()
    colour = BLOCK_COLOURS[digest[0] % len(BLOCK_COLOURS)]
    block = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(block)
    width, height = size
    # Two soft circles give the flat block some depth without competing with the name.
    light = tuple(min(255, c + 28) for c in colour)
    draw.ellipse((width * 0.55, -height * 0.2, width * 1.3, height * 0.55), fill=light)
    draw.ellipse((-width * 0.3, height * 0.6, width * 0.45, height * 1.35), fill=light)
    text_size = 88 if len(name or "") <= 5 else 64
    lines = wrap(name or "好物", text_size, width - 120, 3)
    line_height = int(text_size * 1.3)
    y = (height - line_height * len(lines)) // 2
    for line in lines:
        x = (width - text_width(line, text_size)) / 2
        draw_text(draw, (x, y), line, text_size, PAPER, stroke_width=2)
        y += line_height
    return block


def _product_picture(content: dict, size: tuple[int, int]) -> Image.Image:
    source = content.get("image_path")
    if source:
        try:
            with Image.open(source) as opened:
                return ImageOps.fit(ImageOps.exif_transpose(opened).convert("RGB"), size, Image.LANCZOS)
        except (OSError, ValueError):
            pass  # a missing or broken file still gets a poster
    return colour_block(content.get("product_name") or content["title"], size)


def _strike(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int, fill) -> None:
    x, y = xy
    draw_text(draw, (x, y), text, size, fill)
    _, top, _, bottom = draw.textbbox((x, y), text, font=font(size))
    middle = (top + bottom) / 2
    draw.line((x - 2, middle, x + text_width(text, size) + 2, middle), fill=fill, width=2)


def _fen(amount_fen: int) -> str:
    yuan, fen = divmod(int(amount_fen), 100)
    return f"{yuan}.{fen:02d}"


# --- the campaign poster -------------------------------------------------------------------


def render_campaign_poster(content: dict) -> bytes:
    """750×1334: shop band, product picture, title, price from (original struck through),
    cut-off, and a card with the leader, the pickup point and the QR code of the leader's link."""
    poster = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(poster)

    draw.rectangle((0, 0, WIDTH, 104), fill=GREEN)
    badge = "社区团购 · 团长推荐"
    badge_left = WIDTH - 32 - text_width(badge, 24)
    draw_text(draw, (badge_left, 40), badge, 24, PAPER)
    size, shop = fit(content["shop_name"], (34, 28, 24), int(badge_left - 32 - 24), 2)
    _draw_lines(draw, (32, (104 - len(shop) * int(size * 1.4)) // 2 + 2), shop, size, PAPER, bold=True)

    picture = _rounded(_product_picture(content, (690, 580)), 20)
    poster.paste(picture, (30, 128), picture)

    card_top, card_bottom = 728, 1058
    draw.rounded_rectangle((30, card_top, WIDTH - 30, card_bottom), radius=20, fill=PAPER)
    title = wrap(content["title"], 40, 630, 2)
    y = _draw_lines(draw, (60, card_top + 26), title, 40, INK, spacing=1.35, bold=True)
    y = card_top + 26 + 2 * 54 + 14 if len(title) > 1 else y + 30
    price_text = _fen(content["price_fen"])
    draw_text(draw, (58, y + 20), "¥", 40, RED)
    draw_text(draw, (86, y), price_text, 72, RED, stroke_width=1)
    x = 86 + text_width(price_text, 72) + 6
    if content.get("has_several_prices"):
        draw_text(draw, (x, y + 36), "起", 30, RED)
        x += text_width("起", 30) + 6
    original = content.get("original_price_fen")
    if original and original > content["price_fen"]:
        _strike(draw, (x + 16, y + 36), f"¥{_fen(original)}", 30, GREY)
    y = card_bottom - 26 - 48
    cutoff = f"截单 {content['cutoff_label']}"
    pill_width = text_width(cutoff, 26) + 40
    draw.rounded_rectangle((60, y, 60 + pill_width, y + 48), radius=24, fill=(255, 240, 237))
    draw_text(draw, (80, y + 8), cutoff, 26, RED)

    bottom_top = card_bottom + 20
    draw.rounded_rectangle((30, bottom_top, WIDTH - 30, HEIGHT - 30), radius=20, fill=PAPER)
    qr = qr_image(content["link"], 200).convert("RGB")
    qr_left = WIDTH - 60 - qr.size[0]
    qr_top = bottom_top + 18
    poster.paste(qr, (qr_left, qr_top))
    text_right = qr_left - 24
    text_width_max = text_right - 60
    # Names wrap onto the lines they need, the leader's first, then the point's; the address takes
    # the room that is left. Only a text longer than all the room ends with an ellipsis.
    y, bottom = bottom_top + 30, HEIGHT - 30 - 50 - 6
    blocks = [(f"团长：{content['leader_name']}", 30, 1.4, INK, True, 0)]
    if content.get("point_name"):
        blocks.append((f"自提点：{content['point_name']}", 24, 1.35, INK, False, 4))
    if content.get("point_address"):
        blocks.append((content["point_address"], 22, 1.35, GREY, False, 2))
    for text, size, spacing, colour, bold, gap in blocks:
        room = int((bottom - y - gap) // int(size * spacing))
        if room <= 0:
            break
        y = _draw_lines(draw, (60, y + gap), wrap(text, size, text_width_max, room), size, colour, spacing, bold)
    hint = "长按识别二维码 立即参团"
    draw_text(draw, (60, HEIGHT - 30 - 50), hint, 24, GREEN)
    return png_bytes(poster)


# --- the recruitment poster ----------------------------------------------------------------


def render_recruitment_poster(content: dict) -> bytes:
    """750×1334: "招募团长", the plan's title, benefits, requirements, the referral reward, and the
    QR code of the application link."""
    poster = Image.new("RGB", (WIDTH, HEIGHT), GREEN)
    draw = ImageDraw.Draw(poster)
    draw.ellipse((430, -180, 930, 320), fill=(38, 204, 120))
    draw.ellipse((-200, 1000, 260, 1460), fill=(38, 204, 120))

    size, shop = fit(content["shop_name"], (32, 26, 22), 650, 2)
    _draw_lines(draw, (50, 60 if len(shop) == 1 else 40), shop, size, PAPER)
    _draw_lines(draw, (50, 120), ["招募团长"], 96, PAPER, bold=True)
    _draw_lines(draw, (50, 262), wrap(content["title"], 36, 650, 2), 36, PAPER, spacing=1.35)

    card_top = 390
    draw.rounded_rectangle((40, card_top, WIDTH - 40, HEIGHT - 40), radius=24, fill=PAPER)
    footer_top = HEIGHT - 40 - 250
    y = card_top + 36
    budget = 6  # text lines for benefits; requirements get what fits above the footer
    for heading, body in (("团长福利", content["benefits"]), ("招募要求", content["requirements"])):
        draw.rounded_rectangle((70, y + 6, 78, y + 38), radius=4, fill=GREEN)
        _draw_lines(draw, (92, y), [heading], 32, INK, bold=True)
        y += 52
        for paragraph in [line for line in body.splitlines() if line.strip()]:
            room = min(budget, (footer_top - 20 - y) // 37)
            if room <= 0:
                break
            lines = wrap(paragraph, 26, 570, min(room, 2))
            y = _draw_lines(draw, (92, y), lines, 26, INK, spacing=1.45)
            budget -= len(lines)
        y += 20
        budget = 99

    draw.line((70, footer_top, WIDTH - 70, footer_top), fill=(235, 237, 240), width=2)
    qr = qr_image(content["link"], 200).convert("RGB")
    poster.paste(qr, (62, footer_top + 24))
    text_left = 62 + qr.size[0] + 24
    text_max = WIDTH - 70 - text_left
    y = _draw_lines(draw, (text_left, footer_top + 44), wrap("扫码申请成为团长", 30, text_max, 1), 30, GREEN, bold=True)
    if content.get("referral_reward_fen"):
        reward = f"推荐新团长达标，奖励¥{_fen(content['referral_reward_fen'])}"
        y = _draw_lines(draw, (text_left, y + 6), wrap(reward, 24, text_max, 2), 24, RED, spacing=1.4)
    _draw_lines(
        draw,
        (text_left, y + 6),
        wrap("长按识别二维码，填写申请，审核通过即可开团", 22, text_max, 3),
        22,
        GREY,
        spacing=1.4,
    )
    return png_bytes(poster)
