#!/usr/bin/env python
"""200 open 他们都在买 feeds (server-sent events) while orders go through the API.

Starts the server the way `make run` does (`manage.py serve`: gunicorn sync workers for the site and
the API, one uvicorn process for the feed on its own port) on its own
PostgreSQL database (dropped and recreated: the name must contain "bench"), loads bench/run.py's
data (a live campaign, members with bearer tokens), opens --feeds SSE connections to the campaign's
feed, and while they stay open places orders for --seconds from --clients concurrent clients.

Prints
  round <k>: ...                    each round: a window with no feed open, then one with --feeds open
  order_api_per_s_no_feeds=<n>      the order rate with no feed open (the reference), mean of the rounds
  feeds_open=<n> order_api_per_s_with_feeds=<n> orders_failed=<n>
  feeds_cost=<n>%                   how much lower the order rate was with the feeds open (means; each round's)
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
    parser.add_argument("--rounds", type=int, default=3, help="pairs of windows, without and with the feeds (3)")
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


async def open_feeds(feed_port: int, path: str, count: int) -> list:
    feeds = [FeedReader(feed_port, path) for _ in range(count)]
    opened_at = time.monotonic()
    for start in range(0, len(feeds), 50):  # as phones arrive, not one SYN flood
        await asyncio.gather(*(feed.start(timeout=REQUEST_TIMEOUT) for feed in feeds[start : start + 50]))
    print(
        f"bench: {sum(feed.open for feed in feeds)} of {count} feeds answered in {time.monotonic() - opened_at:.1f} s",
        flush=True,
    )
    return feeds


def cost_percent(with_feeds: float, without: float) -> float:
    """How much lower the order rate was with the feeds open."""
    return 100 * (1 - with_feeds / without) if without else 0.0


async def scenario(port: int, feed_port: int, data: dict, args) -> None:
    """Rounds of two windows, without then with the feeds open: one pair of windows on a shared
    machine differs by ±30 % on its own, so the cost is read over the rounds."""
    await run.warm_workers(port, args.workers)
    path = f"/api/shops/{data['shop_id']}/campaigns/{data['campaign_id']}/feed"
    without, with_feeds, costs, opened, still_open = [], [], [], [], []
    failed, first_error, received = 0, "", 0
    for round_ in range(args.rounds):
        first = 2 * round_ * 10**6
        baseline = await place_orders(port, data, args.clients, args.seconds, first=first)
        feeds = await open_feeds(feed_port, path, args.feeds)
        opened.append(sum(feed.open for feed in feeds))
        loaded = await place_orders(port, data, args.clients, args.seconds, first=first + 10**6)
        still_open.append(sum(feed.open for feed in feeds))
        received += sum(feed.bytes for feed in feeds)
        for feed in feeds:
            feed.close()
        await asyncio.sleep(1.0)  # the feed server notices the closed sockets before the next window
        without.append(baseline["per_s"])
        with_feeds.append(loaded["per_s"])
        costs.append(cost_percent(loaded["per_s"], baseline["per_s"]))
        failed += baseline["failed"] + loaded["failed"]
        first_error = first_error or baseline["first_error"] or loaded["first_error"]
        print(
            f"round {round_ + 1}: {baseline['per_s']:.1f}/s without feeds, {loaded['per_s']:.1f}/s with "
            f"{still_open[-1]} open: {costs[-1]:+.1f}% ({run.load_text()})",
            flush=True,
        )

    mean_without, mean_with = sum(without) / len(without), sum(with_feeds) / len(with_feeds)
    print(f"order_api_per_s_no_feeds={mean_without:.1f} (mean of {len(without)} windows)")
    print(
        f"feeds_open={min(opened)} order_api_per_s_with_feeds={mean_with:.1f} (mean of {len(with_feeds)} windows) "
        f"orders_failed={failed}"
    )
    print(
        f"feeds_cost={cost_percent(mean_with, mean_without):.1f}% of the order rate (the means; rounds "
        f"{', '.join(f'{c:+.1f}%' for c in costs)}, median {sorted(costs)[len(costs) // 2]:+.1f}%; {run.load_text()})"
    )
    if first_error:
        print(f"bench: first failed order: {first_error}")
    print(
        f"feeds_still_open={min(still_open)} (fewest at a window's end; received {received} bytes of events and "
        "heartbeats)"
    )


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
        f"{args.clients} order clients, {args.rounds} rounds of two {args.seconds:g} s windows, {os.cpu_count()} CPUs; "
        f"{run.load_text()}"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
