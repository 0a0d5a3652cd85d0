#!/usr/bin/env python
"""`make bench`: order placement through the server `make run` serves (manage.py serve) against the
same transaction in raw SQL, with orders spread over many items, then all on one hot item, then a
flash sale. PostgreSQL only; it drops and recreates its own database each run.

Prints figures only (no assertions on speed): see bench/README.md for what each line means.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tuangou_bench"
FLASH_STOCK = 100
QTY_A, QTY_B = 1, 2
PRICE_A, PRICE_B, PRICE_FLASH = 1990, 890, 990
BIG_STOCK = 50_000_000


# --- options ---------------------------------------------------------------------------------------


def parse_args():
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=int(env("BENCH_CLIENTS", "32")), help="concurrent clients (32)")
    parser.add_argument(
        "--seconds", type=float, default=float(env("BENCH_SECONDS", "15")), help="measured seconds per run (15)"
    )
    parser.add_argument(
        "--warmup", type=float, default=float(env("BENCH_WARMUP", "2")), help="uncounted seconds first (2)"
    )
    parser.add_argument(
        "--skip-raw", action="store_true", default=env("BENCH_SKIP_RAW", "") == "1", help="no raw SQL run"
    )
    parser.add_argument("--quick", action="store_true", default=env("BENCH_QUICK", "") == "1", help="short smoke run")
    parser.add_argument("--flash-attempts", type=int, default=int(env("BENCH_FLASH_ATTEMPTS", "2000")))
    parser.add_argument("--flash-connections", type=int, default=int(env("BENCH_FLASH_CONNECTIONS", "200")))
    parser.add_argument(
        "--raw-processes",
        type=int,
        default=int(env("BENCH_RAW_PROCESSES", "2")),
        help="processes sharing the raw SQL clients, threads inside each (2)",
    )
    parser.add_argument(
        "--items",
        type=int,
        default=int(env("BENCH_ITEMS", "1000")),
        help="big-stock campaign items; each order takes two neighbours (1000: the row locks spread "
        "as in real traffic). The hot-item phase puts one hot item in every order instead",
    )
    parser.add_argument(
        "--raw-runs",
        type=int,
        default=int(env("BENCH_RAW_RUNS", "2")),
        help="raw SQL runs per phase, before and after the API's (2): their spread shows the noise",
    )
    parser.add_argument("--skip-hot", action="store_true", default=env("BENCH_SKIP_HOT", "") == "1")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup = min(args.seconds, 3.0), min(args.warmup, 1.0)
        args.flash_attempts, args.flash_connections = min(args.flash_attempts, 400), min(args.flash_connections, 100)
    args.items = max(2, args.items)
    args.raw_runs = max(1, args.raw_runs)
    args.members = max(500, 4 * args.clients)
    return args


# --- database --------------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    params = conninfo_to_dict(url)
    name = params.get("dbname") or ""
    # This drops the database: refuse anything that is not plainly a benchmark database.
    if "bench" not in name:
        sys.exit(f"bench: refusing to drop database {name!r}; its name must contain 'bench'")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def migrate(env: dict) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"bench: migrate failed\n{done.stdout}\n{done.stderr}")


def prepare_data(n_members: int, n_flash: int, n_items: int = 2) -> dict:
    """Shop, leader + point, live campaign with two big items and a flash item, members with tokens.

    Rows go in with bulk_create: thousands of members one by one would take longer than the run."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connections, transaction
    from django.utils import timezone

    from tuangou.accounts.models import ApiToken, User
    from tuangou.campaigns.models import Campaign, CampaignItem
    from tuangou.catalog.models import Product, Sku
    from tuangou.leaders.models import Leader, Membership, PickupPoint
    from tuangou.shops.models import Shop

    now = timezone.now()
    with transaction.atomic():
        shop = Shop.objects.create(name="压测鲜果铺", category="生鲜果蔬", city="厦门")
        leader_user = User.objects.create(
            username="bench-leader", phone="13700000000", password="!", display_name="王团长"
        )
        leader = Leader.objects.create(
            shop=shop,
            user=leader_user,
            name="王团长",
            phone="13700000000",
            status=Leader.Status.ACTIVE,
            commission_rate_bp=1000,
        )
        point = PickupPoint.objects.create(
            shop=shop,
            leader=leader,
            name="莲花新城自提点",
            community="莲花新城",
            address="厦门市思明区莲花路1号",
            lat=Decimal("24.493300"),
            lng=Decimal("118.130100"),
            route="思明线",
            households=800,
            is_active=True,
        )
        product = Product.objects.create(shop=shop, name="压测商品", unit="份")
        prices = [PRICE_A if i % 2 == 0 else PRICE_B for i in range(n_items)] + [PRICE_A, PRICE_FLASH]
        skus = Sku.objects.bulk_create(
            [
                Sku(
                    shop=shop,
                    product=product,
                    spec=f"规格{i + 1}" if i < n_items else ("爆款" if i == n_items else "秒杀款"),
                    price_fen=price,
                    stock=0,
                )
                for i, price in enumerate(prices)
            ]
        )
        campaign = Campaign.objects.create(
            shop=shop,
            title="压测团购",
            status=Campaign.Status.LIVE,
            starts_at=now - timedelta(hours=1),
            cutoff_at=now + timedelta(days=1),
            pickup_at=now + timedelta(days=2),
            all_leaders=True,
        )
        *items, hot, flash = CampaignItem.objects.bulk_create(
            [
                CampaignItem(
                    shop=shop,
                    campaign=campaign,
                    sku=sku,
                    price_fen=sku.price_fen,
                    sort=i,
                    stock_allotted=FLASH_STOCK if i == n_items + 1 else BIG_STOCK,
                    stock_left=FLASH_STOCK if i == n_items + 1 else BIG_STOCK,
                    purchase_limit=1 if i == n_items + 1 else 0,
                )
                for i, sku in enumerate(skus)
            ]
        )
        # "!" is an unusable password: these people log in only with their bearer token.
        users = User.objects.bulk_create(
            [
                User(username=f"bench{i:06d}", phone=f"139{i:08d}", password="!", display_name=f"会员{i}")
                for i in range(n_members + n_flash)
            ]
        )
        keys = [ApiToken.new_key() for _ in users]
        ApiToken.objects.bulk_create(
            [ApiToken(user=u, key_hash=ApiToken.hash_key(k), name="bench") for u, k in zip(users, keys)]
        )
        Membership.objects.bulk_create([Membership(shop=shop, user=u, leader=leader, via_leader=leader) for u in users])
    data = {
        "shop_id": shop.pk,
        "leader_id": leader.pk,
        "point_id": point.pk,
        "campaign_id": campaign.pk,
        "items": [i.pk for i in items],
        "specs": {i.pk: i.sku.spec for i in [*items, hot]},
        "hot_item": hot.pk,
        "flash_item": flash.pk,
        "product_name": product.name,
        "members": [(u.pk, k) for u, k in zip(users[:n_members], keys[:n_members])],
        "flash_members": [(u.pk, k) for u, k in zip(users[n_members:], keys[n_members:])],
    }
    connections.close_all()
    return data


