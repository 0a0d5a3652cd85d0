#!/usr/bin/env python
"""`make chaos`: orders and payments under load while the web server and the job worker are killed
with SIGKILL and started again; then the books are checked. Prints figures; exit 1 if anything was
lost or doubled.

The served configuration on PostgreSQL: `gunicorn config.wsgi` (sync workers) and one
`manage.py qcluster` (worker and scheduler), both real processes on a fresh database, jobs in the
broker JOB_BROKER names (default orm, as in production). --clients members at once each place an
order (POST /api/shops/{id}/orders with an Idempotency-Key; on a broken connection or a 5xx the same
request is sent again with the same key until it is answered), open its payment (POST
…/orders/{id}/pay, sent again the same way), and pay it at the sandbox gateway — the gateway's side,
played here: it books the money and queues the notify job, which the worker POSTs to the web server
over HTTP. Meanwhile, --rounds times: kill -9 the web server (master and workers), start it again;
kill -9 the worker (its whole process group, jobs in hand), start it again. Then the load stops and
the jobs left are given time to finish (a killed worker's jobs come back after Q_RETRY, 15 s here).

Figures:
  orders      2xx answers whose order exists / is missing; orders made for a key that never got an
              answer (the client gave up; not lost: nobody was told it exists)
  keys        idempotency keys that made more than one order, or were answered with two orders
  stock       per item: allotted = left + held by orders (pending payment or paid)
  jobs        trades the gateway took money for / their orders paid / lost (paid at the gateway,
              not paid here) / paid twice (more than one transition to paid, or two applied notifies)
  queue       jobs still waiting at the end

    .venv/bin/python bench/chaos.py [--seconds 60] [--clients 12] [--rounds 2] [--broker orm|redis]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/tuangou_chaos_bench (dropped and made
again; its name must contain "bench"), REDIS_URL to redis://127.0.0.1:6379/4 (the cache; and the
broker with --broker redis, which shows what that costs: jobs a killed worker held are lost).
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import HttpConnection, free_port, migrate, prepare_data, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tuangou_chaos_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
WEB_WORKERS = 2
RETRY_PAUSE = 0.3  # between two sends of one request
GIVE_UP_AFTER = 60.0  # a client stops resending one request after this long


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="load duration")
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2, help="kills of each process during the load")
    parser.add_argument("--broker", choices=["orm", "redis"], default="orm")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds the jobs left get to finish")
    return parser.parse_args()


class Process:
    """A server process in a session of its own, so that kill -9 reaches it and all its children."""

    def __init__(self, name: str, command: list[str], env: dict):
        self.name, self.command, self.env = name, command, env
        self.log = tempfile.NamedTemporaryFile(prefix=f"tuangou-chaos-{name}-", suffix=".log", delete=False)
        self.proc = None
        self.kills = 0

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self) -> None:
        """SIGKILL to the whole group: no graceful shutdown, no job handed back."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def wait_healthy(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers (the worker's heartbeat may be stale: still serving)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web server did not answer within {timeout:.0f} s")


# --- the load ----------------------------------------------------------------------------------


