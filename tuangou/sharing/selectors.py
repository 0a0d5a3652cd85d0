"""What a leader shares: the attributed campaign link, the share card, the poster's content,
the 接龙 text; and the recruitment links behind the QR codes."""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import default_storage

from tuangou.campaigns.models import Campaign
from tuangou.campaigns.selectors import campaign_leader_allowed
from tuangou.catalog.models import ProductImage
from tuangou.core.errors import ApplicationError
from tuangou.core.phones import public_name
from tuangou.leaders.models import Leader, RecruitmentPlan
from tuangou.leaders.selectors import membership_for_user, recruitment_plan_link
from tuangou.orders.models import Order
from tuangou.orders.selectors import PAID_ORDER_STATUSES

JIELONG_MAX_LINES = 500  # a chat message stays pasteable; the rest is summed up in one line
# WeChat refuses a text message past ~2,000 characters: the 接龙 is sent as parts under this size.
CHAT_MESSAGE_LIMIT = 1900


def local_label(value: datetime, tz: str) -> str:
    """11月29日 20:00 in the shop's timezone."""
    local = value.astimezone(ZoneInfo(tz))
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def campaign_share_link(*, campaign: Campaign, leader: Leader) -> str:
    """The campaign page with the leader's attribution: members who order from it buy through them."""
    return f"{settings.SITE_URL}/h5/s/{campaign.shop_id}/campaigns/{campaign.id}?leader={leader.id}"


def leader_referral_link(*, leader: Leader, plan: RecruitmentPlan) -> str:
    return f"{recruitment_plan_link(plan)}?ref={leader.referral_code}"


def _items(campaign: Campaign) -> list:
    return list(campaign.items.select_related("sku__product").order_by("sort", "id"))


def campaign_prices(*, campaign: Campaign) -> dict:
    """The lowest campaign price, that item's regular price, and whether other prices exist."""
    items = _items(campaign)
    if not items:
        return {"price_fen": 0, "original_price_fen": 0, "has_several_prices": False, "product_name": campaign.title}
    cheapest = min(items, key=lambda item: (item.price_fen, item.sort, item.id))
    return {
        "price_fen": cheapest.price_fen,
        "original_price_fen": cheapest.sku.price_fen,
        "has_several_prices": len({item.price_fen for item in items}) > 1,
        "product_name": items[0].sku.product.name,
    }


def campaign_picture(*, campaign: Campaign) -> str | None:
    """Storage name of the picture to show: the campaign's cover, else its first product image."""
    if campaign.cover:
        return campaign.cover.name
    product_ids = [item.sku.product_id for item in _items(campaign)]
    images = {}
    for image in ProductImage.objects.filter(shop_id=campaign.shop_id, product_id__in=product_ids).order_by(
        "sort", "id"
    ):
        images.setdefault(image.product_id, image.image.name)
    return next((images[pk] for pk in product_ids if pk in images), None)


def absolute_media_url(name: str) -> str:
    url = default_storage.url(name)  # object storage (or its CDN) answers absolute URLs itself
    return url if url.startswith(("https://", "http://")) else f"{settings.SITE_URL}{url}"


def member_share_leader(*, campaign: Campaign, user) -> Leader:
    """Whose link a member shares: their own leader (the bound membership), so whoever orders from it
    buys through that leader and the commission goes to them. No leader, or one who may not run this
    campaign: the member is asked to choose one first (a share without attribution credits nobody)."""
    membership = membership_for_user(shop=campaign.shop, user=user)
    leader = membership.leader if membership else None
    if (
        leader is None
        or leader.status != Leader.Status.ACTIVE
        or not campaign_leader_allowed(campaign=campaign, leader=leader)
    ):
        raise ApplicationError("member_no_leader", status=409)
    return leader


def campaign_share_card(*, campaign: Campaign, leader: Leader, poster_url: str | None = None) -> dict:
    prices = campaign_prices(campaign=campaign)
    picture = campaign_picture(campaign=campaign)
    point = getattr(leader, "pickup_point", None)
    description = (campaign.description or "").strip().splitlines()
    return {
        "campaign_id": campaign.id,
        "title": campaign.title,
        "description": description[0][:120]
        if description
        else f"{leader.name}的团购 · 截单{local_label(campaign.cutoff_at, campaign.shop.timezone)}",
        "price_from_fen": prices["price_fen"],
        "original_price_fen": prices["original_price_fen"],
        "has_several_prices": prices["has_several_prices"],
        "image_url": absolute_media_url(picture) if picture else None,
        "link": campaign_share_link(campaign=campaign, leader=leader),
        "poster_url": poster_url or f"/api/shops/{campaign.shop_id}/leader/campaigns/{campaign.id}/poster.png",
        "cutoff_at": campaign.cutoff_at,
        "leader_name": leader.name,
        "point_name": point.name if point else "",
        "order_count": jielong_orders(campaign=campaign, leader=leader).count(),
    }