# --- server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The web servers serve may start; their workers (granian's are spawned) count with them.
WEB_SERVERS = ("gunicorn", "uvicorn", "granian")


class Server:
    """`manage.py serve`, as `make run` starts it (its web servers, the job worker), on a free port.
    Only the payment provider differs: the sandbox, not the WeChat Pay simulator child."""

    def __init__(self, env: dict, workers: int):
        self.port = free_port()
        self.feed_port = free_port()
        self.workers = workers
        self.log = tempfile.NamedTemporaryFile(prefix="tuangou-bench-server-", suffix=".log", delete=False)
        self.keep_log = False
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--feed-port",
                str(self.feed_port),
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env={**env, "PAYMENT_PROVIDER": env.get("PAYMENT_PROVIDER") or "sandbox"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.banner = ""

    def log_tail(self, lines=40) -> str:
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def wait_ready(self, timeout=600.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"manage.py serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            for line in Path(self.log.name).read_text(errors="replace").splitlines():
                if "is running on" in line:
                    self.banner = line.split("(", 1)[1].rsplit(")", 1)[0] if "(" in line else line
                    return
            time.sleep(0.3)
        raise RuntimeError(f"manage.py serve did not come up within {timeout:.0f} s:\n{self.log_tail()}")

    def web_pids(self) -> list[int]:
        """The web server processes serve started (gunicorn's master and workers, uvicorn's)."""
        servers = [pid for pid, cmd in descendants(self.proc.pid) if any(name in cmd for name in WEB_SERVERS)]
        return sorted(set(servers) | {pid for server in servers for pid, _ in descendants(server)})

    def web_cpu(self) -> float:
        return process_cpu(self.web_pids())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # serve stops its children
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only what it started
                self.proc.wait()


def descendants(root_pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below root_pid."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root_pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                cmd = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            found.append((child, cmd))
            todo.append(child)
    return found


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) these processes used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def db_cpu_of(url: str):
    """A function giving the CPU seconds used so far by the PostgreSQL backends the web server uses:
    those connected to the bench's database, less the lock sampler's and the job worker's (whose
    last statement read django-q's tables)."""

    def read() -> float:
        with psycopg.connect(url, autocommit=True) as conn:
            pids = [
                pid
                for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
                    "AND application_name <> 'bench-sampler' AND query NOT ILIKE '%%django_q%%'"
                )
            ]
        return process_cpu(pids)

    return read


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine, to tell how loaded it was during a run."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class LockSampler:
    """Samples pg_stat_activity ten times a second: how many of the database's sessions were
    running a statement, and how many of those were waiting for a lock (the hot rows)."""

    QUERY = (
        "SELECT count(*) FILTER (WHERE state = 'active'), "
        "count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock') "
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )

    def __init__(self, url: str):
        self.url, self.samples, self.stop_event = url, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with psycopg.connect(self.url, autocommit=True, application_name="bench-sampler") as conn:
            while not self.stop_event.wait(0.1):
                self.samples.append(conn.execute(self.QUERY).fetchone())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()

    def summary(self) -> str:
        if not self.samples:
            return "no samples"
        active = sum(a for a, _ in self.samples) / len(self.samples)
        waiting = sum(w for _, w in self.samples) / len(self.samples)
        return f"{active:.1f} sessions busy on average, {waiting:.1f} of them waiting for a row lock"


# --- HTTP client: asyncio streams, keep-alive when the server allows it ---------------------------


class HttpConnection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        data = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        for attempt in range(2):
            reused = self.writer is not None
            if not reused:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(data)
                status, response_headers, payload = await self._read_response()
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                # A kept-alive connection the server already closed: send again on a new one
                # (safe: every order request carries an idempotency key).
                if not reused or attempt:
                    raise
        if response_headers.get("connection", "").lower() == "close":
            self.close()  # gunicorn's sync workers close after every response
        return status, payload

    async def _read_response(self):
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            payload = b"".join(parts)
        else:
            payload = await self.reader.read()
            headers["connection"] = "close"
        return status, headers, payload


def order_pair(data: dict, n: int, hot: bool = False) -> tuple[int, int]:
    """The two items of the n-th order, lower id first so that row locks are always taken in one order:
    two neighbours among the spread items, or (hot) the one hot item and a spread item."""
    items = data["items"]
    a, b = items[n % len(items)], data["hot_item"] if hot else items[(n + 1) % len(items)]
    return min(a, b), max(a, b)


def order_body(data: dict, items: list[tuple[int, int]]) -> bytes:
    return json.dumps(
        {
            "campaign_id": data["campaign_id"],
            "leader_id": data["leader_id"],
            "items": [{"campaign_item_id": i, "quantity": q} for i, q in items],
        }
    ).encode()


def order_headers(token: str) -> dict:
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex,
        "Accept-Language": "en",
    }


