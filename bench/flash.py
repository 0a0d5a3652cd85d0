#!/usr/bin/env python
"""`make flash`: hot items through the real HTTP server with stock taken in Redis first
(tuangou/campaigns/hotstock.py), PostgreSQL's conditional UPDATE still the guard.

1. Spread: one unit per order, orders spread over many big-stock items (closed loop, N clients).
2. Hot: the same, every order on one item. `hot_ratio` = hot / spread (goal >= 0.9).
   With --compare, 1 and 2 again with HOT_STOCK=0 (the database alone) on a fresh server.
3. Flash sale: STOCK units (10,000) to BUYERS distinct members (20,000), one unit each, purchase
   limit 1, over C connections; then the database is asked what was sold: sold, oversold, lost
   (201 answers without their order in the database, orders in the database without a 201),
   refusals by status and code/field, rate and p99.

PostgreSQL only; drops and recreates its own database (default tuangou_hot_bench). Redis from
REDIS_URL (default redis://127.0.0.1:6379/2), flushed first. Server, data and HTTP client are
bench/run.py's, imported. Prints figures; exits 1 only when the flash sale oversold or lost.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
from psycopg.conninfo import conninfo_to_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  bench/run.py: database, data, server and HTTP client

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tuangou_hot_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
RECONCILE = "from tuangou.campaigns.tasks import hot_stock_reconcile_all; print(hot_stock_reconcile_all())"


def parse_args():
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=int(env("FLASH_CLIENTS", "32")), help="closed-loop clients (32)")
    parser.add_argument("--seconds", type=float, default=float(env("FLASH_SECONDS", "15")), help="per rate run (15)")
    parser.add_argument("--warmup", type=float, default=float(env("FLASH_WARMUP", "2")))
    parser.add_argument("--items", type=int, default=int(env("FLASH_ITEMS", "1000")), help="spread items (1000)")
    parser.add_argument("--stock", type=int, default=int(env("FLASH_STOCK", "10000")), help="flash units (10000)")
    parser.add_argument("--buyers", type=int, default=int(env("FLASH_BUYERS", "20000")), help="flash buyers (20000)")
    parser.add_argument("--connections", type=int, default=int(env("FLASH_CONNECTIONS", "200")))
    parser.add_argument("--workers", type=int, default=int(env("FLASH_WORKERS", str(run.web_workers()))))
    parser.add_argument("--compare", action="store_true", help="also run spread and hot with HOT_STOCK=0")
    parser.add_argument("--quick", action="store_true", help="short smoke run (1,000 units to 2,000 buyers)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup = min(args.seconds, 4.0), min(args.warmup, 1.0)
        args.stock, args.buyers = min(args.stock, 1000), min(args.buyers, 2000)
        args.items = min(args.items, 200)
    args.members = max(500, 4 * args.clients)
    return args


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


async def rate_run(port: int, data: dict, items: list[int], clients: int, seconds: float, warmup: float, web_cpu):
    """Closed loop: each client posts one order after another (one unit of items[n % len])."""
    path = f"/api/shops/{data['shop_id']}/orders"
    bodies = [run.order_body(data, [(item, 1)]) for item in items]
    members = data["members"]
    counter = iter(range(10**12))
    start = time.monotonic()
    window_start, window_end = start + warmup, start + warmup + seconds
    latencies, statuses, first_error, cpu = [], {}, [], []
    loop = asyncio.get_running_loop()
    loop.call_at(window_start, lambda: cpu.append(web_cpu()))
    loop.call_at(window_end, lambda: cpu.append(web_cpu()))

    async def client():
        conn = run.HttpConnection("127.0.0.1", port)
        while time.monotonic() < window_end:
            n = next(counter)
            _, token = members[n % len(members)]
            t0 = time.monotonic()
            try:
                status, payload = await conn.request("POST", path, run.order_headers(token), bodies[n % len(bodies)])
            except (OSError, asyncio.IncompleteReadError) as exc:
                conn.close()
                status, payload = 0, repr(exc).encode()
            t1 = time.monotonic()
            if window_start <= t1 <= window_end:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201:
                    latencies.append(t1 - t0)
                elif not first_error:
                    first_error.append(f"{status}: {payload.decode(errors='replace')[:300]}")
        conn.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    latencies.sort()
    return {
        "per_s": len(latencies) / seconds,
        "p50_ms": run.percentile(latencies, 50) * 1000,
        "p99_ms": run.percentile(latencies, 99) * 1000,
        "cpu_ms": 1000 * (cpu[1] - cpu[0]) / max(1, len(latencies)),
        "non_201": sum(n for s, n in statuses.items() if s != 201),
        "first_error": first_error[0] if first_error else "",
    }


async def flash_sale(port: int, data: dict, connections: int) -> dict:
    """Every flash member once, one unit of the flash item; answers kept for the ledger check."""
    path = f"/api/shops/{data['shop_id']}/orders"
    body = run.order_body(data, [(data["flash_item"], 1)])
    buyers = iter(data["flash_members"])
    placed, refusals, latencies, malformed = {}, {}, [], []

    async def client():
        conn = run.HttpConnection("127.0.0.1", port)
        for member_id, token in buyers:
            t0 = time.monotonic()
            try:
                status, payload = await conn.request("POST", path, run.order_headers(token), body)
            except (OSError, asyncio.IncompleteReadError) as exc:
                conn.close()
                status, payload = 0, repr(exc).encode()
            latencies.append(time.monotonic() - t0)
            if status == 201:
                placed[json.loads(payload)["id"]] = member_id
                continue
            try:
                answer = json.loads(payload)
                reason = f"{status} {answer.get('code')} field={answer.get('field')}"
            except ValueError:
                reason = f"{status} (not JSON)"
                malformed.append(payload[:300])
            refusals[reason] = refusals.get(reason, 0) + 1
        conn.close()

    start = time.monotonic()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.monotonic() - start
    latencies.sort()
    return {
        "placed": placed,
        "refusals": refusals,
        "malformed": malformed,
        "elapsed": elapsed,
        "per_s": len(latencies) / elapsed,
        "p50_ms": run.percentile(latencies, 50) * 1000,
        "p99_ms": run.percentile(latencies, 99) * 1000,
    }


def serve(env: dict, workers: int) -> run.Server:
    server = run.Server(env, workers)
    try:
        server.wait_ready(timeout=120)  # a busy machine: importing Django in 4 workers took > 30 s
        asyncio.run(run.warm_workers(server.port, workers))
        asyncio.run(run.probe(server.port, data=SHARED["data"]))
    except BaseException:
        print(f"flash: server log kept at {server.log.name}", file=sys.stderr)
        server.stop()
        raise
    return server


SHARED: dict = {}


def rates(label: str, server: run.Server, data: dict, args) -> tuple[dict, dict]:
    spread = asyncio.run(
        rate_run(server.port, data, data["items"], args.clients, args.seconds, args.warmup, server.web_cpu)
    )
    print(
        f"{label}spread_per_s={spread['per_s']:.1f} p50_ms={spread['p50_ms']:.1f} p99_ms={spread['p99_ms']:.1f} "
        f"server_cpu_ms={spread['cpu_ms']:.2f} non_201={spread['non_201']} ({load()})",
        flush=True,
    )
    hot_item = [data["items"][0]]
    hot = asyncio.run(rate_run(server.port, data, hot_item, args.clients, args.seconds, args.warmup, server.web_cpu))
    print(
        f"{label}hot_per_s={hot['per_s']:.1f} p50_ms={hot['p50_ms']:.1f} p99_ms={hot['p99_ms']:.1f} "
        f"server_cpu_ms={hot['cpu_ms']:.2f} non_201={hot['non_201']} ({load()})",
        flush=True,
    )
    print(f"{label}hot_ratio={hot['per_s'] / spread['per_s']:.3f}" if spread["per_s"] else f"{label}hot_ratio=0")
    for result in (spread, hot):
        if result["first_error"]:
            print(f"{label}first non-201: {result['first_error']}")
    return spread, hot


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    base = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "REDIS_URL": redis_url,
    }
    os.environ.update({k: base[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CONN_MAX_AGE", "DEBUG")})
    os.environ.pop("REDIS_URL", None)  # this process writes the data straight to the database
    started = time.monotonic()

    print(f"flash: recreating {conninfo_to_dict(url).get('dbname')}, flushing {redis_url} ...", flush=True)
    run.recreate_database(url)
    run.migrate(base)
    data = run.prepare_data(args.members, args.buyers, args.items)
    SHARED["data"] = data
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE campaigns_campaignitem SET stock_allotted = %s, stock_left = %s WHERE id = %s",
            (args.stock, args.stock, data["flash_item"]),
        )
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    # The counters of live items, as a job worker's start writes them (else the spread run would
    # mostly time first fills: each of its 1,000 items is touched a few times only).
    filled = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", RECONCILE],
        cwd=run.ROOT,
        env=base,
        capture_output=True,
        text=True,
    )
    if filled.returncode:
        sys.exit(f"flash: reconcile failed\n{filled.stdout}\n{filled.stderr}")
    print(f"flash: {filled.stdout.strip().splitlines()[-1]} Redis counters written from the database")
    print(f"flash: data ready after {time.monotonic() - started:.0f} s ({load()})", flush=True)

    if args.compare:
        server = serve({**base, "HOT_STOCK": "0"}, args.workers)
        try:
            rates("database_only_", server, data, args)
        finally:
            server.stop()

    server = serve({**base, "HOT_STOCK": "1"}, args.workers)
    try:
        rates("", server, data, args)
        cpu_before = server.web_cpu()
        sale = asyncio.run(flash_sale(server.port, data, args.connections))
        cpu_ms = 1000 * (server.web_cpu() - cpu_before) / max(1, args.buyers)
        sale_load = load()
    finally:
        server.stop()

    with psycopg.connect(url) as conn:
        stock_left = conn.execute(
            "SELECT stock_left FROM campaigns_campaignitem WHERE id = %s", (data["flash_item"],)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT o.id, o.member_id, l.quantity FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id "
            "WHERE l.campaign_item_id = %s AND o.status IN ('pending_payment', 'paid')",
            (data["flash_item"],),
        ).fetchall()
    in_database = {order_id: member_id for order_id, member_id, _ in rows}
    sold = sum(quantity for *_, quantity in rows)
    answered_not_stored = [i for i in sale["placed"] if i not in in_database]
    stored_not_answered = [i for i in in_database if i not in sale["placed"]]
    wrong_member = [i for i, m in sale["placed"].items() if i in in_database and in_database[i] != m]
    counter = store.get(f"tuangou:stock:{{{data['shop_id']}}}:{data['flash_item']}")
    oversold = max(0, sold - args.stock)
    lost = len(answered_not_stored) + len(stored_not_answered)

    print(f"flash_sold={sold}")
    print(f"flash_oversold={oversold}")
    print(
        f"flash_lost={lost} (201 without a database order: {len(answered_not_stored)}; "
        f"database orders without a 201: {len(stored_not_answered)}; on another member: {len(wrong_member)})"
    )
    print(f"flash_201={len(sale['placed'])}")
    print(
        f"flash_stock_left={stock_left} redis_counter={counter.decode() if counter else None} "
        f"(sold + left = {sold + stock_left} of {args.stock})"
    )
    refusals = ", ".join(f"{reason}: {n}" for reason, n in sorted(sale["refusals"].items()))
    print(f"flash_refusals: {refusals or 'none'}")
    print(
        f"flash_per_s={sale['per_s']:.1f} flash_p50_ms={sale['p50_ms']:.1f} flash_p99_ms={sale['p99_ms']:.1f} "
        f"({args.buyers} buyers over {args.connections} connections in {sale['elapsed']:.1f} s; "
        f"gunicorn CPU {cpu_ms:.2f} ms per buyer; {sale_load})"
    )
    for body in sale["malformed"][:3]:
        print(f"flash: an answer that was not JSON: {body!r}")
    print(
        f"setup: gunicorn config.wsgi {args.workers} sync workers, CONN_MAX_AGE=600, REDIS_URL={redis_url}, "
        f"{args.clients} clients over {args.items} spread items, {args.seconds:g} s measured after {args.warmup:g} s, "
        f"flash {args.stock} units to {args.buyers} buyers; {os.cpu_count()} CPUs; "
        f"total {time.monotonic() - started:.0f} s"
    )
    return 1 if oversold or lost or wrong_member else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"flash: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