def _picture_key(name: str | None) -> tuple[str | None, str]:
    """The picture's path on disk and a key that changes when the file does."""
    if not name:
        return None, ""
    try:
        path = default_storage.path(name)
        stat = os.stat(path)
    except (NotImplementedError, OSError):
        return None, ""
    return path, f"{name}:{stat.st_size}:{int(stat.st_mtime)}"


def campaign_poster_content(*, campaign: Campaign, leader: Leader) -> dict:
    """Everything drawn on the campaign poster (its hash names the cached PNG)."""
    prices = campaign_prices(campaign=campaign)
    image_path, image_key = _picture_key(campaign_picture(campaign=campaign))
    point = getattr(leader, "pickup_point", None)
    return {
        "kind": "campaign",
        "shop_name": campaign.shop.name,
        "title": campaign.title,
        **prices,
        "cutoff_label": local_label(campaign.cutoff_at, campaign.shop.timezone),
        "leader_name": leader.name,
        "point_name": point.name if point else "",
        "point_address": point.address if point else "",
        "link": campaign_share_link(campaign=campaign, leader=leader),
        "image_path": image_path,
        "image_key": image_key,
    }


def recruitment_poster_content(*, plan: RecruitmentPlan, link: str) -> dict:
    return {
        "kind": "recruitment",
        "shop_name": plan.shop.name,
        "title": plan.title,
        "benefits": plan.benefits,
        "requirements": plan.requirements,
        "referral_reward_fen": plan.referral_reward_fen,
        "link": link,
    }


# --- 接龙 -------------------------------------------------------------------------------------


def _buyer_name(order: Order) -> str:
    """Masked like 张**; a member who never gave a name shows their masked phone, 138****1234."""
    member = order.member
    auto_names = {member.username, f"p{member.phone}"} if member.phone else {member.username}
    name = next((n for n in (order.contact_name, member.display_name) if n and n not in auto_names), "")
    return public_name(name, order.contact_phone or member.phone or "")


def _order_goods(order: Order) -> str:
    parts = []
    for line in order.lines.all():
        quantity = line.quantity - line.refunded_quantity
        if quantity > 0:
            spec = f"({line.spec})" if line.spec else ""
            parts.append(f"{line.product_name}{spec}×{quantity}")
    return "，".join(parts)


def jielong_orders(*, campaign: Campaign, leader: Leader):
    point = getattr(leader, "pickup_point", None)
    orders = Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status__in=PAID_ORDER_STATUSES)
    orders = orders.filter(pickup_point=point) if point else orders.filter(leader=leader)
    return orders.select_related("member").prefetch_related("lines").order_by("paid_at", "id")


def jielong_text(*, campaign: Campaign, leader: Leader) -> dict:
    """The 接龙 message: header, one numbered line per paid order of the leader's point (in order
    of payment), a footer with the leader's link. Returns the text and the number of orders."""
    tz = campaign.shop.timezone
    point = getattr(leader, "pickup_point", None)
    header = [f"【接龙】{campaign.title}", f"截单：{local_label(campaign.cutoff_at, tz)}"]
    if point:
        header.append(f"自提点：{point.name}（{point.address}）")
    header.append(f"提货时间：{local_label(campaign.pickup_at, tz)}")

    lines, count = [], 0
    for order in jielong_orders(campaign=campaign, leader=leader):
        goods = _order_goods(order)
        if not goods:
            continue  # everything refunded: not part of the chain any more
        count += 1
        if count <= JIELONG_MAX_LINES:
            lines.append(f"{count}. {_buyer_name(order)} {goods}")
    if count > JIELONG_MAX_LINES:
        lines.append(f"……共{count}单")
    if not lines:
        lines.append("还没有人接龙，快来抢第一单！")

    footer = f"还没下单的邻居，点链接一起参团：{campaign_share_link(campaign=campaign, leader=leader)}"
    divider = "——————————"
    all_lines = [*header, divider, *lines, divider, footer]
    return {
        "campaign_id": campaign.id,
        "text": "\n".join(all_lines),
        "order_count": count,
        "messages": chat_messages(all_lines),
    }


def chat_messages(lines: list[str], limit: int = CHAT_MESSAGE_LIMIT) -> list[str]:
    """The lines joined into messages a chat accepts: each at most `limit` characters, split at line
    boundaries (a line longer than the limit alone is cut into pieces of the limit)."""
    pieces = [line[start : start + limit] for line in lines for start in range(0, max(len(line), 1), limit)]
    messages, current = [], ""
    for piece in pieces:
        joined = f"{current}\n{piece}" if current else piece
        if current and len(joined) > limit:
            messages.append(current)
            current = piece
        else:
            current = joined
    if current or not messages:
        messages.append(current)
    return messages