async def probe(port: int, data: dict) -> None:
    """One order before the run: a missing or misbehaving endpoint stops the bench with its answer."""
    conn = HttpConnection("127.0.0.1", port)
    _, token = data["members"][0]
    status, payload = await conn.request(
        "POST",
        f"/api/shops/{data['shop_id']}/orders",
        order_headers(token),
        order_body(data, list(zip(order_pair(data, 0), (QTY_A, QTY_B)))),
    )
    conn.close()
    if status != 201:
        hint = " (the order endpoint does not exist yet?)" if status in (404, 405) else ""
        raise RuntimeError(
            f"POST /api/shops/{data['shop_id']}/orders answered {status}{hint}:\n"
            f"{payload.decode(errors='replace')[:2000]}"
        )


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


async def warm_workers(port: int, workers: int) -> None:
    """A few concurrent GETs, so that each worker has loaded the URLconf (and with it every app's
    API module) before the clock runs: Django does that on a worker's first request."""

    async def one():
        conn = HttpConnection("127.0.0.1", port)
        await conn.request("GET", "/healthz", {}, b"")
        conn.close()

    for _ in range(3):
        await asyncio.gather(*(one() for _ in range(4 * workers)))


async def order_api_run(
    port: int, data: dict, clients: int, seconds: float, warmup: float, server_cpu, hot: bool = False, db_cpu=None
) -> dict:
    path = f"/api/shops/{data['shop_id']}/orders"
    bodies = [order_body(data, list(zip(order_pair(data, n, hot), (QTY_A, QTY_B)))) for n in range(len(data["items"]))]
    members = data["members"]
    counter = iter(range(10**12))
    start = time.monotonic()
    window_start, window_end = start + warmup, start + warmup + seconds
    latencies, statuses, first_error, total_201 = [], {}, [], [0]
    snapshots = []  # (server CPU, machine busy, this process's CPU) at the window's start and end

    def snapshot():
        snapshots.append((server_cpu(), machine_busy(), time.process_time(), db_cpu() if db_cpu else 0.0))

    loop = asyncio.get_running_loop()
    loop.call_at(window_start, snapshot)  # the loop's clock is time.monotonic()
    loop.call_at(window_end, snapshot)

    async def client():
        conn = HttpConnection("127.0.0.1", port)
        while time.monotonic() < window_end:
            n = next(counter)
            _, token = members[n % len(members)]  # round-robin: no member limit in play
            t0 = time.monotonic()
            try:
                status, payload = await conn.request("POST", path, order_headers(token), bodies[n % len(bodies)])
            except (OSError, asyncio.IncompleteReadError) as exc:
                conn.close()
                status, payload = 0, repr(exc).encode()
            t1 = time.monotonic()
            if status == 201:
                total_201[0] += 1
            if window_start <= t1 <= window_end:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201:
                    latencies.append(t1 - t0)
                elif not first_error:
                    first_error.append(f"{status}: {payload.decode(errors='replace')[:500]}")
        conn.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    latencies.sort()
    (cpu0, (busy0, all0), own0, db0), (cpu1, (busy1, all1), own1, db1) = snapshots
    return {
        "db_cpu_ms": 1000 * (db1 - db0) / max(1, len(latencies)),
        "server_cpu_ms": 1000 * (cpu1 - cpu0) / max(1, len(latencies)),
        "server_cores": (cpu1 - cpu0) / seconds,
        "client_cpu_ms": 1000 * (own1 - own0) / max(1, len(latencies)),
        "machine_busy": (busy1 - busy0) / max(1, all1 - all0),
        "per_s": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "statuses": statuses,
        "first_error": first_error[0] if first_error else "",
        "total_201": total_201[0],
    }


