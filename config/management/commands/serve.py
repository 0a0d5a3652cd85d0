"""`make run`: the web server and the job worker side by side, with the URLs and demo logins printed.

Two web servers, each for what it does best (bench/README.md "Serving" has the figures):
- gunicorn sync workers (config.wsgi) on --port serve the pages and the whole API: one process per
  request with a persistent PostgreSQL connection was the fastest setup measured here (under
  uvicorn the same order endpoint ran about half as fast: sync views on threads, a pool);
- one uvicorn process (config.asgi) on --feed-port (default --port + 1) serves the live 他们都在买
  feed only: its server-sent-events response stays open for minutes, a coroutine under ASGI where
  it would hold a whole sync worker. The H5 page is told that port (FEED_PORT: a <meta> in its
  index.html; CSP connect-src and the feed's CORS header allow it) and opens its EventSource there.
In production nginx routes the feed's path to the uvicorn service instead (deploy/nginx/tuangou.conf),
so the page stays on one origin. `--server asgi` (everything on uvicorn) and `--server wsgi`
(gunicorn only; the feed answers its catch-up and the page reconnects) are kept for comparison.

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

from config.workers import default_workers
from tuangou.core.schedules import ensure_schedules
from tuangou.demo.data import WECHATPAY_SUB_MCHIDS


class Command(BaseCommand):
    help = "Serve the web app (gunicorn, and uvicorn for the live feed) and run the job worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--feed-port", type=int, default=int(os.environ.get("FEED_PORT") or 0), help="the live feed's (--port + 1)"
        )
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS") or default_workers()))
        parser.add_argument(
            "--server", choices=["split", "asgi", "wsgi"], default=os.environ.get("WEB_SERVER", "split")
        )

    def gunicorn_command(self, host: str, port: int, workers: int) -> list[str]:
        return [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ]

    def uvicorn_command(self, host: str, port: int, workers: int) -> list[str]:
        # Open feeds end within 5 s of a stop; the browser reconnects with Last-Event-ID.
        return [
            str(Path(sys.executable).parent / "uvicorn"),
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

    def web_processes(self, server: str, host: str, port: int, feed_port: int, workers: int) -> list[tuple[list, dict]]:
        """(command, environment) of each web server process for this --server."""
        site = os.environ.get("SITE_URL", f"http://{host}:{port}")
        base = {k: v for k, v in os.environ.items() if k not in ("DB_POOL", "FEED_PORT")}
        base["SITE_URL"] = site
        pooled = {**base, "DB_POOL": "1"} if settings.IS_POSTGRES else base
        if server == "asgi":
            return [(self.uvicorn_command(host, port, workers), pooled)]
        # Sync workers keep their connection (one each): persistent unless the environment says.
        persistent = {"CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "600")} if settings.IS_POSTGRES else {}
        web = (self.gunicorn_command(host, port, workers), {**base, **persistent})
        if server == "wsgi":
            return [web]
        web[1]["FEED_PORT"] = str(feed_port)  # the page opens its feed there
        # The feed process runs the same application (the H5 is never sent to it).
        return [web, (self.uvicorn_command(host, feed_port, 1), {**pooled, "FEED_PORT": str(feed_port)})]

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

    def handle(self, host, port, feed_port, workers, server, **options):
        ensure_schedules()
        feed_port = feed_port or port + 1
        processes = self.web_processes(server, host, port, feed_port, workers)
        site_url = processes[0][1]["SITE_URL"]
        sim, payment_env = self.wechatpay_sim_start(site_url)
        if sim is not None:
            from tuangou.demo.loader import demo_payment_settings_ensure

            demo_payment_settings_ensure()
        self.wechatpay_base = payment_env.get("WECHATPAY_API_BASE", "")
        children = [sim] if sim is not None else []
        children.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                env={**os.environ, "SITE_URL": site_url, **payment_env},
            )
        )
        children += [subprocess.Popen(command, env={**env, **payment_env}) for command, env in processes]

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
        ports = [port] + ([feed_port] if server == "split" else [])
        for check in ports:
            for _ in range(150):
                try:
                    urllib.request.urlopen(f"http://{host}:{check}/healthz", timeout=1)
                    break
                except urllib.error.HTTPError:  # up; the worker's first heartbeat may still be coming
                    break
                except OSError:
                    time.sleep(0.2)
        self.stdout.write(self.banner(base, server, workers=workers, feed_port=feed_port))
        while all(child.poll() is None for child in children):
            time.sleep(1)
        stop()

    def web_text(self, server: str, workers: int, feed_port: int) -> str:
        if server == "asgi":
            return f"uvicorn, {workers} workers"
        if server == "wsgi":
            return f"gunicorn, {workers} sync workers; no live feed (the page reconnects for its catch-up)"
        return f"gunicorn, {workers} sync workers; live feed: uvicorn on port {feed_port}"

    def banner(self, base: str, server: str = "split", workers: int = 0, feed_port: int = 0) -> str:
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
            f"\n  Tuangou 社区团购 is running on {base}  ({database}; web: {self.web_text(server, workers or default_workers(), feed_port)}; jobs: django-q worker)\n"
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
