"""Item 19: what operators use works offline and in Chinese — /api/docs from our own static files,
a favicon, the admin in zh-hans with Chinese model names, and the rows services write visible."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client

from tuangou.accounts.models import ApiToken, LoginAttempt, SmsCode
from tuangou.accounts.tests.test_limits import PASSWORD
from tuangou.fulfilment.models import ExportJob
from tuangou.orders.tests.factories import given_live_campaign, place
from tuangou.shops.tests.factories import StaffFactory, UserFactory


def test_api_docs_reference_only_our_own_static_files_and_each_answers_200(settings, tmp_path):
    # given the static files collected as `make run` does (whitenoise serves STATIC_ROOT)
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_DIRS = []  # the front-end build is not what this test is about
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # a new client builds its middleware, so whitenoise sees the files

    page = client.get("/api/docs")

    assets = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert [url for url in assets if not url.startswith("/") or url.startswith("//")] == []
    assert {url: client.get(url).status_code for url in assets} == {url: 200 for url in assets}


def test_a_favicon_is_served_and_both_apps_link_it():
    response = Client().get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    for app in ("console", "h5"):
        html = (Path(django_settings.BASE_DIR) / "frontend" / app / "index.html").read_text()
        assert '<link rel="icon" href="/favicon.ico" />' in html


def operator() -> Client:
    user = UserFactory(is_staff=True, is_superuser=True)
    client = Client(headers={"Accept-Language": "en-US,en;q=0.9"})  # an English browser
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_admin_speaks_chinese_to_an_english_browser_with_chinese_model_and_field_names():
    place(given_live_campaign())
    client = operator()

    changelist = client.get("/admin/orders/order/")
    index = client.get("/admin/")

    page = changelist.content.decode()
    assert changelist.status_code == 200
    assert '<html lang="zh-hans"' in page
    assert "<title>选择订单查看 | 社区团购运营后台</title>" in page  # Django's own admin text, in Chinese
    for column in ("订单号", "店铺", "团购活动", "状态", "实付金额（分）", "已退款（分）", "创建时间"):
        assert f">{column}<" in page
    assert "团购活动" in index.content.decode() and "账号与登录" in index.content.decode()


@pytest.mark.django_db
def test_an_operator_who_chose_english_gets_english():
    client = operator()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get("/admin/orders/order/").content.decode()

    assert '<html lang="en"' in page
    assert "<title>Select 订单 to view | 社区团购运营后台</title>" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("/admin/fulfilment/exportjob/", ExportJob),
        ("/admin/accounts/apitoken/", ApiToken),
        ("/admin/accounts/smscode/", SmsCode),
        ("/admin/accounts/loginattempt/", LoginAttempt),
        ("/admin/accounts/staffloginfailure/", None),
    ],
)
def test_rows_the_services_write_are_in_the_admin_read_only(url, model):
    client = operator()

    listed = client.get(url)
    add = client.get(url + "add/")

    assert listed.status_code == 200
    assert add.status_code == 403
    if model is not None:
        assert f"<title>选择{model._meta.verbose_name}查看 | 社区团购运营后台</title>" in listed.content.decode()


@pytest.mark.django_db
def test_an_operator_sees_a_staff_lockout_in_chinese():
    staff = StaffFactory()
    for _ in range(5):
        Client().post("/api/auth/login", {"username": staff.user.username, "password": "wrong"}, "application/json")

    page = operator().get("/admin/accounts/staffloginfailure/").content.decode()

    assert ">失败次数<" in page and ">IP地址<" in page
    assert staff.user.username in page
    assert PASSWORD  # the right password played no part


def is_chinese(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def test_every_model_of_every_app_has_a_chinese_name():
    ours = [model for model in apps.get_models() if model.__module__.startswith("tuangou.")]

    unnamed = [
        model._meta.label
        for model in ours
        if not (is_chinese(model._meta.verbose_name) and is_chinese(model._meta.verbose_name_plural))
    ]
    apps_unnamed = [config.label for config in apps.get_app_configs() if config.name.startswith("tuangou.")]
    apps_unnamed = [label for label in apps_unnamed if not is_chinese(apps.get_app_config(label).verbose_name)]

    assert len(ours) >= 40
    assert unnamed == []
    assert apps_unnamed == []


@pytest.mark.django_db
def test_every_admin_list_answers_in_chinese_with_its_columns_named():
    place(given_live_campaign())
    client = operator()

    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("tuangou."):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        assert response.status_code == 200, url
        assert str(model._meta.verbose_name) in response.content.decode(), url
        for name in model_admin.list_display:
            if name == "id" or callable(getattr(model_admin, name, None)):
                continue
            label = model._meta.get_field(name).verbose_name
            assert is_chinese(label), f"{model._meta.label}.{name}"


def test_every_field_an_admin_form_shows_has_a_chinese_label():
    django_own = {f.name for f in apps.get_model("auth", "User")._meta.get_fields()} | {"password", "last_login"}
    unlabelled = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("tuangou.") or model._meta.proxy:
            continue  # proxies of django-axes' rows show Chinese columns through admin.display
        shown = [model, *(inline.model for inline in model_admin.inlines)]
        # The four copied *Event tables give way to core's one event model in this same issue.
        for each in [each for each in shown if not each.__name__.endswith("Event")]:
            for field in each._meta.concrete_fields:
                hidden = field.auto_created or field.name in (model_admin.exclude or []) or field.name in django_own
                if not hidden and not is_chinese(field.verbose_name):
                    unlabelled.append(f"{each._meta.label}.{field.name}")

    assert unlabelled == [], unlabelled