async def flash_run(port: int, data: dict, connections: int) -> dict:
    path = f"/api/shops/{data['shop_id']}/orders"
    body = order_body(data, [(data["flash_item"], 1)])
    attempts = iter(data["flash_members"])  # each attempt from a distinct member
    statuses, first_error = {}, {}

    async def client():
        conn = HttpConnection("127.0.0.1", port)
        for _, token in attempts:
            try:
                status, payload = await conn.request("POST", path, order_headers(token), body)
            except (OSError, asyncio.IncompleteReadError) as exc:
                conn.close()
                status, payload = 0, repr(exc).encode()
            statuses[status] = statuses.get(status, 0) + 1
            if status != 201 and status not in first_error:
                first_error[status] = payload.decode(errors="replace")[:300]
        conn.close()

    start = time.monotonic()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.monotonic() - start
    answered = sum(n for s, n in statuses.items() if s)
    return {"per_s": answered / elapsed, "elapsed": elapsed, "statuses": statuses, "first_error": first_error}


# --- raw SQL: the same transaction through psycopg -------------------------------------------------

RAW_UPDATE = (
    "UPDATE campaigns_campaignitem SET stock_left = stock_left - %s, updated_at = now() "
    "WHERE id = %s AND shop_id = %s AND stock_left >= %s RETURNING price_fen"
)
RAW_ORDER = (
    "INSERT INTO orders_order (shop_id, campaign_id, member_id, leader_id, pickup_point_id, number, status, "
    "items_fen, discount_fen, reduction_fen, delivery_mode, delivery_fee_fen, total_fen, refunded_fen, pickup_code, "
    "contact_name, contact_phone, note, idempotency_key, request_hash, expires_at, created_at, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, 'pending_payment', %s, 0, 0, 'pickup', 0, %s, 0, %s, '', '', '', %s, '', "
    "now() + interval '15 minutes', now(), now()) RETURNING id"
)
RAW_LINES = (
    "INSERT INTO orders_orderline (shop_id, order_id, campaign_item_id, product_name, spec, unit_price_fen, "
    "quantity, amount_fen, coupon_fen, reduction_fen, refunded_quantity, refunded_fen, commission_rate_bp, "
    "created_at, updated_at) VALUES "
    "(%s, %s, %s, %s, %s, %s, %s, %s, 0, 0, 0, 0, 1000, now(), now()), "
    "(%s, %s, %s, %s, %s, %s, %s, %s, 0, 0, 0, 0, 1000, now(), now())"
)
RAW_EVENT = (
    "INSERT INTO orders_orderevent (shop_id, order_id, type, from_status, to_status, actor_id, data, "
    "created_at) VALUES (%s, %s, 'created', '', 'pending_payment', %s, '{}', now())"
)