class Load:
    def __init__(self, port: int, data: dict):
        self.port, self.data = port, data
        self.answered = {}  # idempotency key -> order ids answered with 201 (a set: more than one is a bug)
        self.keys_sent = {}  # idempotency key -> member id
        self.given_up = 0
        self.resent = 0
        self.paid_at_gateway = 0
        self.statuses = Counter()
        self.stop_at = 0.0

    async def send(self, method: str, path: str, token: str, body: dict, key: str | None = None):
        """Send until answered below 500 (the server may be dead for a while); None if given up."""
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "en"}
        if key:
            headers["Idempotency-Key"] = key
        payload = json.dumps(body).encode()
        started = time.monotonic()
        while time.monotonic() - started < GIVE_UP_AFTER:
            conn = HttpConnection("127.0.0.1", self.port)
            try:
                status, answer = await asyncio.wait_for(conn.request(method, path, headers, payload), 30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                status, answer = None, b""
            finally:
                conn.close()
            self.statuses[status] += 1
            if status is not None and status < 500:
                return status, json.loads(answer or b"null")
            self.resent += 1
            await asyncio.sleep(RETRY_PAUSE)
        self.given_up += 1
        return None

    async def client(self, index: int, clients: int) -> None:
        from tuangou.payments import sandbox

        shop, members = self.data["shop_id"], self.data["members"]
        n = index
        while time.monotonic() < self.stop_at:
            member_id, token = members[n % len(members)]
            n += clients
            key = uuid.uuid4().hex
            self.keys_sent[key] = member_id
            items = sorted(self.data["items"])
            body = {
                "campaign_id": self.data["campaign_id"],
                "leader_id": self.data["leader_id"],
                "items": [{"campaign_item_id": i, "quantity": q} for i, q in zip(items, (1, 2))],
            }
            placed = await self.send("POST", f"/api/shops/{shop}/orders", token, body, key)
            if placed is None or placed[0] != 201:
                continue
            order_id = placed[1]["id"]
            self.answered.setdefault(key, set()).add(order_id)
            opened = await self.send("POST", f"/api/shops/{shop}/orders/{order_id}/pay", token, {"channel": "h5"})
            if opened is None or opened[0] != 200:
                continue
            # The payer confirms at the gateway: it books the money and queues the notify job.
            await asyncio.to_thread(sandbox.gateway_pay, out_trade_no=opened[1]["out_trade_no"])
            self.paid_at_gateway += 1

    async def run(self, seconds: float, clients: int) -> None:
        self.stop_at = time.monotonic() + seconds
        await asyncio.gather(*(self.client(i, clients) for i in range(clients)))


async def chaos(process: Process, port: int, seconds: float, rounds: int, offset: float, started: float) -> list:
    """kill -9 `process` `rounds` times spread over the load (at `offset` of each round), start it again."""
    log = []
    for r in range(rounds):
        await asyncio.sleep(max(0.0, started + seconds * (r + offset) / rounds - time.monotonic()))
        process.kill()
        log.append((time.monotonic() - started, f"kill -9 {process.name}"))
        await asyncio.sleep(2)
        process.start()
        if process.name == "web":
            await asyncio.to_thread(wait_healthy, port)
        log.append((time.monotonic() - started, f"{process.name} started again"))
    return log


async def load_with_chaos(load: Load, web: Process, worker: Process, args) -> list[str]:
    """The web server is killed a third into each round, the worker two thirds in: each while the
    other runs, both while orders and notifies are in flight."""
    started = time.monotonic()
    web_log, worker_log, _ = await asyncio.gather(
        chaos(web, load.port, args.seconds, args.rounds, 1 / 3, started),
        chaos(worker, load.port, args.seconds, args.rounds, 2 / 3, started),
        load.run(args.seconds, args.clients),
    )
    return [f"{at:5.1f} s  {what}" for at, what in sorted(web_log + worker_log)]


# --- the books ---------------------------------------------------------------------------------


def queue_left(url: str, broker: str) -> int:
    from django_q.brokers import get_broker

    if broker == "orm":
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM django_q_ormq").fetchone()[0]
    return get_broker().queue_size() or 0


def unpaid_after_gateway(conn) -> int:
    """Trades the gateway took money for whose order is not paid here (yet)."""
    return conn.execute(
        "SELECT count(*) FROM payments_sandboxtrade t JOIN payments_payment p ON p.id = t.payment_id "
        "JOIN orders_order o ON o.id = p.order_id WHERE t.state = 'SUCCESS' AND o.status <> 'paid'"
    ).fetchone()[0]


def drain(url: str, broker: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        with psycopg.connect(url) as conn:
            if unpaid_after_gateway(conn) == 0 and queue_left(url, broker) == 0:
                break
        time.sleep(1)
    return time.monotonic() - started


def books(url: str, load: Load, data: dict) -> dict:
    with psycopg.connect(url) as conn:
        answered_ids = {order_id for ids in load.answered.values() for order_id in ids}
        existing = {r[0] for r in conn.execute("SELECT id FROM orders_order WHERE id = ANY(%s)", (list(answered_ids),))}
        keyed = conn.execute(
            "SELECT idempotency_key, count(*) FROM orders_order WHERE idempotency_key IS NOT NULL "
            "GROUP BY member_id, idempotency_key"
        ).fetchall()
        unanswered = sum(1 for key, _ in keyed if key not in load.answered)
        stock = []
        for item in data["items"]:
            allotted, left = conn.execute(
                "SELECT stock_allotted, stock_left FROM campaigns_campaignitem WHERE id = %s", (item,)
            ).fetchone()
            held = conn.execute(
                "SELECT coalesce(sum(l.quantity), 0) FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
                "WHERE l.campaign_item_id = %s AND o.status IN ('pending_payment', 'paid')",
                (item,),
            ).fetchone()[0]
            stock.append((item, allotted, left, held))
        paid_at_gateway = conn.execute("SELECT count(*) FROM payments_sandboxtrade WHERE state = 'SUCCESS'").fetchone()[
            0
        ]
        paid_orders = conn.execute("SELECT count(*) FROM orders_order WHERE status = 'paid'").fetchone()[0]
        paid_twice = conn.execute(
            "SELECT count(*) FROM (SELECT order_id FROM orders_orderevent WHERE to_status = 'paid' "
            "GROUP BY order_id HAVING count(*) > 1) t"
        ).fetchone()[0]
        applied_twice = conn.execute(
            "SELECT count(*) FROM (SELECT out_trade_no FROM payments_paymentnotification WHERE outcome = 'applied' "
            "GROUP BY out_trade_no HAVING count(*) > 1) t"
        ).fetchone()[0]
        notifies = dict(
            conn.execute("SELECT outcome, count(*) FROM payments_paymentnotification GROUP BY outcome").fetchall()
        )
        notify_attempts = conn.execute(
            "SELECT coalesce(sum(notify_attempts), 0) FROM payments_sandboxtrade WHERE state = 'SUCCESS'"
        ).fetchone()[0]
        lost = unpaid_after_gateway(conn)
    return {
        "answered": len(answered_ids),
        "exist": len(existing),
        "missing": len(answered_ids - existing),
        "keys_twice": sum(1 for _, n in keyed if n > 1) + sum(1 for ids in load.answered.values() if len(ids) > 1),
        "unanswered": unanswered,
        "stock": stock,
        "paid_at_gateway": paid_at_gateway,
        "paid_orders": paid_orders,
        "lost": lost,
        "paid_twice": paid_twice + applied_twice,
        "notifies": notifies,
        "notify_attempts": notify_attempts,
    }


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    port = free_port()
    settings_env = {
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        "JOB_BROKER": args.broker,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SITE_URL": f"http://127.0.0.1:{port}",  # where the gateway's notify job POSTs
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
        "Q_SYNC": "0",
        "Q_WORKERS": "2",
        "Q_TIMEOUT": "10",
        "Q_RETRY": "15",
    }
    os.environ.update(settings_env)
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    started = time.monotonic()

    print(f"chaos: {url.rsplit('/', 1)[-1]} made afresh, broker {args.broker} ...", flush=True)
    recreate_database(url)
    migrate(env)
    data = prepare_data(args.members, 0)
    from django_q.brokers import get_broker

    get_broker().purge_queue()

    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(WEB_WORKERS)]
    gunicorn += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "30"]
    web = Process("web", gunicorn, env)
    worker = Process("worker", [sys.executable, "manage.py", "qcluster"], env)
    try:
        web.start()
        worker.start()
        wait_healthy(port)
        load = Load(port, data)
        log = asyncio.run(load_with_chaos(load, web, worker, args))
        for line in log:
            print(f"chaos: {line}")
        print(
            f"load: {len(load.keys_sent)} orders tried by {args.clients} clients in {args.seconds:g} s, "
            f"{load.resent} requests sent again after a broken connection or 5xx, {load.given_up} given up; "
            f"paid at the gateway {load.paid_at_gateway}",
            flush=True,
        )
        waited = drain(url, args.broker, args.drain)
        print(f"drain: {waited:.0f} s for the jobs left (Q_RETRY=15 s)")
        figures = books(url, load, data)
    finally:
        web.stop()
        worker.stop()

    bad = 0
    print(
        f"orders: 2xx answered {figures['answered']}, exist {figures['exist']}, missing {figures['missing']}; "
        f"made for a key never answered {figures['unanswered']}"
    )
    print(f"keys: idempotency keys with more than one order {figures['keys_twice']}")
    bad += figures["missing"] + figures["keys_twice"]
    for item, allotted, left, held in figures["stock"]:
        ok = allotted == left + held
        bad += 0 if ok else 1
        print(
            f"stock: item {item} allotted {allotted} = left {left} + held {held}: {'conserved' if ok else 'NOT CONSERVED'}"
        )
    print(
        f"jobs: paid at the gateway {figures['paid_at_gateway']}, orders paid {figures['paid_orders']}, "
        f"lost {figures['lost']}, paid twice {figures['paid_twice']}; notify deliveries "
        f"{figures['notify_attempts']}, outcomes {figures['notifies']}"
    )
    left = queue_left(url, args.broker)
    print(f"queue: jobs left {left}")
    bad += figures["lost"] + figures["paid_twice"]
    print(f"kills: web {web.kills}, worker {worker.kills}; logs {web.log.name} {worker.log.name}")
    print(f"result: {'0 lost' if bad == 0 else f'{bad} WRONG'} (total {time.monotonic() - started:.0f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"chaos: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
