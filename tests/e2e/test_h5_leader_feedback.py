"""Leader feedback (issue 12): a leader sends a quality problem with a photo from the leader
center; the shop answers it in the console; the leader sees the reply and its notice.
Screens: h5-i12-feedback-*.png, console-i12-feedback.png."""

from PIL import Image
from playwright.sync_api import expect

from tuangou.feedback.models import Feedback
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.notifications.models import Message
from tuangou.shops.tests.factories import StaffFactory

from .conftest import shot as save_shot
from .test_console_leaders_and_finance import log_in, settled
from .test_h5_leader import shot, sms_login


def test_a_leader_sends_feedback_with_a_photo_and_reads_the_shops_reply(phone, desktop, tmp_path):
    owner = StaffFactory(shop__name="鹭岛鲜生", role="owner")
    leader = LeaderFactory(shop=owner.shop, name="陈丽")
    picture = tmp_path / "bruised.png"
    Image.new("RGB", (320, 240), (240, 170, 40)).save(picture)

    base = f"/h5/s/{owner.shop.id}/leader/feedback"
    sms_login(phone, leader.phone, base)
    phone.locator("[data-test=feedback-title] input").fill("芒果有压伤")
    phone.locator("[data-test=feedback-content] textarea").fill("今天到的5斤装，3箱底层压伤出水")
    phone.locator("[data-test=feedback-photos] input[type=file]").set_input_files(str(picture))
    expect(phone.locator(".van-uploader__preview")).to_have_count(1)
    shot(phone, "h5-i12-feedback-form")
    phone.locator("[data-test=feedback-submit]").click()
    expect(phone.locator("[data-test=feedback-detail]")).to_contain_text("芒果有压伤")
    expect(phone.locator("[data-test=feedback-photo]")).to_have_count(1)
    feedback = Feedback.objects.get(shop=owner.shop)
    assert (feedback.kind, feedback.photos.count()) == ("quality", 1)

    log_in(desktop, owner.user.username)
    desktop.goto("/console/feedback")
    table = desktop.locator("[data-test=feedback-table]")
    expect(table).to_contain_text("芒果有压伤")
    desktop.locator("[data-test=feedback-open]").click()
    drawer = desktop.locator("[data-test=feedback-drawer]")
    expect(drawer.locator("[data-test=feedback-photo]")).to_have_count(1)
    drawer.locator("[data-test=feedback-reply-input]").fill("收到，压伤的按售后退款")
    drawer.locator("[data-test=feedback-send-resolve]").click()
    expect(drawer.locator("[data-test=feedback-reply]")).to_contain_text("收到，压伤的按售后退款")
    expect(drawer).to_contain_text("已解决")
    save_shot(settled(desktop), "console-i12-feedback")

    phone.reload()
    expect(phone.locator("[data-test=feedback-reply]")).to_contain_text("收到，压伤的按售后退款")
    expect(phone.locator("[data-test=feedback-status]")).to_have_text("已解决")
    shot(phone, "h5-i12-feedback-thread")
    assert Message.objects.filter(user=leader.user, title="商家回复了你的反馈：芒果有压伤").exists()
