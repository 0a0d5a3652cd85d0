"""Leader feedback: sent and followed up in the leader center, handled in the console."""

from ninja import File, Path, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.pagination import PageNumberPagination
from tuangou.leaders.access import access_leader
from tuangou.shops.access import access_shop_as_staff

from . import selectors, services
from .schemas import (
    FeedbackDetailOut,
    FeedbackIn,
    FeedbackOut,
    FeedbackPhotoOut,
    FeedbackQuery,
    FeedbackReplyIn,
    FeedbackShopReplyIn,
    FeedbackStatusIn,
)

console_router = Router(tags=["console: leader feedback 团长反馈"], auth=AUTH)
leader_router = Router(tags=["leader: feedback 反馈"], auth=AUTH)


class FeedbackCountsOut(Schema):
    new: int
    in_progress: int
    resolved: int


# --- console --------------------------------------------------------------------------------


@console_router.get("/feedback", response=list[FeedbackOut], summary="Leaders' feedback, newest first, filtered")
@paginate(PageNumberPagination, page_size=20)
def list_feedback(request, shop_id: Path[Id], filters: Query[FeedbackQuery]):
    staff = access_shop_as_staff(request, shop_id, "feedback.view")
    return selectors.feedback_list(shop=staff.shop, **filters.dict())


@console_router.get("/feedback/counts", response=FeedbackCountsOut, summary="How much feedback is in each status")
def get_feedback_counts(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "feedback.view")
    return selectors.feedback_counts(shop=staff.shop)


@console_router.get("/feedback/{feedback_id}", response=FeedbackDetailOut, summary="Feedback with photos and thread")
def get_feedback(request, shop_id: Path[Id], feedback_id: Id):
    staff = access_shop_as_staff(request, shop_id, "feedback.view")
    return selectors.feedback_get(shop=staff.shop, feedback_id=feedback_id)


@console_router.post(
    "/feedback/{feedback_id}/replies", response=FeedbackDetailOut, summary="Reply (the leader is notified)"
)
def reply_feedback(request, shop_id: Path[Id], feedback_id: Id, payload: FeedbackShopReplyIn):
    staff = access_shop_as_staff(request, shop_id, "feedback.manage")
    services.feedback_reply(
        shop=staff.shop, actor=staff, feedback_id=feedback_id, body=payload.body, status=payload.status
    )
    return selectors.feedback_get(shop=staff.shop, feedback_id=feedback_id)


@console_router.post("/feedback/{feedback_id}/status", response=FeedbackDetailOut, summary="Set the status")
def set_feedback_status(request, shop_id: Path[Id], feedback_id: Id, payload: FeedbackStatusIn):
    staff = access_shop_as_staff(request, shop_id, "feedback.manage")
    services.feedback_set_status(shop=staff.shop, actor=staff, feedback_id=feedback_id, status=payload.status)
    return selectors.feedback_get(shop=staff.shop, feedback_id=feedback_id)


# --- leader center --------------------------------------------------------------------------


@leader_router.get("/feedback", response=list[FeedbackOut], summary="My feedback, newest first")
@paginate(PageNumberPagination, page_size=20)
def list_my_feedback(request, shop_id: Path[Id]):
    leader = access_leader(request, shop_id)
    return selectors.feedback_of_leader(leader=leader)


@leader_router.post("/feedback", response={201: FeedbackDetailOut}, summary="Send feedback (photos next)")
def create_my_feedback(request, shop_id: Path[Id], payload: FeedbackIn):
    leader = access_leader(request, shop_id, write=True)
    feedback = services.feedback_create(leader=leader, **payload.dict())
    return 201, selectors.feedback_get(shop=leader.shop, feedback_id=feedback.pk, leader=leader)


@leader_router.get("/feedback/{feedback_id}", response=FeedbackDetailOut, summary="My feedback with the thread")
def get_my_feedback(request, shop_id: Path[Id], feedback_id: Id):
    leader = access_leader(request, shop_id)
    return selectors.feedback_get(shop=leader.shop, feedback_id=feedback_id, leader=leader)


@leader_router.post(
    "/feedback/{feedback_id}/photos",
    response={201: FeedbackPhotoOut},
    summary="Attach a photo (JPEG, PNG or WebP, at most 5 MB, 6 per feedback)",
)
def add_my_feedback_photo(request, shop_id: Path[Id], feedback_id: Id, file: File[UploadedFile]):
    leader = access_leader(request, shop_id, write=True)
    return 201, services.feedback_photo_add(leader=leader, feedback_id=feedback_id, upload=file)


@leader_router.post("/feedback/{feedback_id}/replies", response=FeedbackDetailOut, summary="Follow up")
def reply_my_feedback(request, shop_id: Path[Id], feedback_id: Id, payload: FeedbackReplyIn):
    leader = access_leader(request, shop_id, write=True)
    services.feedback_leader_reply(leader=leader, feedback_id=feedback_id, body=payload.body)
    return selectors.feedback_get(shop=leader.shop, feedback_id=feedback_id, leader=leader)
