"""Open Graph tags on a shared campaign link, so chat apps show a card with title, price, image."""

import re

import pytest

from tuangou.campaigns.tests.factories import CampaignFactory, CampaignItemFactory

pytestmark = pytest.mark.django_db

INDEX = (
    '<!doctype html><html><head><title>社区团购</title>\n    <!--og-->\n</head><body><div id="app"></div></body></html>'
)


@pytest.fixture
def built_h5(settings, tmp_path):
    (tmp_path / "h5").mkdir()
    (tmp_path / "h5" / "index.html").write_text(INDEX, encoding="utf-8")
    settings.FRONTEND_DIST = tmp_path


def test_a_campaign_link_carries_title_price_from_image_and_url(client, built_h5):
    campaign = CampaignFactory(status="live", title="周末鲜果团", shop__name="鹭岛鲜生")
    CampaignItemFactory(campaign=campaign, price_fen=3290)
    CampaignItemFactory(campaign=campaign, price_fen=1990)
    campaign.items.first().sku.product.images.create(shop=campaign.shop, image="products/egg.png")

    html = client.get(f"/h5/s/{campaign.shop_id}/campaigns/{campaign.id}?leader=7").content.decode()

    assert '<meta property="og:title" content="周末鲜果团" />' in html
    assert '<meta property="og:description" content="鹭岛鲜生 · 团购价 ¥19.90 起" />' in html
    assert (
        f'<meta property="og:url" content="http://testserver/h5/s/{campaign.shop_id}/campaigns/{campaign.id}?leader=7" />'
        in html
    )
    assert '<meta property="og:image" content="http://testserver/media/products/egg.png" />' in html
    assert "<!--og-->" not in html


def test_the_campaign_page_arrives_with_its_first_screen_painted_in_html(client, built_h5):
    campaign = CampaignFactory(status="live", title="周末鲜果团")
    CampaignItemFactory(campaign=campaign, price_fen=3290, sku__product__name="土鸡蛋", sku__spec="30枚")

    html = client.get(f"/h5/s/{campaign.shop_id}/campaigns/{campaign.id}").content.decode()

    first_screen = html.split('<div id="app"></div>', 1)[1]
    assert first_screen.startswith('<div id="first-screen" aria-hidden="true">')
    assert "<h1>周末鲜果团</h1>" in first_screen
    assert "<span>土鸡蛋 30枚</span><b>¥32.90</b>" in first_screen


def test_a_draft_or_another_page_gets_no_tags(client, built_h5):
    draft = CampaignFactory(status="draft")
    CampaignItemFactory(campaign=draft)

    draft_html = client.get(f"/h5/s/{draft.shop_id}/campaigns/{draft.id}").content.decode()
    home_html = client.get(f"/h5/s/{draft.shop_id}").content.decode()

    assert 'property="og:' not in draft_html
    assert 'property="og:' not in home_html


def test_an_english_visitor_gets_the_first_screen_and_card_in_english(client, built_h5):
    campaign = CampaignFactory(status="live", title="Weekend fruit", shop__name="Egret Fresh")
    CampaignItemFactory(campaign=campaign, price_fen=3290, sku__product__name="Eggs", sku__spec="30")

    html = client.get(
        f"/h5/s/{campaign.shop_id}/campaigns/{campaign.id}", headers={"Accept-Language": "en"}
    ).content.decode()

    first_screen = html.split('<div id="app"></div>', 1)[1]
    assert '<meta property="og:description" content="Egret Fresh · from ¥32.90" />' in html
    assert '<div class="bar">Group buy</div>' in first_screen
    assert '<span class="price">from ¥32.90</span><div class="muted">Cut-off ' in first_screen
    assert not re.search(r"[\u3400-\u9fff]", first_screen.split("</style>", 1)[1])