def raw_client(url, data, members, client_index, window, out, hot=False, stats=None):
    """One connection, one transaction after another until the window ends. `stats` gets the CPU
    its PostgreSQL backend used over the whole run and how many transactions it committed."""
    start, end = window
    shop, name, specs = data["shop_id"], data["product_name"], data["specs"]
    done, latencies, failures, seq = 0, [], 0, 0
    try:
        with psycopg.connect(url) as conn:
            backend = conn.info.backend_pid
            backend_cpu = process_cpu([backend])
            cur = conn.cursor()
            while time.monotonic() < end:
                n = client_index + seq * 131
                member_id, _ = members[n % len(members)]
                a, b = order_pair(data, n, hot)
                seq += 1
                t0 = time.monotonic()
                cur.execute(RAW_UPDATE, (QTY_A, a, shop, QTY_A))  # psycopg opens the transaction (BEGIN)
                row_a = cur.fetchone()
                cur.execute(RAW_UPDATE, (QTY_B, b, shop, QTY_B))
                row_b = cur.fetchone()
                if row_a is None or row_b is None:
                    conn.rollback()
                    failures += 1
                    continue
                amount_a, amount_b = row_a[0] * QTY_A, row_b[0] * QTY_B
                total = amount_a + amount_b
                # never all digits: cannot clash with the API's codes; 12 characters (run, client, sequence)
                code = f"R{client_index // 1000:02d}{client_index % 1000:03d}{seq:06d}"
                cur.execute(
                    RAW_ORDER,
                    (
                        shop,
                        data["campaign_id"],
                        member_id,
                        data["leader_id"],
                        data["point_id"],
                        f"RAW{client_index:05d}{seq:010d}",
                        total,
                        total,
                        code,
                        uuid.uuid4().hex,
                    ),
                )
                order_id = cur.fetchone()[0]
                cur.execute(
                    RAW_LINES,
                    (
                        shop,
                        order_id,
                        a,
                        name,
                        specs[a],
                        row_a[0],
                        QTY_A,
                        amount_a,
                        shop,
                        order_id,
                        b,
                        name,
                        specs[b],
                        row_b[0],
                        QTY_B,
                        amount_b,
                    ),
                )
                cur.execute(RAW_EVENT, (shop, order_id, member_id))
                conn.commit()
                t1 = time.monotonic()
                if start <= t1 <= end:
                    done += 1
                    latencies.append(t1 - t0)
            if stats is not None:
                stats.append((process_cpu([backend]) - backend_cpu, seq - failures))
        out.append((done, latencies, failures, None))
    except Exception as exc:  # handed back to the parent, which stops the bench with it
        out.append((done, latencies, failures, f"{exc.__class__.__name__}: {exc}"))


