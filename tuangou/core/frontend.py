"""Serves the single-page apps: every path under /console/ and /h5/ answers its index.html and
the app's router takes it from there."""

import re
from html import escape

from django.conf import settings
from django.http import HttpResponse

from .errors import ApplicationError
from .money import format_fen

CAMPAIGN_PAGE = re.compile(r"^s/(?P<shop_id>\d{1,12})/campaigns/(?P<campaign_id>\d{1,12})/?$")


def index_html(app: str) -> str | None:
    path = settings.FRONTEND_DIST / app / "index.html"
    return path.read_text(encoding="utf-8") if path.exists() else None


def _not_built(app: str) -> HttpResponse:
    return HttpResponse(
        f"<!doctype html><meta charset=utf-8><p>The {app} front end is not built yet: run <code>make frontend</code>.</p>",
        status=503,
    )


def console_app(request, path: str = ""):
    html = index_html("console")
    return HttpResponse(html) if html else _not_built("console")


FIRST_SCREEN_STYLE = (
    "#first-screen{position:fixed;inset:0;z-index:3000;overflow:hidden;background:#f7f8fa;max-width:600px;margin:0 auto;"
    "font-family:-apple-system,'PingFang SC','Noto Sans SC','Microsoft YaHei',sans-serif;color:#323233}"
    "#first-screen .bar{height:46px;line-height:46px;text-align:center;background:#fff;font-weight:600;font-size:16px}"
    "#first-screen .card{margin:12px;padding:12px;border-radius:8px;background:#fff}"
    "#first-screen h1{font-size:18px;margin:0 0 6px;line-height:1.35}"
    "#first-screen .price{color:#ee0a24;font-weight:600;font-size:22px}"
    "#first-screen .muted{color:#969799;font-size:12px}"
    "#first-screen .item{display:flex;justify-content:space-between;gap:8px;padding:8px 0;border-bottom:1px solid #f2f3f5;font-size:14px}"
    "#first-screen .item b{color:#ee0a24}"
    "#first-screen img{display:block;width:100%;aspect-ratio:4/3;object-fit:cover}"
)


def _campaign_for_page(shop_id: int, campaign_id: int):
    from tuangou.campaigns.selectors import member_campaign_get
    from tuangou.shops.access import access_shop

    try:
        shop = access_shop(shop_id)
        return shop, member_campaign_get(shop=shop, campaign_id=campaign_id)
    except ApplicationError:
        return None, None


def campaign_og_tags(request, shop, campaign) -> str:
    """Open Graph tags of a shared campaign link, so chat apps show a card (title, price, image)."""
    from tuangou.campaigns.schemas import _cover

    prices = [item.price_fen for item in campaign.items.all()]
    description = f"{shop.name} · 团购价 {format_fen(min(prices))} 起" if prices else shop.name
    if campaign.description:
        description += f" · {campaign.description[:60]}"
    tags = {
        "og:type": "website",
        "og:title": campaign.title,
        "og:description": description,
        "og:url": request.build_absolute_uri(),
    }
    cover = _cover(campaign)
    if cover:
        tags["og:image"] = request.build_absolute_uri(cover)
    lines = [f'<meta property="{name}" content="{escape(value)}" />' for name, value in tags.items()]
    lines.append(f'<meta name="description" content="{escape(description)}" />')
    return "\n    ".join(lines)


def campaign_first_screen(campaign) -> str:
    """The campaign's first screen as plain HTML, painted before any JavaScript has run (people
    arrive from a chat link on slow phones); the app removes it once its page has the data."""
    from django.utils import timezone

    from tuangou.campaigns.schemas import _cover

    items = list(campaign.items.all())
    cutoff = timezone.localtime(campaign.cutoff_at).strftime("%m-%d %H:%M")
    cover = _cover(campaign) if campaign.template == "rich" else None
    rows = "".join(
        f'<div class="item"><span>{escape(item.sku.product.name)} {escape(item.sku.spec)}</span><b>{format_fen(item.price_fen)}</b></div>'
        for item in items[:6]
    )
    price = f'<span class="price">{format_fen(min(i.price_fen for i in items))} 起</span>' if items else ""
    return (
        f'<div id="first-screen" aria-hidden="true"><style>{FIRST_SCREEN_STYLE}</style><div class="bar">团购详情</div>'
        + (f'<img src="{escape(cover)}" alt="">' if cover else "")
        + f'<div class="card"><h1>{escape(campaign.title)}</h1>{price}<div class="muted">截单 {cutoff}</div></div>'
        + f'<div class="card">{rows}</div></div>'
    )


def h5_app(request, path: str = ""):
    html = index_html("h5")
    if not html:
        return _not_built("h5")
    match = CAMPAIGN_PAGE.match(path)
    if match:
        shop, campaign = _campaign_for_page(int(match["shop_id"]), int(match["campaign_id"]))
        if campaign is not None:
            html = html.replace("<!--og-->", campaign_og_tags(request, shop, campaign), 1)
            html = html.replace('<div id="app"></div>', '<div id="app"></div>' + campaign_first_screen(campaign), 1)
    return HttpResponse(html)
