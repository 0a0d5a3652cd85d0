#!/usr/bin/env python
"""200 open 他们都在买 feeds (server-sent events) while orders go through the API.

Starts the server the way `make run` does (`manage.py serve`: gunicorn sync workers for the site and
the API, one uvicorn process for the feed on its own port) on its own
PostgreSQL database (dropped and recreated: the name must contain "bench"), loads bench/run.py's
data (a live campaign, members with bearer tokens), opens --feeds SSE connections to the campaign's
feed, and while they stay open places orders for --seconds from --clients concurrent clients.

Prints
  order_api_per_s_no_feeds=<n>      the same order load before any feed is open (the reference)
  feeds_open=<n> order_api_per_s_with_feeds=<n> orders_ok=<n> orders_failed=<n>
  feeds_cost=<n>%                   how much lower the order rate was with the feeds open
  feeds_still_open=<n>              feeds that were still streaming after the order window

`--server asgi` (everything on uvicorn) and `--server wsgi` (gunicorn only: each open feed holds a
worker until its catch-up answer ends) run the other setups of `manage.py serve`, to compare.
Figures only; nothing asserted.
"""

import argparse
import asyncio
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tuangou_bench_feed"
REQUEST_TIMEOUT = 10.0

# bench/run.py owns the data set and the HTTP client; reuse them rather than copy them.
_spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).with_name("run.py"))
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16, help="concurrent order clients (16)")
    parser.add_argument("--seconds", type=float, default=10.0, help="order window (10)")
    parser.add_argument("--workers", type=int, default=run.web_workers(), help="web worker processes (as make run)")
    parser.add_argument(
        "--server", choices=["split", "asgi", "wsgi"], default="split", help="what `manage.py serve` runs (split)"
    )
    parser.add_argument("--quick", action="store_true", help="5 s windows")
    args = parser.parse_args()
    if args.quick:
        args.seconds = min(args.seconds, 5.0)
    return args


class Server:
    """`manage.py serve` on a free port: the web server and the job worker, as `make run` starts them."""

    def __init__(self, env: dict, server: str, workers: int):
        self.port = run.free_port()
        self.feed_port = run.free_port() if server == "split" else self.port
        self.banner = ""
        self.log = open(f"/tmp/bench-feed-server-{self.port}.log", "w+")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--server",
                server,
                "--feed-port",
                str(self.feed_port),
            ],
            cwd=ROOT,
            env={**env, "PAYMENT_PROVIDER": env.get("PAYMENT_PROVIDER") or "sandbox"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout=600.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"serve exited with {self.proc.returncode}:\n{self.log.read()[-3000:]}")
            self.log.seek(0)
            for line in self.log.read().splitlines():
                if "is running on" in line:
                    self.banner = line.split("(", 1)[1].rsplit(")", 1)[0]
                    return
            time.sleep(0.3)
        raise RuntimeError("serve did not come up")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # serve stops its children (web server and job worker)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
        self.log.close()


