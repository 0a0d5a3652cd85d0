"""Messages are in the request's language, whole: no Chinese word inside an English message (the
state errors used to say "cannot 发布"), and the same refusal all in Chinese for a Chinese request."""

import re

import pytest

from tuangou.campaigns.models import Campaign
from tuangou.campaigns.tests.test_console import base, merchant, payload  # noqa: F401 (fixture)
from tuangou.core.testing import ok

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_an_english_request_to_publish_twice_gets_an_all_english_message(merchant):  # noqa: F811
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(apple)), 201)
    ok(client.post(f"{base(staff)}/{campaign['id']}/publish"))
    client.language = "en"

    again = client.post(f"{base(staff)}/{campaign['id']}/publish")

    assert (again.status_code, again.json()) == (
        409,
        {"code": "campaign_state", "message": "The campaign is Not started; cannot publish", "field": "status"},
    )
    assert not CJK.search(again.json()["message"])
    assert Campaign.objects.get(pk=campaign["id"]).events.count() == 2


def test_a_chinese_request_to_cancel_a_live_campaign_gets_an_all_chinese_message(merchant):  # noqa: F811
    client, staff, egg, apple = merchant
    campaign = ok(client.post(base(staff), payload(apple, starts_at=payload()["starts_at"])), 201)
    Campaign.objects.filter(pk=campaign["id"]).update(status=Campaign.Status.LIVE)
    client.language = "zh-hans"

    refused = client.post(f"{base(staff)}/{campaign['id']}/cancel", {"reason": "备货不足"})

    assert (refused.status_code, refused.json()["message"]) == (409, "团购当前状态为「进行中」，不能取消")
    assert not re.search(r"[A-Za-z]", refused.json()["message"])
    assert Campaign.objects.get(pk=campaign["id"]).status == "live"


def test_an_english_request_names_the_field_by_its_english_label(merchant):  # noqa: F811
    client, staff, egg, apple = merchant
    client.language = "en"

    refused = client.post(base(staff), payload(apple, title="  "))
    too_low = client.post(base(staff), payload(apple, threshold_value=0))

    assert refused.json() == {"code": "required", "message": "Campaign title is required", "field": "title"}
    assert (too_low.status_code, too_low.json()["message"]) == (400, "Threshold: must be at least 1")
    assert Campaign.objects.count() == 0


def test_a_refused_body_names_the_field_by_its_label_in_the_request_language(merchant):  # noqa: F811
    client, staff, egg, apple = merchant
    body = payload(apple)
    del body["title"]

    chinese = client.post(base(staff), body)
    client.language = "en"
    english = client.post(base(staff), body)

    assert (chinese.status_code, chinese.json()["field"], chinese.json()["message"]) == (422, "title", "标题：必填")
    assert (english.status_code, english.json()["message"]) == (422, "Title: is required")
    assert Campaign.objects.count() == 0
