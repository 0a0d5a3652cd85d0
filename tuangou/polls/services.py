"""Poll writes: create, vote (one per member, changeable while open), close, and turn the winners
into a draft campaign in one step."""

import uuid
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tuangou.campaigns.models import Campaign
from tuangou.campaigns.services import campaign_create
from tuangou.catalog.models import Product, Sku
from tuangou.catalog.services import image_read
from tuangou.core.api import get_in_shop
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.states import event_record

from .models import Poll, PollOption, PollVote
from .selectors import poll_results

MAX_OPTIONS = 20
MIN_OPTIONS = 2
# The draft campaign's dates: the merchant sets the real ones in the wizard.
DRAFT_STARTS_IN = timedelta(days=1)
DRAFT_RUNS_FOR = timedelta(days=2)
DRAFT_PICKUP_AFTER = timedelta(days=1)
DRAFT_STOCK = 100  # per item, at most the SKU's stock


def _lock(poll: Poll) -> Poll:
    return Poll.objects.select_for_update().get(pk=poll.pk)


def poll_is_open(poll: Poll, now: datetime | None = None) -> bool:
    return poll.status == Poll.Status.OPEN and (now or timezone.now()) < poll.closes_at


@transaction.atomic
def poll_create(
    *,
    shop,
    actor,
    title: str,
    closes_at: datetime,
    options: list[dict],
    description: str = "",
    leader=None,
) -> Poll:
    """A poll with its candidates: each {product_id} (name from the product) or {name} (free text)."""
    title = (title or "").strip()
    if not title:
        raise ApplicationError("required", field="title")
    if closes_at <= timezone.now():
        raise ApplicationError("validation", field="closes_at", reason="in_future")
    if len(options) < MIN_OPTIONS:
        raise ApplicationError("poll_options_too_few", field="options")
    if len(options) > MAX_OPTIONS:
        raise ApplicationError("validation", field="options", reason="at_most", maximum=MAX_OPTIONS)
    prepared, seen = [], set()
    for index, option in enumerate(options):
        product_id, name = option.get("product_id"), (option.get("name") or "").strip()
        product = None
        if product_id:
            product = get_in_shop(
                Product, shop, product_id, thing_zh="商品", thing_en="Product", field=f"options.{index}.product_id"
            )
            if product.pk in seen:
                raise ApplicationError("campaign_item_duplicate", field=f"options.{index}.product_id")
            seen.add(product.pk)
            name = name or product.name
        if not name:
            raise ApplicationError("required", field=f"options.{index}.name")
        prepared.append(PollOption(shop=shop, product=product, name=name[:60], sort=index))
    poll = Poll.objects.create(
        shop=shop,
        title=title,
        description=description,
        closes_at=closes_at,
        leader=leader,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for option in prepared:
        option.poll = poll
    PollOption.objects.bulk_create(prepared)
    event_record(poll, type="created", actor=actor, to_status=Poll.Status.OPEN)
    return poll


@transaction.atomic
def poll_option_image_set(*, shop, poll_id: int, option_id: int, upload) -> PollOption:
    """The picture of a free-text candidate (a product candidate shows the product's own)."""
    poll = get_in_shop(Poll, shop, poll_id, thing_zh="投票", thing_en="Poll")
    option = PollOption.objects.filter(shop=shop, poll=poll, pk=option_id).first()
    if option is None:
        raise NotFound("投票选项", "Poll option")
    data, extension = image_read(upload)
    option.image.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=True)
    return option


def poll_vote(*, poll: Poll, user, option_id: int) -> PollVote:
    """The member's vote, cast or changed. One row per (poll, member) by a unique constraint: two
    taps at once both end as the one vote (the loser of the insert race updates the winner's row)."""
    if not poll_is_open(poll):
        raise ApplicationError("poll_closed", status=409)
    option = PollOption.objects.filter(shop_id=poll.shop_id, poll=poll, pk=option_id).first()
    if option is None:
        raise ApplicationError("poll_option_invalid", field="option_id")
    for _ in range(2):
        updated = PollVote.objects.filter(poll=poll, user=user).update(option=option, updated_at=timezone.now())
        if updated:
            return PollVote.objects.get(poll=poll, user=user)
        try:
            with transaction.atomic():
                return PollVote.objects.create(shop_id=poll.shop_id, poll=poll, option=option, user=user)
        except IntegrityError:
            continue  # someone (the same member, another tab) inserted first: update theirs
    raise ApplicationError("rate_limited", status=429, seconds=1)