class FeedReader:
    """One EventSource-like connection: sends the GET, checks the answer, then keeps reading."""

    def __init__(self, port: int, path: str):
        self.port, self.path = port, path
        self.open = False
        self.bytes = 0
        self.closed_early = False
        self.writer = None

    async def start(self, timeout: float) -> None:
        try:
            reader, self.writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port), timeout)
            self.writer.write(
                f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            return
        first_line = head.split(b"\r\n", 1)[0]
        self.open = b" 200 " in first_line and b"text/event-stream" in head.lower()
        if self.open:
            self.task = asyncio.create_task(self.drain(reader))

    async def drain(self, reader) -> None:
        while True:
            try:
                chunk = await reader.read(4096)
            except OSError:
                chunk = b""
            if not chunk:
                self.open, self.closed_early = False, True
                return
            self.bytes += len(chunk)

    def close(self):
        if self.writer is not None:
            self.writer.close()


async def place_orders(port: int, data: dict, clients: int, seconds: float, first: int) -> dict:
    """Orders from `clients` concurrent clients for `seconds`; each request may take REQUEST_TIMEOUT."""
    path = f"/api/shops/{data['shop_id']}/orders"
    bodies = [
        run.order_body(data, list(zip(run.order_pair(data, n), (run.QTY_A, run.QTY_B))))
        for n in range(len(data["items"]))
    ]
    members = data["members"]
    counter = iter(range(first, 10**12))
    end = time.monotonic() + seconds
    result = {"ok": 0, "failed": 0, "first_error": ""}

    async def client():
        conn = run.HttpConnection("127.0.0.1", port)
        while time.monotonic() < end:
            n = next(counter)
            _, token = members[n % len(members)]
            try:
                status, payload = await asyncio.wait_for(
                    conn.request("POST", path, run.order_headers(token), bodies[n % len(bodies)]), REQUEST_TIMEOUT
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                conn.close()
                status, payload = 0, repr(exc).encode()
            if status == 201:
                result["ok"] += 1
            else:
                result["failed"] += 1
                result["first_error"] = result["first_error"] or f"{status}: {payload.decode(errors='replace')[:300]}"
        conn.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    result["per_s"] = result["ok"] / max(seconds, time.monotonic() - started)
    return result


async def scenario(port: int, feed_port: int, data: dict, args) -> None:
    await run.warm_workers(port, args.workers)
    baseline = await place_orders(port, data, args.clients, args.seconds, first=0)
    print(
        f"order_api_per_s_no_feeds={baseline['per_s']:.1f} (ok {baseline['ok']}, failed {baseline['failed']})",
        flush=True,
    )

    path = f"/api/shops/{data['shop_id']}/campaigns/{data['campaign_id']}/feed"
    feeds = [FeedReader(feed_port, path) for _ in range(args.feeds)]
    opened_at = time.monotonic()
    for start in range(0, len(feeds), 50):  # as phones arrive, not one SYN flood
        await asyncio.gather(*(feed.start(timeout=REQUEST_TIMEOUT) for feed in feeds[start : start + 50]))
    open_count = sum(feed.open for feed in feeds)
    print(f"bench: {open_count} of {args.feeds} feeds answered in {time.monotonic() - opened_at:.1f} s", flush=True)

    loaded = await place_orders(port, data, args.clients, args.seconds, first=10**6)
    still_open = sum(feed.open for feed in feeds)
    cost = 100 * (1 - loaded["per_s"] / baseline["per_s"]) if baseline["per_s"] else 0.0
    print(
        f"feeds_open={open_count} order_api_per_s_with_feeds={loaded['per_s']:.1f} "
        f"orders_ok={loaded['ok']} orders_failed={loaded['failed']}"
    )
    print(f"feeds_cost={cost:.1f}% of the order rate ({run.load_text()})")
    if loaded["first_error"]:
        print(f"bench: first failed order: {loaded['first_error']}")
    print(
        f"feeds_still_open={still_open} (received {sum(feed.bytes for feed in feeds)} bytes of events and heartbeats)"
    )
    for feed in feeds:
        feed.close()


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    print(f"bench: recreating {conninfo_to_dict(url).get('dbname')} and migrating ...", flush=True)
    run.recreate_database(url)
    run.migrate(env)
    data = run.prepare_data(max(500, 4 * args.clients), 0)
    server = Server(env, args.server, args.workers)
    try:
        server.wait_ready()
        asyncio.run(run.probe(server.port, data))
        asyncio.run(scenario(server.port, server.feed_port, data, args))
    finally:
        server.stop()
    print(
        f"setup: manage.py serve --server {args.server} ({server.banner}), {args.feeds} feeds, "
        f"{args.clients} order clients, {args.seconds:g} s windows, {os.cpu_count()} CPUs; {run.load_text()}"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
