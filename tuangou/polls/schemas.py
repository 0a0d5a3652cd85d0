from datetime import datetime

from ninja import Field, Schema

from tuangou.core.bounds import Id, Int
from tuangou.core.validation import Moment, Name, Text


class PollOptionIn(Schema):
    """A candidate: a product of the catalogue (product_id), or free text (name; picture uploaded after)."""

    product_id: Id | None = None
    name: Name = Field("", max_length=60)


class PollIn(Schema):
    title: Name = Field(..., max_length=60)
    description: Text = Field("", max_length=1000)
    closes_at: Moment
    options: list[PollOptionIn] = Field(..., max_length=20)


class PollVoteIn(Schema):
    option_id: Id


class PollToCampaignIn(Schema):
    top: Int = Field(3, ge=1, le=20)


class PollListOut(Schema):
    id: int
    title: str
    status: str
    closes_at: datetime
    leader_id: int | None
    leader_name: str | None = None
    campaign_id: int | None
    vote_count: int
    created_at: datetime

    @staticmethod
    def resolve_leader_name(obj) -> str | None:
        return obj.leader.name if obj.leader_id else None


class PollOptionOut(Schema):
    option_id: int
    name: str
    product_id: int | None
    image_url: str | None
    votes: int
    percent: int
    sort: int


class PollResultOut(Schema):
    """The live result of a poll (what the vote page and the console's result page show)."""

    poll_id: int
    title: str
    description: str
    status: str
    is_open: bool
    closes_at: datetime
    total_votes: int
    my_option_id: int | None
    campaign_id: int | None
    options: list[PollOptionOut]


class PollShareOut(Schema):
    poll_id: int
    title: str
    description: str
    image_url: str | None
    link: str


class PollCampaignOut(Schema):
    campaign_id: int
