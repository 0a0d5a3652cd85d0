"""`make run`: the web server and the job worker side by side, with the URLs and demo logins printed.

The web server is uvicorn (ASGI) by default: the live 他们都在买 feed keeps a server-sent-events
response open for minutes, and under gunicorn's sync workers each open page would hold a worker
(a handful of phones would stall the site). Under ASGI an open feed is a coroutine. Sync views
still run, each on a thread, so PostgreSQL connections come from a pool per process (DB_POOL)
instead of one persistent connection per thread. `--server wsgi` is the old gunicorn setup,
without live feeds (the page falls back to polling). bench/feed.py measures both.

Payments go through the WeChat Pay simulator (simulators/wechatpay), started here as a third
child on a local port (WECHATPAY_SIM_PORT, else a free one), in partner mode: the platform is the
service provider (服务商) whose configuration (sp_mchid, keys, serial, APIv3 key, platform
certificate) the simulator writes to var/wechatpay.env, which the server and the worker get as
their environment with PAYMENT_PROVIDER=wechatpay; the demo shop is its sub-merchant (sub_mchid in
the shop's 支付设置). A member paying in the demo opens the simulator's pay page and its notify
comes back here. Set
PAYMENT_PROVIDER in the environment (e.g. PAYMENT_PROVIDER=sandbox make run) to keep that one.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tuangou.core.schedules import ensure_schedules
from tuangou.demo.data import WECHATPAY_SUB_MCHIDS


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

    def wechatpay_sim_start(self, site_url: str, env_path: Path | None = None) -> tuple[subprocess.Popen | None, dict]:
        """The WeChat Pay simulator as a child, and the merchant configuration it wrote (as env
        lines); (None, {}) when the environment picks the provider itself or the simulator fails."""
        if os.environ.get("PAYMENT_PROVIDER"):
            return None, {}
        port = int(os.environ.get("WECHATPAY_SIM_PORT") or 0)
        if not port:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        env_path = env_path or Path(settings.BASE_DIR) / "var" / "wechatpay.env"
        env_path.parent.mkdir(exist_ok=True)
        env_path.unlink(missing_ok=True)
        command = [sys.executable, "-m", "simulators.wechatpay", "--port", str(port), "--env", str(env_path)]
        for sub_mchid in WECHATPAY_SUB_MCHIDS:  # the demo shop's, and spares for shops made in the demo
            command += ["--sub-mchid", sub_mchid]
        if os.environ.get("WECHAT_APP_ID"):  # the app id members log in with is the one they pay with
            command += ["--appid", os.environ["WECHAT_APP_ID"]]
        child = subprocess.Popen(command, cwd=settings.BASE_DIR)
        for _ in range(100):
            if env_path.exists() and env_path.read_text().endswith("\n"):
                break
            if child.poll() is not None:
                break
            time.sleep(0.1)
        else:
            child.terminate()
        if child.poll() is not None or not env_path.exists():
            self.stderr.write("  The WeChat Pay simulator did not start: payments use the sandbox.\n")
            return None, {}
        lines = {}
        for line in env_path.read_text().splitlines():
            name, _, value = line.partition("=")
            lines[name] = value.strip("'")
        lines["WECHATPAY_NOTIFY_BASE"] = site_url
        return child, lines

    def handle(self, host, port, workers, server, **options):
        ensure_schedules()
        env = self.web_env(server, host, port)
        sim, payment_env = self.wechatpay_sim_start(env["SITE_URL"])
        if sim is not None:
            from tuangou.demo.loader import demo_payment_settings_ensure

            demo_payment_settings_ensure()
        self.wechatpay_base = payment_env.get("WECHATPAY_API_BASE", "")
        env.update(payment_env)
        children = [sim] if sim is not None else []
        children += [
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                env={**os.environ, "SITE_URL": env["SITE_URL"], **payment_env},
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
            except urllib.error.HTTPError:  # up; the worker's first heartbeat may still be coming
                break
            except OSError:
                time.sleep(0.2)
        self.stdout.write(self.banner(base, server))
        while all(child.poll() is None for child in children):
            time.sleep(1)
        stop()

    def banner(self, base: str, server: str = "asgi") -> str:
        from tuangou.demo.loader import demo_logins_text

        wechatpay = getattr(self, "wechatpay_base", "")
        payments = (
            f"  Payments          through the WeChat Pay simulator on {wechatpay} (its pay page /pay/h5;\n"
            "                    inside WeChat the JSAPI pay sheet; a computer's QR code is 'scanned' on /pay/scan),\n"
            "                    as the platform's sub-merchants (服务商 mode):\n"
            f"                    the demo shop is {WECHATPAY_SUB_MCHIDS[0]}; give another shop one of "
            f"{WECHATPAY_SUB_MCHIDS[1]}…{WECHATPAY_SUB_MCHIDS[-1][-2:]}\n"
            "                    in its 支付设置. PAYMENT_PROVIDER=sandbox make run for the sandbox\n"
            if wechatpay
            else f"  Payments          provider {settings.PAYMENT_PROVIDER} (PAYMENT_PROVIDER from the environment)\n"
        )
        database = "PostgreSQL" if settings.IS_POSTGRES else f"SQLite ({settings.DATABASES['default']['NAME']})"
        return (
            f"\n  Tuangou 社区团购 is running on {base}  ({database}; web: {'uvicorn' if server == 'asgi' else 'gunicorn'}; jobs: django-q worker)\n"
            f"  Merchant console  {base}/console/\n"
            f"  Phone H5          {base}/h5/   (open on a phone-sized window; leaders see 团长中心 under 我的)\n"
            f"  API docs          {base}/api/docs   (OpenAPI: {base}/api/openapi.json)\n"
            f"  Platform admin    {base}/admin/\n"
            f"  Dev SMS inbox     {base}/dev/sms   (SMS login codes in development)\n"
            f"  Health            {base}/healthz\n"
            f"{payments}\n"
            f"{demo_logins_text()}\n"
            "  Ctrl-C stops the server, the worker and the WeChat Pay simulator.\n"
        )
