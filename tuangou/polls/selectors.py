"""Poll reads: the live result, lists for the console and the leader, and the share card."""

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tuangou.catalog.models import ProductImage
from tuangou.core.errors import NotFound

from .models import Poll, PollOption, PollVote


def poll_list(*, shop, leader=None) -> QuerySet[Poll]:
    """Newest first, with their vote counts; a leader sees the merchant's polls and their own."""
    polls = Poll.objects.filter(shop=shop)
    if leader is not None:
        polls = polls.filter(Q(leader__isnull=True) | Q(leader=leader))
    return polls.select_related("leader").annotate(vote_count=Count("votes")).order_by("-id")


def poll_get(*, shop, poll_id: int) -> Poll:
    """A poll of this shop; missing and another shop's both answer 404."""
    poll = Poll.objects.filter(shop=shop, pk=poll_id).select_related("shop", "leader").first()
    if poll is None:
        raise NotFound("投票", "Poll")
    return poll


def leader_poll_get(*, leader, poll_id: int) -> Poll:
    poll = poll_get(shop=leader.shop, poll_id=poll_id)
    if poll.leader_id not in (None, leader.pk):
        raise NotFound("投票", "Poll")
    return poll


def _option_pictures(options: list[PollOption]) -> dict[int, str]:
    """Storage name of each option's picture: its upload, else its product's first image."""
    pictures = {option.pk: option.image.name for option in options if option.image}
    wanted = {option.product_id: option.pk for option in options if option.pk not in pictures and option.product_id}
    if wanted:
        for image in ProductImage.objects.filter(product_id__in=wanted).order_by("sort", "id"):
            pictures.setdefault(wanted[image.product_id], image.image.name)
    return pictures


def poll_results(*, poll: Poll, user=None) -> dict:
    """The live result: every candidate with its votes and share (most votes first, ties by
    position), the total, whether it is open, and the member's own choice."""
    from tuangou.sharing.selectors import absolute_media_url

    options = list(PollOption.objects.filter(shop_id=poll.shop_id, poll=poll).order_by("sort", "id"))
    counts = dict(
        PollVote.objects.filter(shop_id=poll.shop_id, poll=poll)
        .values("option")
        .annotate(n=Count("id"))
        .values_list("option", "n")
    )
    total = sum(counts.values())
    pictures = _option_pictures(options)
    rows = [
        {
            "option_id": option.pk,
            "name": option.name,
            "product_id": option.product_id,
            "image_url": absolute_media_url(pictures[option.pk]) if option.pk in pictures else None,
            "votes": counts.get(option.pk, 0),
            "percent": round(100 * counts.get(option.pk, 0) / total) if total else 0,
            "sort": option.sort,
        }
        for option in options
    ]
    rows.sort(key=lambda row: (-row["votes"], row["sort"], row["option_id"]))
    mine = None
    if user is not None and getattr(user, "pk", None):
        mine = PollVote.objects.filter(poll=poll, user=user).values_list("option_id", flat=True).first()
    return {
        "poll_id": poll.pk,
        "title": poll.title,
        "description": poll.description,
        "status": poll.status,
        "is_open": poll.status == Poll.Status.OPEN and timezone.now() < poll.closes_at,
        "closes_at": poll.closes_at,
        "total_votes": total,
        "my_option_id": mine,
        "campaign_id": poll.campaign_id,
        "options": rows,
    }


def poll_share_link(*, poll: Poll, leader_id: int | None = None) -> str:
    """The H5 vote page; ?leader= credits the leader whose group it was shared to."""
    link = f"{settings.SITE_URL}/h5/s/{poll.shop_id}/polls/{poll.pk}"
    leader_id = leader_id or poll.leader_id
    return f"{link}?leader={leader_id}" if leader_id else link


def poll_share_card(*, poll: Poll, leader_id: int | None = None) -> dict:
    """What a chat card shows for the poll (WeChat JS-SDK share tags): the leading candidate's picture."""
    results = poll_results(poll=poll)
    picture = next((row["image_url"] for row in results["options"] if row["image_url"]), None)
    names = "、".join(row["name"] for row in sorted(results["options"], key=lambda r: r["sort"])[:4])
    return {
        "poll_id": poll.pk,
        "title": f"【群投票】{poll.title}",
        "description": (poll.description.strip().splitlines() or [f"候选：{names}"])[0][:120],
        "image_url": picture,
        "link": poll_share_link(poll=poll, leader_id=leader_id),
    }
