"""Product pictures for the demo shop, drawn with Pillow (the demo has no photographer and the
machine no internet): a soft tile in the category's colour with the product's name."""

import hashlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from tuangou.sharing.images import font_path

# category -> (background, accent, text)
PALETTE = {
    "水果": ((255, 236, 214), (255, 171, 94), (150, 70, 10)),
    "蔬菜": ((226, 245, 222), (120, 190, 100), (40, 100, 30)),
    "蛋品": ((255, 246, 220), (240, 200, 90), (130, 95, 20)),
    "乳品": ((232, 243, 255), (130, 175, 235), (35, 80, 140)),
    "烘焙": ((250, 234, 222), (215, 150, 100), (120, 65, 30)),
}
SIZE = 600


def product_picture(name: str, category: str) -> SimpleUploadedFile:
    background, accent, ink = PALETTE.get(category, ((240, 240, 240), (200, 200, 200), (60, 60, 60)))
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    # Two soft circles placed by the name, so each product looks a little different.
    seed = int(hashlib.md5(name.encode()).hexdigest()[:8], 16)
    for index in range(2):
        radius = 150 + (seed >> (index * 5)) % 120
        x = (seed >> (index * 7)) % SIZE
        y = (seed >> (index * 11)) % SIZE
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=tuple(min(255, c + 25) for c in accent))
    font_size = 96 if len(name) <= 4 else max(48, 420 // len(name))
    font = ImageFont.truetype(font_path(), font_size)
    box = draw.textbbox((0, 0), name, font=font)
    draw.text(((SIZE - (box[2] - box[0])) / 2, (SIZE - (box[3] - box[1])) / 2 - box[1]), name, font=font, fill=ink)
    label = ImageFont.truetype(font_path(), 30)
    draw.text((30, SIZE - 60), f"鹭岛鲜生 · {category}", font=label, fill=ink)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return SimpleUploadedFile(f"{name}.png", buffer.getvalue(), content_type="image/png")