def raw_process(url, data, members, first_client, threads, window, queue, hot=False):
    results, stats = [], []
    cpu0 = time.process_time()
    workers = [
        threading.Thread(target=raw_client, args=(url, data, members, first_client + t, window, results, hot, stats))
        for t in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put((results, time.process_time() - cpu0, stats))


def raw_sql_run(
    url: str, data: dict, clients: int, processes: int, seconds: float, warmup: float, hot: bool = False, run: int = 0
) -> dict:
    """C connections spread over a few processes (threads inside each): one Python process alone
    runs out of GIL before PostgreSQL runs out of CPU."""
    processes = max(1, min(processes, clients))
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start = time.monotonic() + 0.5  # time for the processes to connect
    window = (start + warmup, start + warmup + seconds)
    slim = {k: v for k, v in data.items() if k not in ("members", "flash_members")}
    members = data["members"]
    procs, first = [], 0
    for p in range(processes):
        threads = clients // processes + (1 if p < clients % processes else 0)
        procs.append(
            ctx.Process(target=raw_process, args=(url, slim, members, first + 1000 * run, threads, window, queue, hot))
        )
        first += threads
    for p in procs:
        p.start()
    answers = [queue.get() for _ in procs]
    results = [r for found, _, _ in answers for r in found]
    client_cpu = sum(cpu for _, cpu, _ in answers)
    db_cpu = sum(cpu for _, _, stats in answers for cpu, _ in stats)
    committed = max(1, sum(n for _, _, stats in answers for _, n in stats))
    for p in procs:
        p.join()
    errors = [e for *_, e in results if e]
    if errors:
        raise RuntimeError(f"raw SQL run: {len(errors)} of {clients} clients failed; first: {errors[0]}")
    latencies = sorted(x for _, lat, _, _ in results for x in lat)
    return {
        "per_s": sum(d for d, *_ in results) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "failures": sum(f for _, _, f, _ in results),
        # CPU per transaction over the whole run (warm-up included): the load generator, PostgreSQL.
        "client_cpu_ms": 1000 * client_cpu / committed,
        "db_cpu_ms": 1000 * db_cpu / committed,
    }


def raw_client_count(url: str, wanted: int) -> int:
    """As many connections as the API run had clients, within what PostgreSQL still allows."""
    with psycopg.connect(url) as conn:
        limit = int(conn.execute("SHOW max_connections").fetchone()[0])
        used = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'").fetchone()[0]
    room = limit - used - 5  # superuser_reserved_connections (3) and a little air
    if wanted > room:
        print(f"bench: raw SQL run limited to {room} connections (max_connections={limit}, {used} in use)")
        return max(1, room)
    return wanted


# --- main ------------------------------------------------------------------------------------------


def fmt(value: float) -> str:
    return f"{value:.1f}"


def web_workers() -> int:
    """As many sync workers as `make run` starts (WEB_WORKERS, else serve's default)."""
    if os.environ.get("WEB_WORKERS"):
        return int(os.environ["WEB_WORKERS"])
    sys.path.insert(0, str(ROOT))
    from config.workers import default_workers

    return default_workers()


def load_text() -> str:
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_api(prefix: str, api: dict, locks, server: Server) -> None:
    print(f"{prefix}_per_s={fmt(api['per_s'])}")
    print(f"{prefix}_p50_ms={fmt(api['p50_ms'])}")
    print(f"{prefix}_p99_ms={fmt(api['p99_ms'])}")
    non_201 = sum(n for s, n in api["statuses"].items() if s != 201)
    print(f"{prefix}_non_201={non_201}" + (f" first: {api['first_error']}" if non_201 else ""))
    if non_201:
        server.keep_log = True
    print(
        f"{prefix}_server_cpu_ms={api['server_cpu_ms']:.2f} per order (web server processes; this load "
        f"generator {api['client_cpu_ms']:.2f}); the web server used {api['server_cores']:.2f} of "
        f"{os.cpu_count()} cores, the machine was {100 * api['machine_busy']:.0f}% busy; {load_text()}"
    )
    print(f"{prefix}_db: {locks.summary()}", flush=True)
    print(
        f"{prefix}_cpu_ms={api['server_cpu_ms'] + api['db_cpu_ms']:.2f} per order "
        f"(web server {api['server_cpu_ms']:.2f} + PostgreSQL {api['db_cpu_ms']:.2f})",
        flush=True,
    )


def raw_runs(url: str, data: dict, args, clients: int, hot: bool, first_run: int, runs: int) -> list[dict]:
    found = []
    for run in range(runs):
        with LockSampler(url) as locks:
            raw = raw_sql_run(url, data, clients, args.raw_processes, args.seconds, args.warmup, hot, first_run + run)
        raw["locks"], raw["load"] = locks.summary(), load_text()
        found.append(raw)
    return found


def print_raw(prefix: str, runs: list[dict]) -> tuple[float, float]:
    """The raw side's figure (the mean of its runs) and each run, so the noise shows."""
    rates = [r["per_s"] for r in runs]
    mean = sum(rates) / len(rates)
    spread = (max(rates) - min(rates)) / mean * 100 if mean else 0.0
    print(f"{prefix}_per_s={fmt(mean)}")
    cpu = [r["client_cpu_ms"] + r["db_cpu_ms"] for r in runs]
    print(
        f"{prefix}_cpu_ms={sum(cpu) / len(cpu):.2f} per transaction (load generator "
        f"{sum(r['client_cpu_ms'] for r in runs) / len(runs):.2f} + PostgreSQL "
        f"{sum(r['db_cpu_ms'] for r in runs) / len(runs):.2f})"
    )
    print(
        f"{prefix}_runs: {', '.join(fmt(r) for r in rates)} (spread {spread:.0f}% of the mean); "
        + "; ".join(
            f"run {i + 1}: p50 {fmt(r['p50_ms'])} ms p99 {fmt(r['p99_ms'])} ms, {r['failures']} failed, "
            f"{r['locks']}, {r['load']}"
            for i, r in enumerate(runs)
        ),
        flush=True,
    )
    return mean, sum(cpu) / len(cpu)


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    # The environment `make run` gives manage.py serve (REDIS_URL and the rest pass through as they are).
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    started = time.monotonic()
    workers = web_workers()

    print(f"bench: recreating {conninfo_to_dict(url).get('dbname')} and migrating ...", flush=True)
    recreate_database(url)
    migrate(env)
    data = prepare_data(args.members, args.flash_attempts, args.items)
    print(
        f"bench: data ready ({args.members} members + {args.flash_attempts} flash members, {args.items} items "
        f"+ 1 hot + 1 flash) after {time.monotonic() - started:.1f} s",
        flush=True,
    )

    server = Server(env, workers)
    raw_clients = args.clients
    ratio = hot_ratio = None
    try:
        server.wait_ready()
        redis = env.get("REDIS_URL")
        print(
            f"served: as `make run` serves (manage.py serve): {server.banner}; "
            f"REDIS_URL {'passed to the server' if redis else 'not set'}",
            flush=True,
        )
        asyncio.run(warm_workers(server.port, workers))
        asyncio.run(probe(server.port, data))
        if not args.skip_raw:
            raw_clients = raw_client_count(url, args.clients)

        # 1. Orders spread over many items: the API, then the same transaction in raw SQL.
        print(f"== spread: each order takes two of {args.items} items", flush=True)
        with LockSampler(url) as locks:
            api = asyncio.run(
                order_api_run(
                    server.port, data, args.clients, args.seconds, args.warmup, server.web_cpu, db_cpu=db_cpu_of(url)
                )
            )
        print_api("order_api", api, locks, server)
        if not args.skip_raw:
            raw, raw_cpu = print_raw("raw_sql", raw_runs(url, data, args, raw_clients, False, 0, args.raw_runs))
            ratio = api["per_s"] / raw if raw else 0.0
            print(f"ratio={ratio:.3f}", flush=True)
            api_cpu = api["server_cpu_ms"] + api["db_cpu_ms"]
            print(
                f"cpu_ratio={raw_cpu / api_cpu if api_cpu else 0.0:.3f} (raw SQL CPU per transaction / API CPU per "
                "order, PostgreSQL's included: the ratio both would reach on equal CPU; steadier than ratio= on a "
                "shared machine, where 32 raw connections outnumber the web server's workers for the scheduler)",
                flush=True,
            )

        # 2. Every order on one hot item (and one spread item): its row lock is the queue.
        hot = {"total_201": 0}
        if not args.skip_hot:
            print("== hot item: every order takes the one hot item and one spread item", flush=True)
            with LockSampler(url) as locks:
                hot = asyncio.run(
                    order_api_run(
                        server.port,
                        data,
                        args.clients,
                        args.seconds,
                        args.warmup,
                        server.web_cpu,
                        True,
                        db_cpu=db_cpu_of(url),
                    )
                )
            print_api("hot_api", hot, locks, server)
            if not args.skip_raw:
                hot_raw, _ = print_raw("hot_raw_sql", raw_runs(url, data, args, raw_clients, True, 10, args.raw_runs))
                hot_ratio = hot["per_s"] / hot_raw if hot_raw else 0.0
                print(f"hot_ratio={hot_ratio:.3f} (hot_api / hot_raw_sql)")
            print(f"hot_vs_spread={hot['per_s'] / api['per_s']:.3f} (hot_api / order_api)" if api["per_s"] else "")

        # 3. Flash sale.
        print("== flash sale", flush=True)
        cpu_before = server.web_cpu()
        flash = asyncio.run(flash_run(server.port, data, args.flash_connections))
        flash_cpu_ms = 1000 * (server.web_cpu() - cpu_before) / args.flash_attempts
        with psycopg.connect(url) as conn:
            stock_left = conn.execute(
                "SELECT stock_left FROM campaigns_campaignitem WHERE id = %s", (data["flash_item"],)
            ).fetchone()[0]
            sold = conn.execute(
                "SELECT coalesce(sum(l.quantity), 0) FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
                "WHERE l.campaign_item_id = %s AND o.status IN ('pending_payment', 'paid')",
                (data["flash_item"],),
            ).fetchone()[0]
            api_orders = conn.execute(
                "SELECT count(*) FROM orders_order WHERE number NOT LIKE 'RAW%%' AND campaign_id = %s",
                (data["campaign_id"],),
            ).fetchone()[0]
            # Stock conserved on every big item: allotted = left + what orders (API and raw) hold.
            unbalanced = conn.execute(
                "SELECT count(*) FROM campaigns_campaignitem ci LEFT JOIN (SELECT campaign_item_id, "
                "sum(quantity) AS held FROM orders_orderline GROUP BY campaign_item_id) l "
                "ON l.campaign_item_id = ci.id WHERE ci.campaign_id = %s "
                "AND ci.stock_allotted <> ci.stock_left + coalesce(l.held, 0)",
                (data["campaign_id"],),
            ).fetchone()[0]
        print(f"flash_per_s={fmt(flash['per_s'])}")
        print(f"flash_sold={sold}")
        print(f"oversold={max(0, sold - FLASH_STOCK)}")
        print(
            f"flash_stock_left={stock_left} ({'0 as expected' if stock_left == 0 else 'NOT 0'}; "
            f"sold + left = {sold + stock_left} of {FLASH_STOCK})"
        )
        answers = ", ".join(f"{s or 'connection error'}: {n}" for s, n in sorted(flash["statuses"].items()))
        print(
            f"flash: {args.flash_attempts} attempts over {args.flash_connections} connections in "
            f"{flash['elapsed']:.2f} s; answers {answers}; web server CPU {flash_cpu_ms:.2f} ms per attempt"
        )
        for status, body in sorted(flash["first_error"].items()):
            print(f"flash: first {status or 'connection error'} answer: {body}")
        print(
            f"check: orders made through the API in the database = {api_orders} "
            f"(201 answers: {api['total_201'] + hot['total_201'] + 1 + flash['statuses'].get(201, 0)}); "
            f"items whose stock does not add up (allotted = left + ordered): {unbalanced}"
        )
    except BaseException:
        server.keep_log = True
        raise
    finally:
        server.stop()
        if server.keep_log:
            print(f"bench: server log kept at {server.log.name}", file=sys.stderr)
        else:
            os.unlink(server.log.name)
    summary = [f"ratio={ratio:.3f}" if ratio is not None else "", f"hot_ratio={hot_ratio:.3f}" if hot_ratio else ""]
    print(
        f"setup: manage.py serve ({server.banner}), {args.clients} clients, {args.items} spread items (2 per order), "
        f"{args.seconds:g} s measured after {args.warmup:g} s warm-up, raw SQL {args.raw_runs} run(s) per phase over "
        f"{args.raw_processes} processes, flash {args.flash_attempts} attempts / {args.flash_connections} connections "
        f"on stock {FLASH_STOCK}; {os.cpu_count()} CPUs; {load_text()}; total {time.monotonic() - started:.0f} s "
        + " ".join(x for x in summary if x)
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
