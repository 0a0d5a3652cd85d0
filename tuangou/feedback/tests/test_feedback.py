"""Leader feedback: a leader sends it from the leader center (with photos), the shop replies and
moves its status in the console, the leader sees the thread and is told of each reply."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tuangou.catalog.tests.factories import ProductFactory
from tuangou.feedback.models import Feedback, FeedbackPhoto
from tuangou.leaders.tests.factories import LeaderFactory, member_client, staff_client
from tuangou.notifications.models import Message

pytestmark = pytest.mark.django_db


def _png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, "PNG")
    return buffer.getvalue()


def _leader_path(leader, rest="") -> str:
    return f"shops/{leader.shop_id}/leader/feedback{rest}"


def _console(shop, rest="") -> str:
    return f"console/shops/{shop.id}/feedback{rest}"


@pytest.fixture
def leader():
    return LeaderFactory()


@pytest.fixture
def leader_api(leader):
    return member_client(leader.phone)


def _send(leader_api, leader, **changes):
    form = {"kind": "quality", "title": "芒果有压伤", "content": "今天到的5斤装有3个压坏了"} | changes
    response = leader_api.post(_leader_path(leader), form)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_leader_sends_quality_feedback_with_photos(leader, leader_api):
    sent = _send(leader_api, leader)

    photo = leader_api.post(
        _leader_path(leader, f"/{sent['id']}/photos"),
        files={"file": SimpleUploadedFile("bad.png", _png(), content_type="image/png")},
    )

    assert photo.status_code == 201, photo.content
    assert photo.json()["url"].endswith(".png")
    detail = leader_api.get(_leader_path(leader, f"/{sent['id']}")).json()
    assert (detail["status"], detail["kind_label"], len(detail["photos"])) == ("new", "质量问题", 1)
    assert [row["title"] for row in leader_api.get(_leader_path(leader)).json()["items"]] == ["芒果有压伤"]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("notes.txt", b"not an image", "image_invalid"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image_invalid"),
        ("big.png", b"0" * (5 * 1024 * 1024 + 1), "image_too_large"),
    ],
)
def test_a_photo_that_is_not_a_small_image_is_refused(leader, leader_api, name, data, code):
    sent = _send(leader_api, leader)

    response = leader_api.post(
        _leader_path(leader, f"/{sent['id']}/photos"), files={"file": SimpleUploadedFile(name, data)}
    )

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (400, code, "file")
    assert not FeedbackPhoto.objects.exists()


def test_at_most_six_photos(leader, leader_api):
    sent = _send(leader_api, leader)
    for _ in range(6):
        leader_api.post(
            _leader_path(leader, f"/{sent['id']}/photos"), files={"file": SimpleUploadedFile("a.png", _png())}
        )

    seventh = leader_api.post(
        _leader_path(leader, f"/{sent['id']}/photos"), files={"file": SimpleUploadedFile("a.png", _png())}
    )

    assert seventh.json()["code"] == "feedback_photos_too_many"
    assert FeedbackPhoto.objects.count() == 6


def test_the_shop_replies_resolves_and_the_leader_is_told(leader, leader_api):
    sent = _send(leader_api, leader, kind="product_request", title="想卖潮汕牛肉丸", content="小区很多人问")
    staff, _ = staff_client(shop=leader.shop, role="support")

    listed = staff.get(_console(leader.shop), {"status": "new"}).json()
    replied = staff.post(_console(leader.shop, f"/{sent['id']}/replies"), {"body": "下周安排上架"})
    leader_api.post(_leader_path(leader, f"/{sent['id']}/replies"), {"body": "好的谢谢"})
    resolved = staff.post(_console(leader.shop, f"/{sent['id']}/status"), {"status": "resolved"})

    assert [row["id"] for row in listed["items"]] == [sent["id"]]
    assert replied.json()["status"] == "in_progress"
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_at"]
    thread = leader_api.get(_leader_path(leader, f"/{sent['id']}")).json()["replies"]
    assert [(reply["from_shop"], reply["body"]) for reply in thread] == [(True, "下周安排上架"), (False, "好的谢谢")]
    titles = list(Message.objects.filter(user=leader.user).order_by("id").values_list("title", flat=True))
    assert titles == ["商家回复了你的反馈：想卖潮汕牛肉丸", "你的反馈已解决：想卖潮汕牛肉丸"]
    assert staff.get(_console(leader.shop, "/counts")).json() == {"new": 0, "in_progress": 0, "resolved": 1}


def test_a_leader_reply_reopens_resolved_feedback(leader, leader_api):
    sent = _send(leader_api, leader, kind="pickup_point")
    staff, _ = staff_client(shop=leader.shop)
    staff.post(_console(leader.shop, f"/{sent['id']}/replies"), {"body": "已修好", "status": "resolved"})

    leader_api.post(_leader_path(leader, f"/{sent['id']}/replies"), {"body": "货架又坏了"})

    assert Feedback.objects.get(pk=sent["id"]).status == "in_progress"


def test_feedback_stays_in_its_shop_and_with_its_leader(leader, leader_api):
    sent = _send(leader_api, leader)
    neighbour = LeaderFactory(shop=leader.shop)
    stranger, other_shop = staff_client()

    assert member_client(neighbour.phone).get(_leader_path(neighbour, f"/{sent['id']}")).status_code == 404
    assert stranger.get(_console(other_shop, f"/{sent['id']}")).status_code == 404
    assert stranger.get(_console(leader.shop, f"/{sent['id']}")).status_code == 404


def test_a_product_of_another_shop_is_refused(leader, leader_api):
    product = ProductFactory()

    response = leader_api.post(
        _leader_path(leader), {"kind": "quality", "title": "x", "content": "y", "product_id": product.id}
    )

    assert (response.status_code, response.json()["field"]) == (404, "product_id")


@pytest.mark.parametrize("title", ["", "a\x00b", "x" * 61])
def test_bad_titles_are_422(leader, leader_api, title):
    response = leader_api.post(_leader_path(leader), {"kind": "quality", "title": title, "content": "y"})

    assert response.status_code == 422 and response.json()["field"] == "title"
    assert not Feedback.objects.exists()
