#!/usr/bin/env python
"""What a first screen downloads: gzip kB of JavaScript and CSS per screen, from frontend/dist.

    .venv/bin/python bench/frontend_weight.py            # read frontend/dist (built before)
    .venv/bin/python bench/frontend_weight.py --build    # npm run build first
    .venv/bin/python bench/frontend_weight.py --serve    # also the H5 campaign page's FCP (bench/h5_fcp.py)
    .venv/bin/python bench/frontend_weight.py --base http://127.0.0.1:8000   # FCP against `make run`

A screen is an app's index.html (its script, modulepreload and stylesheet tags) plus the lazy
route chunks that screen opens — the page component and, in the console, the menu layout — with
everything they import statically and their CSS, read from Vite's build manifest
(dist/.vite/manifest.json; collectstatic leaves dot folders out). That is what the browser fetches
before the page can paint: Vite preloads a lazy chunk's imports and CSS together with it.

Prints one line per screen, e.g.  console_dashboard_js_gzip_kb=…  console_dashboard_css_gzip_kb=…,
then the largest files of each; with --serve/--base the FCP lines of bench/h5_fcp.py.
Figures only: nothing is asserted.
"""

import argparse
import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"

# screen name: (app, source files of the lazy chunks the screen opens, relative to frontend/)
SCREENS = {
    "console_login": ("console", ["console/src/pages/login-page.vue"]),
    "console_dashboard": (
        "console",
        ["console/src/components/app-layout.vue", "console/src/pages/dashboard/dashboard-page.vue"],
    ),
    "console_orders": ("console", ["console/src/components/app-layout.vue", "console/src/pages/orders/order-list.vue"]),
    "h5_campaign": ("h5", ["h5/src/pages/campaigns/campaign-page.vue"]),
}

TAG = re.compile(r"<(?:script|link)\b[^>]*>")
ATTR = re.compile(r'\b(src|href|rel)="([^"]*)"')


def html_assets(dist: Path, app: str) -> set[str]:
    """Files the app's index.html loads: its module script, modulepreloads and stylesheets."""
    found = set()
    for tag in TAG.findall((dist / app / "index.html").read_text()):
        attrs = dict(ATTR.findall(tag))
        url = attrs.get("src") or (attrs.get("href") if attrs.get("rel") in ("modulepreload", "stylesheet") else None)
        if url and url.startswith("/static/"):
            found.add(url.removeprefix("/static/"))
    return found


def chunk_closure(manifest: dict, source: str) -> set[str]:
    """A chunk's file, the chunks it imports statically (transitively), and all their CSS."""
    found, todo, seen = set(), [source], set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        chunk = manifest[key]
        found.add(chunk["file"])
        found.update(chunk.get("css", []))
        todo.extend(chunk.get("imports", []))
    return found


def gzip_kb(path: Path, cache: dict) -> float:
    if path not in cache:
        cache[path] = len(gzip.compress(path.read_bytes(), 9)) / 1024
    return cache[path]


def weigh(dist: Path, top: int) -> None:
    manifest_path = dist / ".vite" / "manifest.json"
    if not manifest_path.exists():
        sys.exit(f"frontend_weight: no {manifest_path}; build the front end (npm --prefix frontend run build)")
    manifest = json.loads(manifest_path.read_text())
    sizes: dict = {}
    for screen, (app, sources) in SCREENS.items():
        files = html_assets(dist, app)
        for source in sources:
            files |= chunk_closure(manifest, source)
        js = sorted((f for f in files if f.endswith(".js")), key=lambda f: -gzip_kb(dist / f, sizes))
        css = [f for f in files if f.endswith(".css")]
        js_kb = sum(gzip_kb(dist / f, sizes) for f in js)
        css_kb = sum(gzip_kb(dist / f, sizes) for f in css)
        print(f"{screen}_js_gzip_kb={js_kb:.1f}  {screen}_css_gzip_kb={css_kb:.1f}  ({len(js)} js, {len(css)} css)")
        largest = ", ".join(f"{Path(f).name} {gzip_kb(dist / f, sizes):.1f}" for f in js[:top])
        print(f"  largest js: {largest}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=FRONTEND / "dist")
    parser.add_argument("--build", action="store_true", help="npm run build first")
    parser.add_argument("--top", type=int, default=5, help="largest files listed per screen")
    parser.add_argument("--serve", action="store_true", help="measure FCP on a throwaway demo server")
    parser.add_argument("--base", help="measure FCP against this running server")
    parser.add_argument("--runs", type=int, default=5, help="FCP cold loads")
    args = parser.parse_args()
    if args.build:
        subprocess.run(["npm", "--prefix", str(FRONTEND), "run", "build", "--silent"], check=True)
    weigh(args.dist, args.top)
    if args.serve or args.base:
        fcp = [sys.executable, str(ROOT / "bench" / "h5_fcp.py"), "--runs", str(args.runs)]
        fcp += ["--serve"] if args.serve else ["--base", args.base]
        return subprocess.run(fcp).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