def poll_unvote(*, poll: Poll, user) -> None:
    if not poll_is_open(poll):
        raise ApplicationError("poll_closed", status=409)
    PollVote.objects.filter(poll=poll, user=user).delete()


@transaction.atomic
def poll_close(*, poll: Poll, actor) -> Poll:
    poll = _lock(poll)
    if poll.status == Poll.Status.CLOSED:
        return poll
    poll.status = Poll.Status.CLOSED
    if poll.closes_at > timezone.now():
        poll.closes_at = timezone.now()
    poll.save(update_fields=["status", "closes_at", "updated_at"])
    event_record(poll, type="closed", actor=actor, from_status=Poll.Status.OPEN, to_status=Poll.Status.CLOSED)
    return poll


def _winners(poll: Poll, top: int) -> list[dict]:
    results = [option for option in poll_results(poll=poll)["options"] if option["votes"] > 0]
    if not results:
        raise ApplicationError("poll_no_winners", status=409)
    return results[:top]


@transaction.atomic
def poll_to_campaign(*, poll: Poll, actor, top: int = 3) -> Campaign:
    """The `top` most voted candidates as a draft campaign (closing the poll): each winner that is a
    product on the shelf brings its active SKUs with stock, at their regular price; free-text winners
    are listed in the description for the merchant to add. Opened next in the campaign wizard."""
    poll = _lock(poll)
    if poll.campaign_id:
        raise ApplicationError("poll_already_converted", status=409)
    winners = _winners(poll, top)
    products = [w["product_id"] for w in winners if w["product_id"]]
    skus = (
        Sku.objects.filter(
            shop_id=poll.shop_id,
            product_id__in=products,
            is_active=True,
            stock__gt=0,
            product__status=Product.Status.ON_SHELF,
        )
        .select_related("product")
        .order_by("id")
    )
    by_product: dict[int, list[Sku]] = {}
    for sku in skus:
        by_product.setdefault(sku.product_id, []).append(sku)
    items = [
        {"sku_id": sku.pk, "price_fen": sku.price_fen, "stock_allotted": min(sku.stock, DRAFT_STOCK)}
        for product_id in products
        for sku in by_product.get(product_id, [])
    ]
    if not items:
        raise ApplicationError("poll_no_products", status=409)
    ranking = "，".join(f"{w['name']}（{w['votes']}票）" for w in winners)
    starts_at = timezone.now().replace(minute=0, second=0, microsecond=0) + DRAFT_STARTS_IN
    campaign = campaign_create(
        shop=poll.shop,
        actor=actor,
        title=poll.title[:60],
        description=f"群投票选出：{ranking}",
        items=items,
        starts_at=starts_at,
        cutoff_at=starts_at + DRAFT_RUNS_FOR,
        pickup_at=starts_at + DRAFT_RUNS_FOR + DRAFT_PICKUP_AFTER,
        all_leaders=poll.leader_id is None,
        leader_ids=[poll.leader_id] if poll.leader_id else None,
    )
    from_status = poll.status
    poll.status = Poll.Status.CLOSED
    poll.campaign = campaign
    if poll.closes_at > timezone.now():
        poll.closes_at = timezone.now()
    poll.save(update_fields=["status", "campaign", "closes_at", "updated_at"])
    event_record(
        poll,
        type="campaign_created",
        actor=actor,
        from_status=from_status,
        to_status=Poll.Status.CLOSED,
        data={"campaign_id": campaign.pk, "winners": [w["option_id"] for w in winners]},
    )
    return campaign
