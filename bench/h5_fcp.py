#!/usr/bin/env python
"""First screen of the member campaign page, as a phone opening a shared chat link sees it.

Point it at a running server that serves the demo (`make run`), e.g.
    .venv/bin/python bench/h5_fcp.py --base http://127.0.0.1:8000
or let it start a throwaway one (`make bench` does: the demo on SQLite in a temporary folder,
served by `manage.py serve` as `make run` does, with the built front end):
    .venv/bin/python bench/h5_fcp.py --serve
It opens /h5/s/<shop>/campaigns/<id> (the demo shop's first live campaign unless --path is given)
in Chromium (/usr/bin/chromium) at 390×844 with the CPU slowed 4× (CDP
Emulation.setCPUThrottlingRate), five cold loads (a new browser context each: empty cache), reads
first-contentful-paint from the Performance API, and sums the gzip size of the JavaScript the
page loaded before FCP plus what the first screen needed (every script fetched by the time the
network went idle).

Prints  h5_fcp_ms=<median>  h5_first_screen_js_kb=<gzip kB>  (figures only; nothing asserted)
"""

import argparse
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def demo_campaign_path(base: str) -> str:
    """The first live campaign of the first shop that lists one (the demo has one shop)."""
    for shop_id in range(1, 50):
        try:
            with urllib.request.urlopen(f"{base}/api/shops/{shop_id}/campaigns", timeout=5) as response:
                items = json.load(response)["items"]
        except OSError:
            continue
        live = [item for item in items if item["status"] == "live"]
        if live:
            return f"/h5/s/{shop_id}/campaigns/{live[0]['id']}"
    sys.exit("h5_fcp: no shop with a live campaign on that server; run `make demo` or pass --path")


def serve_demo() -> tuple[subprocess.Popen, str, str]:
    """A demo server of our own on a free port: migrate, load the demo, serve like `make run`."""
    var = tempfile.mkdtemp(prefix="tuangou-fcp-")
    env = {**os.environ, "TUANGOU_VAR_DIR": var, "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    quiet = {"cwd": ROOT, "env": env, "stdout": subprocess.DEVNULL, "check": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], **quiet)
    subprocess.run([sys.executable, "manage.py", "load_demo"], **quiet)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], **quiet)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return server, base, var
        except OSError:
            time.sleep(0.2)
    stop_demo(server, var)
    sys.exit("h5_fcp: the demo server did not start")


def stop_demo(server: subprocess.Popen, var: str) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)
    shutil.rmtree(var, ignore_errors=True)


def gzip_size(url: str, cache: dict) -> int:
    if url not in cache:
        with urllib.request.urlopen(url, timeout=10) as response:
            cache[url] = len(gzip.compress(response.read(), 9))
    return cache[url]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=os.environ.get("BENCH_BASE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--path", help="page to open (default: the demo's first live campaign)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu", type=float, default=4.0, help="CPU slowdown factor (4)")
    parser.add_argument("--serve", action="store_true", help="start a throwaway demo server for the run")
    args = parser.parse_args()
    if args.serve:
        server, base, var = serve_demo()
        try:
            return measure(args, base)
        finally:
            stop_demo(server, var)
    return measure(args, args.base.rstrip("/"))


def measure(args, base: str) -> int:
    path = args.path or demo_campaign_path(base)

    from playwright.sync_api import sync_playwright

    fcps, js_sizes, sizes = [], [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for _ in range(args.runs):
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.cpu})
            scripts = []
            page.on(
                "response",
                lambda response, scripts=scripts: (
                    scripts.append(response.url) if response.request.resource_type == "script" and response.ok else None
                ),
            )
            page.goto(base + path, wait_until="networkidle")
            fcp = page.evaluate("""() => new Promise((resolve) => {
                const found = performance.getEntriesByName('first-contentful-paint')[0];
                if (found) return resolve(found.startTime);
                new PerformanceObserver((list) => resolve(list.getEntriesByName('first-contentful-paint')[0].startTime))
                    .observe({ type: 'paint', buffered: true });
            })""")
            fcps.append(fcp)
            js_sizes.append(sum(gzip_size(url, sizes) for url in set(scripts)))
            context.close()
        browser.close()
    print(f"h5_fcp_ms={statistics.median(fcps):.0f}")
    print(f"h5_first_screen_js_kb={statistics.median(js_sizes) / 1024:.1f}")
    print(
        f"page: {path}; runs: {', '.join(f'{value:.0f}' for value in fcps)} ms; CPU slowdown {args.cpu:g}×; "
        f"scripts: {len(sizes)} files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
