"""Group polls (群投票): the members of a leader's chat group vote on candidate products, and the
winners become the next campaign."""

from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import Event, ShopScopedModel


class Poll(ShopScopedModel):
    """A question to the group, "what shall we buy next?", with candidates to vote on until it closes."""

    class Status(models.TextChoices):
        OPEN = "open", bilingual("投票中", "Open")  # members may vote and change their vote
        CLOSED = "closed", bilingual("已结束", "Closed")  # the result stands; no more votes

    title = models.CharField(max_length=60, verbose_name="标题")
    description = models.TextField(blank=True, verbose_name="说明")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name="状态")
    closes_at = models.DateTimeField(verbose_name="截止时间")  # voting ends then (or when closed by hand)
    leader = models.ForeignKey(
        "leaders.Leader",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name="发起团长",
    )  # a leader's own poll (None: the merchant's); its share link carries them
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成的团购",
    )  # the draft campaign made from the winners

    class Meta:
        verbose_name = "群投票"
        verbose_name_plural = "群投票"
        indexes = [models.Index(fields=["shop", "status", "closes_at"])]


class PollOption(ShopScopedModel):
    """One candidate: a product of the catalogue, or free text with an uploaded picture."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options", verbose_name="投票")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="商品"
    )
    name = models.CharField(max_length=60, verbose_name="名称")
    image = models.ImageField(upload_to="polls/%Y/%m/", blank=True, verbose_name="图片")
    sort = models.IntegerField(default=0, verbose_name="排序")

    class Meta:
        verbose_name = "投票选项"
        verbose_name_plural = "投票选项"
        ordering = ["sort", "id"]


class PollVote(ShopScopedModel):
    """A member's one vote in a poll (changed in place until the poll closes)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes", verbose_name="投票")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes", verbose_name="选项")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="会员")

    class Meta:
        verbose_name = "投票记录"
        verbose_name_plural = "投票记录"
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="poll_vote_once_per_member")]
        indexes = [models.Index(fields=["poll", "option"])]


class PollEvent(Event):
    """A change of a poll: created, closed, turned into a campaign."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="events", verbose_name="投票")

    class Meta(Event.Meta):
        verbose_name = "投票事件"
        verbose_name_plural = "投票事件"
