"""`make run`: the web server and the job worker side by side, with the URLs and demo logins printed."""
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

    def handle(self, host, port, workers, **options):
        ensure_schedules()
        bin_dir = Path(sys.executable).parent
        env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL", f"http://{host}:{port}")}
        children = [
            subprocess.Popen([sys.executable, "manage.py", "qcluster"], env=env),
            subprocess.Popen(
                [str(bin_dir / "gunicorn"), "config.wsgi", "--bind", f"{host}:{port}", "--workers", str(workers),
                 "--timeout", "60", "--graceful-timeout", "5"],
                env=env,
            ),
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
        self.stdout.write(self.banner(base))
        while all(child.poll() is None for child in children):
            time.sleep(1)
        stop()

    def banner(self, base: str) -> str:
        from tuangou.demo.loader import demo_logins_text

        database = "PostgreSQL" if settings.IS_POSTGRES else f"SQLite ({settings.DATABASES['default']['NAME']})"
        return (
            f"\n  Tuangou 社区团购 is running on {base}  ({database}; jobs: django-q worker)\n"
            f"  API docs      {base}/api/docs\n"
            f"  OpenAPI       {base}/api/openapi.json\n"
            f"  Platform admin {base}/admin/\n"
            f"  Dev SMS inbox {base}/dev/sms   (SMS login codes in development)\n"
            f"  Health        {base}/healthz\n\n"
            f"{demo_logins_text()}\n"
            "  Ctrl-C stops the server and the worker.\n"
        )
