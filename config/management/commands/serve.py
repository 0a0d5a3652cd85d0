"""`make run`: the web server and the job worker side by side, with the URLs and demo logins printed.

The web server is uvicorn (ASGI) by default: the live 他们都在买 feed keeps a server-sent-events
response open for minutes, and under gunicorn's sync workers each open page would hold a worker
(a handful of phones would stall the site). Under ASGI an open feed is a coroutine. Sync views
still run, each on a thread, so PostgreSQL connections come from a pool per process (DB_POOL)
instead of one persistent connection per thread. `--server wsgi` is the old gunicorn setup,
without live feeds (the page falls back to polling). bench/feed.py measures both.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tuangou.core.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Serve the web app (gunicorn) and run the job worker (django-q qcluster) until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
        parser.add_argument("--server", choices=["asgi", "wsgi"], default=os.environ.get("WEB_SERVER", "asgi"))

    def web_command(self, server: str, host: str, port: int, workers: int) -> list[str]:
        bin_dir = Path(sys.executable).parent
        if server == "wsgi":
            return [
                str(bin_dir / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ]
        # Open feeds end within 5 s of a stop; the browser reconnects with Last-Event-ID.
        return [
            str(bin_dir / "uvicorn"),
            "config.asgi:application",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--lifespan",
            "off",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "5",
        ]

    def web_env(self, server: str, host: str, port: int) -> dict:
        env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL", f"http://{host}:{port}")}
        if server == "asgi" and settings.IS_POSTGRES:
            env.setdefault("DB_POOL", "1")
        return env

    def handle(self, host, port, workers, server, **options):
        ensure_schedules()
        env = self.web_env(server, host, port)
        children = [
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"], env={**os.environ, "SITE_URL": env["SITE_URL"]}
            ),
            subprocess.Popen(self.web_command(server, host, port, workers), env=env),
        ]

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            sys.exit(0)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        base = f"http://{host}:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        self.stdout.write(self.banner(base, server))
        while all(child.poll() is None for child in children):
            time.sleep(1)
        stop()

    def banner(self, base: str, server: str = "asgi") -> str:
        from tuangou.demo.loader import demo_logins_text

        database = "PostgreSQL" if settings.IS_POSTGRES else f"SQLite ({settings.DATABASES['default']['NAME']})"
        return (
            f"\n  Tuangou 社区团购 is running on {base}  ({database}; web: {'uvicorn' if server == 'asgi' else 'gunicorn'}; jobs: django-q worker)\n"
            f"  Merchant console  {base}/console/\n"
            f"  Phone H5          {base}/h5/   (open on a phone-sized window; leaders see 团长中心 under 我的)\n"
            f"  API docs          {base}/api/docs   (OpenAPI: {base}/api/openapi.json)\n"
            f"  Platform admin    {base}/admin/\n"
            f"  Dev SMS inbox     {base}/dev/sms   (SMS login codes in development)\n"
            f"  Health            {base}/healthz\n\n"
            f"{demo_logins_text()}\n"
            "  Ctrl-C stops the server and the worker.\n"
        )
