from datetime import datetime

from ninja import Schema


class JielongOut(Schema):
    """The 接龙 message to paste into the group chat."""

    campaign_id: int
    text: str
    order_count: int
    messages: list[str]  # the text split at line boundaries into parts a chat accepts (< 2,000 characters)


class ShareCardOut(Schema):
    """What a chat card shows for the leader's campaign link."""

    campaign_id: int
    title: str
    description: str
    price_from_fen: int
    original_price_fen: int
    has_several_prices: bool
    image_url: str | None
    link: str
    poster_url: str
    cutoff_at: datetime
    leader_name: str
    point_name: str
    order_count: int = 0  # paid orders at the leader's point (接龙 so far): the card updates as members order
