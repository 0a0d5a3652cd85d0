"""Production mode (TUANGOU_ENV=production): it refuses to start without a secret, turns the demo
and development aids off, and `manage.py check --deploy` is clean. Run as real processes, since
settings are read once at start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from tuangou.core.schedules import JOBS

ROOT = Path(__file__).resolve().parent.parent
SECRET = "x" * 20 + "production-test-secret-key-0123456789-abcdefghij"
PRODUCTION = {
    "TUANGOU_ENV": "production",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "shop.example.com",
    "SITE_URL": "https://shop.example.com",
    "SMS_BACKEND": "aliyun",
    "PAYMENT_PROVIDER": "wechatpay",
    "SMS_SHOW_CODES": "1",  # asked for, and still off
    "PAYMENT_SECRETS_KEY": "qVPN0sZ6pxmhLr5LQTwRIf0hmOdCVhXf0TnJ9ALGe_Q=",
}


def manage(tmp_path, env: dict, *args) -> subprocess.CompletedProcess:
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a server never has it.
    dropped = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update({"TUANGOU_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage(tmp_path, env, "check")
    assert result.returncode != 0
    assert "TUANGOU_ENV=production needs SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "django.secret").exists()  # nothing generated in its place


def test_production_refuses_debug(tmp_path):
    result = manage(tmp_path, {**PRODUCTION, "DEBUG": "1"}, "check")
    assert result.returncode != 0 and "refuses DEBUG=1" in result.stderr


def test_the_secret_key_may_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(SECRET + "\n")
    env = {**{k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}, "SECRET_KEY_FILE": str(secret_file)}
    code = f"from django.conf import settings; print(settings.SECRET_KEY == {SECRET!r})"
    result = manage(tmp_path, env, "shell", "-c", code)
    assert result.stdout.strip().endswith("True"), result.stderr


def test_check_deploy_is_clean_in_production(tmp_path):
    result = manage(tmp_path, PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_demo_settings_left_in_production(tmp_path):
    env = {**PRODUCTION, "SMS_BACKEND": "console", "PAYMENT_PROVIDER": "sandbox"}
    result = manage(tmp_path, env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "tuangou.W002" in result.stderr and "tuangou.W003" in result.stderr


def test_check_deploy_names_a_payment_secrets_key_left_to_be_generated(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "PAYMENT_SECRETS_KEY"}
    result = manage(tmp_path, {**env, "PAYMENT_SECRETS_KEY": ""}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "tuangou.W007" in result.stderr
    # The key it generated instead is readable by the app's own user alone.
    assert (tmp_path / "payment_secrets.secret").stat().st_mode & 0o777 == 0o600


def test_production_settings_and_answers(tmp_path):
    code = (
        "import json; from django.conf import settings as s; from django.test import Client; "
        "c = Client(); sms = c.get('/dev/sms', HTTP_HOST='shop.example.com', secure=True); "
        "page = c.get('/h5/', HTTP_HOST='shop.example.com', secure=True); "
        "plain = c.get('/h5/', HTTP_HOST='shop.example.com'); "
        "print(json.dumps({'debug': s.DEBUG, 'show_codes': s.SMS_SHOW_CODES, 'session_secure': s.SESSION_COOKIE_SECURE,"
        " 'csrf_secure': s.CSRF_COOKIE_SECURE, 'sms': sms.status_code, 'hsts': page.get('Strict-Transport-Security'),"
        " 'csp': page.get('Content-Security-Policy'), 'nosniff': page.get('X-Content-Type-Options'),"
        " 'frame': page.get('X-Frame-Options'), 'plain': plain.status_code, 'to': plain.get('Location')}))"
    )
    result = manage(tmp_path, PRODUCTION, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False and seen["show_codes"] is False
    assert seen["session_secure"] and seen["csrf_secure"]
    assert seen["sms"] == 404  # the development SMS inbox is gone
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in seen["csp"] and "frame-ancestors 'none'" in seen["csp"]
    assert seen["nosniff"] == "nosniff" and seen["frame"] == "DENY"
    assert seen["plain"] == 301 and seen["to"] == "https://shop.example.com/h5/"


def test_production_queues_jobs_in_the_database_even_with_redis(tmp_path):
    """The database broker deletes a job only once it succeeded (a killed worker's jobs come back);
    Redis stays the cache. JOB_BROKER=redis is a choice, refused without REDIS_URL."""
    code = "from django.conf import settings as s; print(sorted(k for k in ('orm', 'redis') if k in s.Q_CLUSTER))"
    with_redis = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/9"}
    result = manage(tmp_path, with_redis, "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "['orm']", result.stderr
    result = manage(tmp_path, {**with_redis, "JOB_BROKER": "redis"}, "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "['redis']", result.stderr
    result = manage(tmp_path, {**PRODUCTION, "REDIS_URL": "", "JOB_BROKER": "redis"}, "check")
    assert result.returncode != 0 and "JOB_BROKER=redis needs REDIS_URL" in result.stderr


def test_check_deploy_names_a_broker_that_loses_jobs(tmp_path):
    with_redis = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/9"}
    result = manage(tmp_path, {**with_redis, "JOB_BROKER": "redis"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "tuangou.W005" in result.stderr
    result = manage(tmp_path, {**PRODUCTION, "Q_RETRY": "60"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "tuangou.W006" in result.stderr


def test_production_loads_no_demo(tmp_path):
    result = manage(tmp_path, PRODUCTION, "load_demo")
    assert "Not loading the demo" in result.stdout


@pytest.mark.django_db
def test_schedules_exist_after_migrate_alone():
    """A production worker started without `manage.py serve` still expires unpaid orders: migrate
    (post_migrate) writes every schedule, as it did when the test database was made."""
    assert set(Schedule.objects.values_list("name", flat=True)) >= {name for name, _, _ in JOBS}
    Schedule.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert sorted(Schedule.objects.values_list("func", "minutes")) == sorted((func, m) for _, func, m in JOBS)


@pytest.mark.django_db
def test_schedules_are_written_when_a_worker_starts(settings):
    from django_q.signals import post_spawn

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    Schedule.objects.all().delete()
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert Schedule.objects.count() == len(JOBS)


def test_every_variable_the_settings_read_is_in_env_example():
    import re

    read = set(
        re.findall(
            r'(?:environ\.get|env_bool|env_secret|_json_env)\("([A-Z0-9_]+)"', (ROOT / "config/settings.py").read_text()
        )
    )
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - documented == set()
