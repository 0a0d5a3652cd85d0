"""Issue 10 goal 3: `make run` serves the pages and the API from gunicorn sync workers and the live
feed from its own uvicorn process on another port; the H5 page is told that port."""

import pytest
from django.test import Client
from django.utils import timezone

from config.management.commands.serve import Command
from tuangou.campaigns.tests.factories import CampaignFactory


def test_serve_runs_gunicorn_for_the_site_and_one_uvicorn_for_the_feed(monkeypatch, settings):
    monkeypatch.setenv("DB_POOL", "1")
    settings.IS_POSTGRES = True
    (web, web_env), (feed, feed_env) = Command().web_processes("split", "127.0.0.1", 8000, 8001, 4)

    assert web[0].endswith("gunicorn") and web[1] == "config.wsgi" and "127.0.0.1:8000" in web
    assert web[web.index("--workers") + 1] == "4"
    # Sync workers keep one persistent connection each; the page learns where the feed is.
    assert "DB_POOL" not in web_env and web_env["CONN_MAX_AGE"] == "600" and web_env["FEED_PORT"] == "8001"
    assert feed[0].endswith("uvicorn") and feed[1] == "config.asgi:application"
    assert feed[feed.index("--port") + 1] == "8001" and feed[feed.index("--workers") + 1] == "1"
    assert feed_env["DB_POOL"] == "1"  # sync parts of the feed run on threads: a pool
    assert "live feed: uvicorn on port 8001" in Command().web_text("split", 4, 8001)

    [(only, _)] = Command().web_processes("wsgi", "127.0.0.1", 8000, 8001, 4)
    assert only[0].endswith("gunicorn")
    [(only, env)] = Command().web_processes("asgi", "127.0.0.1", 8000, 8001, 4)
    assert only[0].endswith("uvicorn") and env["DB_POOL"] == "1"


def test_the_h5_page_is_told_the_feed_port_and_its_policy_allows_it(settings, tmp_path):
    (tmp_path / "h5").mkdir()
    (tmp_path / "h5" / "index.html").write_text(
        "<!doctype html><html><head><title>t</title></head><body></body></html>"
    )
    settings.FRONTEND_DIST = tmp_path
    settings.ALLOWED_HOSTS = ["127.0.0.1", "192.168.1.5"]

    settings.FEED_PORT = 0
    page = Client().get("/h5/campaigns/1", HTTP_HOST="127.0.0.1:8000")
    assert b"tuangou-feed-port" not in page.content
    assert "connect-src 'self';" in page["Content-Security-Policy"]

    settings.FEED_PORT = 8001
    page = Client().get("/h5/campaigns/1", HTTP_HOST="192.168.1.5:8000")
    assert b'<meta name="tuangou-feed-port" content="8001" /></head>' in page.content
    assert "connect-src 'self' http://192.168.1.5:8001;" in page["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_feed_answers_pages_from_the_web_servers_port_when_it_has_its_own(settings):
    campaign = CampaignFactory(status="live", starts_at=timezone.now() - timezone.timedelta(hours=1))
    path = f"/api/shops/{campaign.shop_id}/campaigns/{campaign.id}/feed"

    settings.FEED_PORT = 0
    assert "Access-Control-Allow-Origin" not in Client().get(path)

    settings.FEED_PORT = 8001
    answer = Client().get(path, HTTP_ORIGIN="http://127.0.0.1:8000")
    assert answer.status_code == 200 and answer["Access-Control-Allow-Origin"] == "*"
