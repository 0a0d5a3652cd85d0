#!/usr/bin/env python
"""First screen of the member campaign page, as a phone opening a shared chat link sees it.

Builds nothing and starts nothing: point it at a running server that serves the demo
(`make run`, or `manage.py serve`), e.g.
    .venv/bin/python bench/h5_fcp.py --base http://127.0.0.1:8000
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
import statistics
import sys
import urllib.request

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
    args = parser.parse_args()
    base = args.base.rstrip("/")
    path = args.path or demo_campaign_path(base)

    from playwright.sync_api import sync_playwright

    fcps, js_sizes, sizes = [], [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for _ in range(args.runs):
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                          has_touch=True, locale="zh-CN")
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.cpu})
            scripts = []
            page.on("response", lambda response: scripts.append(response.url)
                    if response.request.resource_type == "script" and response.ok else None)
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
    print(f"page: {path}; runs: {', '.join(f'{value:.0f}' for value in fcps)} ms; CPU slowdown {args.cpu:g}×; "
          f"scripts: {len(sizes)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
