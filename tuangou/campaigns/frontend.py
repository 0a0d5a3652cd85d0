"""The campaign page as a shared link opens it: Open Graph tags for chat apps' cards and a first
screen painted on the server, before any JavaScript has run (people arrive from a chat link on slow
phones); the H5 app removes it once its page has the data. Registered with tuangou.core.frontend
in CampaignsConfig.ready(); texts follow the request's language."""

from html import escape

from django.utils import timezone

from tuangou.core.errors import ApplicationError
from tuangou.core.i18n import pick
from tuangou.core.money import format_fen
from tuangou.shops.access import access_shop

from .schemas import _cover
from .selectors import member_campaign_get

CAMPAIGN_PAGE = r"^s/(?P<shop_id>\d{1,12})/campaigns/(?P<campaign_id>\d{1,12})/?$"

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
    try:
        shop = access_shop(shop_id)
        return shop, member_campaign_get(shop=shop, campaign_id=campaign_id)
    except ApplicationError:
        return None, None


def campaign_og_tags(request, shop, campaign) -> str:
    """Open Graph tags of a shared campaign link, so chat apps show a card (title, price, image)."""
    prices = [item.price_fen for item in campaign.items.all()]
    description = (
        f"{shop.name} · " + pick(f"团购价 {format_fen(min(prices))} 起", f"from {format_fen(min(prices))}")
        if prices
        else shop.name
    )
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
    items = list(campaign.items.all())
    cutoff = timezone.localtime(campaign.cutoff_at).strftime("%m-%d %H:%M")
    cover = _cover(campaign) if campaign.template == "rich" else None
    rows = "".join(
        f'<div class="item"><span>{escape(item.sku.product.name)} {escape(item.sku.spec)}</span><b>{format_fen(item.price_fen)}</b></div>'
        for item in items[:6]
    )
    lowest = format_fen(min(item.price_fen for item in items)) if items else ""
    price = f'<span class="price">{pick(f"{lowest} 起", f"from {lowest}")}</span>' if items else ""
    return (
        f'<div id="first-screen" aria-hidden="true"><style>{FIRST_SCREEN_STYLE}</style><div class="bar">{pick("团购详情", "Group buy")}</div>'
        + (f'<img src="{escape(cover)}" alt="">' if cover else "")
        + f'<div class="card"><h1>{escape(campaign.title)}</h1>{price}<div class="muted">{pick("截单", "Cut-off")} {cutoff}</div></div>'
        + f'<div class="card">{rows}</div></div>'
    )


def paint_campaign_page(request, match, html: str) -> str:
    shop, campaign = _campaign_for_page(int(match["shop_id"]), int(match["campaign_id"]))
    if campaign is None:
        return html
    html = html.replace("<!--og-->", campaign_og_tags(request, shop, campaign), 1)
    return html.replace('<div id="app"></div>', '<div id="app"></div>' + campaign_first_screen(campaign), 1)
