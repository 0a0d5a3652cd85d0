"""The H5 ships Chinese in its first script and fetches English only when a phone picks it
(frontend/h5/src/locale.ts): switching on 我的 turns the page English, a reload starts in English
(the messages are fetched before the app mounts), and switching back returns to Chinese."""

import json

from django.conf import settings
from playwright.sync_api import expect

from tuangou.shops.tests.factories import ShopFactory

from .conftest import shot


def english_files() -> set[str]:
    """The built chunks of h5/src/locales/en/*.ts, by Vite's manifest."""
    manifest = json.loads((settings.FRONTEND_DIST / ".vite" / "manifest.json").read_text())
    return {chunk["file"].rsplit("/", 1)[-1] for key, chunk in manifest.items() if key.startswith("h5/src/locales/en/")}


def test_english_is_fetched_when_chosen_and_kept_after_a_reload(phone, live_server):
    shop = ShopFactory(name="鹭岛鲜生")
    english = english_files()
    assert english
    fetched = []
    phone.on("request", lambda request: fetched.append(request.url.rsplit("/", 1)[-1]))
    phone.goto(f"/h5/s/{shop.id}/me")
    tabbar = phone.locator("[data-test=tabbar]")
    expect(tabbar).to_contain_text("我的")
    language = phone.locator("[data-test=language]")
    expect(language).to_contain_text("简体中文")
    assert not english & set(fetched)  # a Chinese phone never downloads the English messages

    language.click()
    expect(tabbar).to_contain_text("Me")
    expect(language).to_contain_text("English")
    expect(phone.get_by_text("Switch shop")).to_be_visible()
    shot(phone, "h5-me-english")

    phone.reload()
    expect(phone.locator("[data-test=tabbar]")).to_contain_text("Orders")
    expect(phone.get_by_text("Switch shop")).to_be_visible()

    phone.locator("[data-test=language]").click()
    expect(phone.locator("[data-test=tabbar]")).to_contain_text("订单")
    expect(phone.get_by_text("切换店铺")).to_be_visible()
    assert english <= set(fetched)
