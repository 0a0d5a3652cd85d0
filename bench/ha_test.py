#!/usr/bin/env python
"""`make ha-test`: PostgreSQL failover under load, end to end, on this machine (docs/deploy.md, "High availability").

It builds, on free loopback ports in a temporary folder (removed at the end, failure or not):
  * etcd (one member), the store Patroni keeps the leader key in;
  * two PostgreSQL 15 nodes managed by Patroni, synchronous mode (a commit is answered only once the
    synchronous replica has it), pg_rewind on; PostgreSQL and Patroni run as the `postgres` user;
  * pgbouncer (transaction pooling) in front, its [databases] written by deploy/patroni/pgbouncer-repoint.sh,
    the Patroni callback (on_start, on_stop, on_role_change) that repoints it: `tuangou` at the primary,
    `tuangou_replica` at the replica (the app's DATABASE_REPLICA_URL, report reads);
  * two app processes, each the ExecStart of deploy/systemd/tuangou-web.service (gunicorn, sync workers),
    behind nginx (one upstream, both servers).
Then it migrates, loads a shop with a live campaign (bench/run.py's data) and runs orders through nginx:
--clients members at once, each sending POST /api/shops/{id}/orders with an Idempotency-Key and, on a
broken connection or a 5xx, the same request with the same key again until it is answered. During the load:
  1. the primary node crashes: kill -9 of its Patroni, its postmaster and the postmaster's children;
  2. once writes are back, that node is started again (it rejoins as the replica, pg_rewind if needed) and
     the test waits until it is the synchronous standby again;
  3. a planned switchover back to it (`patronictl switchover`);
  4. with the orders paused (the app idle), pgbouncer is restarted: the connections the app keeps to it
     die; then the orders resume and the failures are counted (CONN_HEALTH_CHECKS is for this).
Prints, per event: downtime (first failed write to the first write that succeeded after it) and the
longest time without a successful write around it; then confirmed orders lost (2xx answers whose order is
not in the new primary: must be 0 in synchronous mode), keys that made two orders (must be 0), orders that
succeeded after being sent again, and whether the app processes reconnected without a restart.
Exit status 1 when an order was lost or doubled, or the app did not recover.

Needs (Debian 12, as root): apt-get install patroni etcd-server pgbouncer nginx-light postgresql-15
    .venv/bin/python bench/ha_test.py [--clients 16] [--before 8] [--after 15] [--keep]
"""

import argparse
import asyncio
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from deploy_drill import expand, unit_command  # noqa: E402
from run import HttpConnection, prepare_data  # noqa: E402

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
CALLBACK = ROOT / "deploy" / "patroni" / "pgbouncer-repoint.sh"
SCOPE = "tuangou-ha"
TTL = 20  # Patroni's leader key lives this long: a crashed primary is noticed within it
GIVE_UP_AFTER = 120.0  # a client stops resending one order after this long
RETRY_PAUSE = 0.2


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--before", type=float, default=8.0, help="seconds of load before the crash")
    parser.add_argument("--after", type=float, default=15.0, help="seconds of load after writes come back")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per app process")
    parser.add_argument(
        "--conn-max-age", default="0", help="the app's CONN_MAX_AGE (docs/deploy.md behind pgbouncer: 0; 60 keeps them)"
    )
    parser.add_argument("--no-health-checks", action="store_true", help="CONN_HEALTH_CHECKS=0 (to see what they do)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def need(*programs: str) -> None:
    missing = [p for p in programs if not (shutil.which(p) or Path(p).exists())]
    if missing:
        sys.exit(
            f"ha-test: missing {', '.join(missing)}; as root: apt-get install patroni etcd-server pgbouncer "
            "nginx-light postgresql-15"
        )


class Process:
    """A long-running program in a session of its own (so a group kill reaches its children), logging to a file."""

    def __init__(self, name: str, command: list, log_dir: Path, env: dict | None = None, as_postgres=False):
        self.name, self.command, self.env, self.as_postgres = name, [str(c) for c in command], env, as_postgres
        self.log_path = log_dir / f"{name}.log"
        self.proc = None

    def start(self) -> "Process":
        extra = {"user": "postgres", "group": "postgres", "extra_groups": []} if self.as_postgres else {}
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env or os.environ,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **extra,
        )
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 30) -> None:
        if not self.alive():
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_for(what: str, check, timeout: float, pause: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception:  # noqa: BLE001 — not up yet
            pass
        time.sleep(pause)
    raise RuntimeError(f"{what}: not within {timeout:.0f} s")


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


# --- the cluster -----------------------------------------------------------------------------------


class Node:
    def __init__(self, name: str, base: Path, etcd_port: int, bouncer: dict):
        self.name, self.base = name, base
        self.pg_port, self.api_port = free_port(), free_port()
        self.data = base / name / "data"
        self.config = base / f"{name}.yml"
        (base / name).mkdir()
        self.config.write_text(self.yaml(etcd_port))
        env = {
            **os.environ,
            "PGBOUNCER_DATABASES": str(bouncer["databases"]),
            "PGBOUNCER_ADMIN": f"host=127.0.0.1 port={bouncer['port']} dbname=pgbouncer user=postgres",
            "NODE_HOST": "127.0.0.1",
            "NODE_PORT": str(self.pg_port),
            "PSQL": str(PG_BIN / "psql"),
            "HOME": str(base),
        }
        self.process = Process(f"patroni-{name}", ["patroni", self.config], base, env, as_postgres=True)

    def yaml(self, etcd_port: int) -> str:
        # JSON is YAML: no YAML writer needed.
        config = {
            "scope": SCOPE,
            "name": self.name,
            "restapi": {"listen": f"127.0.0.1:{self.api_port}", "connect_address": f"127.0.0.1:{self.api_port}"},
            "etcd3": {"hosts": f"127.0.0.1:{etcd_port}"},
            "bootstrap": {
                "dcs": {
                    "ttl": TTL,
                    "loop_wait": 2,
                    "retry_timeout": 5,
                    "maximum_lag_on_failover": 16 * 2**20,
                    "synchronous_mode": True,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "use_slots": True,
                        "parameters": {
                            "wal_log_hints": "on",
                            "max_connections": 100,
                            "timezone": "UTC",
                            "hot_standby": "on",
                            # a long report on the replica is not cancelled by the replay of the primary's vacuum
                            "hot_standby_feedback": "on",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{self.pg_port}",
                "connect_address": f"127.0.0.1:{self.pg_port}",
                "data_dir": str(self.data),
                "bin_dir": str(PG_BIN),
                "pgpass": str(self.base / self.name / "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": "ha-test"},
                    "replication": {"username": "replicator", "password": "ha-test"},
                },
                "parameters": {"unix_socket_directories": str(self.base / self.name)},
                # Loopback only, in a throwaway folder: trust. A real cluster uses scram-sha-256 (docs/deploy.md).
                "pg_hba": [
                    "local all all trust",
                    "host all all 127.0.0.1/32 trust",
                    "host replication all 127.0.0.1/32 trust",
                ],
                "callbacks": {action: str(CALLBACK) for action in ("on_start", "on_stop", "on_role_change")},
            },
        }
        return json.dumps(config, indent=2)

    def status(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/patroni", timeout=2) as answer:
            return json.loads(answer.read())

    def crash(self) -> list[int]:
        """kill -9 of Patroni, the postmaster and its children at once: the node is gone, as in a power cut."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        pids = [self.process.proc.pid, postmaster, *children(postmaster)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.proc.wait()
        return pids

    def stop(self) -> None:
        self.process.stop(timeout=40)
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():  # Patroni killed before it could stop PostgreSQL
            try:
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass


def cluster(nodes: list[Node]) -> list[dict]:
    for node in nodes:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{node.api_port}/cluster", timeout=2) as answer:
                return json.loads(answer.read())["members"]
        except OSError:
            continue
    return []


def leader(nodes: list[Node]) -> Node | None:
    names = {m["name"] for m in cluster(nodes) if m["role"] in ("leader", "master", "primary")}
    return next((n for n in nodes if n.name in names), None)


def sync_standby(nodes: list[Node]) -> Node | None:
    members = cluster(nodes)
    names = {m["name"] for m in members if m["role"] == "sync_standby" and m.get("state") in ("running", "streaming")}
    return next((n for n in nodes if n.name in names), None)


# --- the load --------------------------------------------------------------------------------------


class Load:
    def __init__(self, port: int, data: dict, clients: int):
        self.port, self.data, self.clients = port, data, clients
        self.attempts = []  # (started, ended, ok) per request sent, monotonic seconds
        self.answered = {}  # idempotency key -> {order id} answered 2xx
        self.resent_ok = 0  # orders answered 2xx after being sent more than once
        self.given_up = 0
        self.failures = {}  # what a failed attempt was -> count
        self.stopping = False
        self.paused = False  # clients start no new order while set
        self.in_flight = 0

    async def order(self, token: str, key: str, body: bytes) -> None:
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            "Accept-Language": "en",
        }
        first = time.monotonic()
        self.in_flight += 1
        try:
            await self._send_until_answered(headers, body, key, first)
        finally:
            self.in_flight -= 1

    async def _send_until_answered(self, headers: dict, body: bytes, key: str, first: float) -> None:
        sends = 0
        while time.monotonic() - first < GIVE_UP_AFTER:
            sends += 1
            started = time.monotonic()
            conn = HttpConnection("127.0.0.1", self.port)
            try:
                status, payload = await asyncio.wait_for(
                    conn.request("POST", f"/api/shops/{self.data['shop_id']}/orders", headers, body), 30
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as error:
                status, payload = type(error).__name__, b""
            finally:
                conn.close()
            ok = status in (200, 201)
            self.attempts.append((started, time.monotonic(), ok))
            if ok:
                self.answered.setdefault(key, set()).add(json.loads(payload)["id"])
                self.resent_ok += sends > 1
                return
            if isinstance(status, int) and status < 500:
                raise RuntimeError(f"order answered {status}: {payload[:300]!r}")
            self.failures[status] = self.failures.get(status, 0) + 1
            await asyncio.sleep(RETRY_PAUSE)
        self.given_up += 1

    async def client(self, index: int) -> None:
        members, items = self.data["members"], sorted(self.data["items"])
        n = index
        while not self.stopping:
            if self.paused:
                await asyncio.sleep(0.1)
                continue
            _, token = members[n % len(members)]
            n += self.clients
            body = {
                "campaign_id": self.data["campaign_id"],
                "leader_id": self.data["leader_id"],
                "items": [{"campaign_item_id": i, "quantity": q} for i, q in zip(items, (1, 2))],
            }
            await self.order(token, uuid.uuid4().hex, json.dumps(body).encode())

    async def run(self) -> None:
        await asyncio.gather(*(self.client(i) for i in range(self.clients)))

    def last_success(self) -> float:
        return max((end for _, end, ok in self.attempts if ok), default=0.0)

    def outage(self, at: float, until: float) -> dict:
        """Around an event at `at` (up to `until`): the downtime, from the first failed write after it to
        the end of the first write sent after that failure that succeeded; and the longest time without a
        successful write, from the last one before the event."""
        window = sorted((a for a in self.attempts if at <= a[1] <= until), key=lambda a: a[1])
        first_fail = next((a for a in window if not a[2]), None)
        figures = {"failed": sum(1 for a in window if not a[2]), "downtime": 0.0}
        if first_fail:
            back = next((a for a in window if a[2] and a[0] >= first_fail[1]), None)
            figures["downtime"] = (back[1] - first_fail[1]) if back else None
        before = max((end for _, end, ok in self.attempts if ok and end < at), default=at)
        successes = [before] + [end for _, end, ok in window if ok] + [until]
        figures["gap"] = max(b - a for a, b in zip(successes, successes[1:]))
        return figures


async def wait_writes_back(load: Load, since: float, timeout: float) -> float:
    """When a write sent after the event (and after the last failure) succeeded; 0.0 if none within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last_failure = max((end for _, end, ok in load.attempts if not ok), default=since)
        sent_after = max(since, last_failure)
        done = [end for start, end, ok in load.attempts if ok and start >= sent_after]
        if done:
            return min(done)
        await asyncio.sleep(0.2)
    return 0.0


# --- the checks ------------------------------------------------------------------------------------


def books(port: int, load: Load) -> dict:
    """Asked of the primary itself (not through pgbouncer)."""
    answered_ids = {i for ids in load.answered.values() for i in ids}
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="tuangou") as conn:
        assert conn.execute("SELECT NOT pg_is_in_recovery()").fetchone()[0], "asked a replica"
        existing = {r[0] for r in conn.execute("SELECT id FROM orders_order WHERE id = ANY(%s)", (list(answered_ids),))}
        doubled = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM orders_order WHERE idempotency_key IS NOT NULL "
            "GROUP BY member_id, idempotency_key HAVING count(*) > 1) t"
        ).fetchone()[0]
    doubled += sum(1 for ids in load.answered.values() if len(ids) > 1)
    return {"answered": len(answered_ids), "lost": len(answered_ids - existing), "doubled": doubled}


def app_pids(apps: list[Process]) -> dict:
    return {app.proc.pid: sorted(children(app.proc.pid)) for app in apps if app.alive()}


def replica_reads(env: dict) -> str:
    """Which node the app's report reads reach: a query on the `replica` alias, in the app's own settings."""
    code = (
        "from django.db import connections; from tuangou.core.replica import report_reads\n"
        "with report_reads() as alias:\n"
        "    c = connections[alias].cursor(); c.execute('SELECT pg_is_in_recovery(), inet_server_port()')\n"
        "    print(alias, *c.fetchone())"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        return f"failed: {done.stderr.strip().splitlines()[-1:]}"
    alias, in_recovery, port = done.stdout.split()[-3:]
    return f"alias {alias}, server port {port}, {'a replica' if in_recovery == 'True' else 'the primary'}"


# --- the run ---------------------------------------------------------------------------------------


async def scenario(args, nodes: list[Node], load: Load, report: dict) -> None:
    runner = asyncio.create_task(load.run())
    try:
        # The app's workers answer (their first orders are slow while they warm up), then --before seconds.
        deadline = time.monotonic() + 120
        while sum(1 for a in load.attempts if a[2]) < args.clients and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        if not any(a[2] for a in load.attempts):
            raise RuntimeError(f"no order succeeded through nginx before the crash; failures {load.failures}")
        await asyncio.sleep(args.before)
        victim, survivor = leader(nodes), None
        survivor = next(n for n in nodes if n is not victim)
        report["pids_before"] = app_pids(report["apps"])
        crash_at = time.monotonic()
        report["events"] = {"crash": crash_at}
        pids = await asyncio.to_thread(victim.crash)
        say(f"crash: kill -9 {victim.name} (Patroni, postmaster and {len(pids) - 2} backends: pids {pids})")
        await asyncio.to_thread(wait_for, f"{survivor.name} promoted", lambda: leader([survivor]) is survivor, 90)
        say(f"{survivor.name} is the primary (Patroni: {time.monotonic() - crash_at:.1f} s after the crash)")
        back = await wait_writes_back(load, crash_at, 90)
        say(f"writes back {back - crash_at:.1f} s after the crash" if back else "writes NOT back within 90 s")
        await asyncio.sleep(args.after)
        report["failover"] = {**load.outage(crash_at, time.monotonic()), "back": back - crash_at if back else None}
        report["failover_books"] = await asyncio.to_thread(books, survivor.pg_port, load)
        report["reads_after_crash"] = await asyncio.to_thread(replica_reads, report["env"])

        say(f"rejoin: starting {victim.name} again (it comes back as the replica, rewound if needed)")
        victim.process.start()
        await asyncio.to_thread(wait_for, f"{victim.name} synchronous standby", lambda: sync_standby(nodes), 180, 1)
        say(f"{victim.name} is the synchronous standby again")
        report["reads_rejoined"] = await asyncio.to_thread(replica_reads, report["env"])
        await asyncio.sleep(3)

        switch_at = time.monotonic()
        report["events"]["switchover"] = switch_at
        done = await asyncio.to_thread(
            subprocess.run,
            ["patronictl", "-c", survivor.config, "switchover", SCOPE]
            + ["--leader", survivor.name, "--candidate", victim.name, "--force"],
            capture_output=True,
            text=True,
        )
        say(f"switchover {survivor.name} -> {victim.name}: patronictl exit {done.returncode}")
        if done.returncode:
            print(done.stdout, done.stderr)
        await asyncio.to_thread(wait_for, f"{victim.name} primary", lambda: leader(nodes) is victim, 60)
        back = await wait_writes_back(load, switch_at, 60)
        say(
            f"writes back {back - switch_at:.1f} s after patronictl was called (the old primary serves until demoted)"
            if back
            else "writes NOT back within 60 s"
        )
        await asyncio.sleep(args.after)
        report["switchover"] = load.outage(switch_at, time.monotonic())

        # 4. pgbouncer restarted while the app is idle (a night-time upgrade): every connection the app kept
        # to it is dead when the next request comes. Orders pause, pgbouncer restarts, orders resume.
        bouncer, bouncer_port = report["bouncer"]
        load.paused = True
        await asyncio.to_thread(wait_for, "orders in flight to finish", lambda: load.in_flight == 0, 60, 0.1)
        await asyncio.sleep(1)
        await asyncio.to_thread(bouncer.stop)
        bouncer.start()
        await asyncio.to_thread(
            wait_for, "pgbouncer", lambda: socket.create_connection(("127.0.0.1", bouncer_port), 1), 20
        )
        restart_at = time.monotonic()
        report["events"]["pgbouncer restart"] = restart_at
        load.paused = False
        back = await wait_writes_back(load, restart_at, 60)
        say(
            f"pgbouncer restarted while idle; orders resumed, first success {back - restart_at:.1f} s after"
            if back
            else "writes NOT back within 60 s"
        )
        await asyncio.sleep(5)
        report["bouncer_restart"] = load.outage(restart_at, time.monotonic())
        report["final_primary"] = victim
        report["pids_after"] = app_pids(report["apps"])
    finally:
        load.stopping = True
        await runner


def main() -> int:
    args = parse_args()
    if os.geteuid() != 0:
        sys.exit("ha-test: run as root (PostgreSQL and pgbouncer are started as the postgres user)")
    need("patroni", "patronictl", "etcd", "pgbouncer", "nginx", str(PG_BIN / "postgres"))
    base = Path(tempfile.mkdtemp(prefix="tuangou-ha-"))
    pg = pwd.getpwnam("postgres")
    os.chmod(base, 0o755)
    os.chown(base, pg.pw_uid, pg.pw_gid)
    processes: list[Process] = []
    nodes: list[Node] = []
    report: dict = {}
    started = time.monotonic()
    try:
        # etcd
        etcd_port, peer_port = free_port(), free_port()
        etcd = Process(
            "etcd",
            ["etcd", "--name", "ha", "--data-dir", base / "etcd"]
            + ["--listen-client-urls", f"http://127.0.0.1:{etcd_port}"]
            + ["--advertise-client-urls", f"http://127.0.0.1:{etcd_port}"]
            + ["--listen-peer-urls", f"http://127.0.0.1:{peer_port}"]
            + ["--initial-advertise-peer-urls", f"http://127.0.0.1:{peer_port}"]
            + ["--initial-cluster", f"ha=http://127.0.0.1:{peer_port}"],
            base,
        ).start()
        processes.append(etcd)
        wait_for("etcd", lambda: urllib.request.urlopen(f"http://127.0.0.1:{etcd_port}/health", timeout=1), 30)

        # pgbouncer's files first: the callback writes its [databases] file as the nodes start.
        bouncer_dir = base / "pgbouncer"
        bouncer_dir.mkdir()
        bouncer = {"port": free_port(), "databases": bouncer_dir / "databases.ini"}
        nodes = [Node(name, base, etcd_port, bouncer) for name in ("pg1", "pg2")]
        (bouncer_dir / "userlist.txt").write_text('"postgres" ""\n')
        (bouncer_dir / "pgbouncer.ini").write_text(
            f"%include {bouncer['databases']}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {bouncer['port']}\nunix_socket_dir = {bouncer_dir}\n"
            f"auth_type = trust\nauth_file = {bouncer_dir}/userlist.txt\nadmin_users = postgres\n"
            # as deploy/postgresql/pgbouncer.ini, plus the failover timings
            "pool_mode = transaction\ndefault_pool_size = 20\nmax_client_conn = 500\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            "server_connect_timeout = 3\nserver_login_retry = 1\nquery_wait_timeout = 30\n"
        )
        for path in base.rglob("*"):
            os.chown(path, pg.pw_uid, pg.pw_gid)

        # Patroni: the first node bootstraps the cluster, the second clones it.
        processes += [n.process for n in nodes]
        nodes[0].process.start()
        wait_for("pg1 primary", lambda: leader(nodes) is nodes[0], 90)
        nodes[1].process.start()
        wait_for("pg2 synchronous standby", lambda: sync_standby(nodes) is nodes[1], 120, 1)
        wait_for("the callback's pgbouncer file", lambda: bouncer["databases"].exists(), 10)
        say(
            f"patroni: {nodes[0].name} primary on {nodes[0].pg_port}, {nodes[1].name} synchronous standby on {nodes[1].pg_port}"
        )

        bouncer_proc = Process("pgbouncer", ["pgbouncer", bouncer_dir / "pgbouncer.ini"], base, as_postgres=True)
        processes.append(bouncer_proc.start())
        report["bouncer"] = (bouncer_proc, bouncer["port"])
        wait_for("pgbouncer", lambda: socket.create_connection(("127.0.0.1", bouncer["port"]), 1), 20)

        # Schema and data, on the primary itself; the app goes through pgbouncer.
        subprocess.run(
            [PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(nodes[0].pg_port), "-U", "postgres", "tuangou"],
            check=True,
        )
        direct = f"postgres://postgres@127.0.0.1:{nodes[0].pg_port}/tuangou"
        settings = {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "TUANGOU_VAR_DIR": str(base / "var"),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "JOB_BROKER": "orm",
            "TRUSTED_PROXIES": "127.0.0.1",
        }
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_REPLICA_URL")}
        env.update(settings, DATABASE_URL=direct)
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, capture_output=True
        )
        if done.returncode:
            raise RuntimeError(f"migrate failed: {done.stderr.decode()[-2000:]}")
        os.environ.update(settings, DATABASE_URL=direct)
        os.environ.pop("REDIS_URL", None)
        data = prepare_data(args.members, 0)
        say(f"schema migrated, shop {data['shop_id']} with a live campaign and {args.members} members loaded")

        # The app: two gunicorn processes as deploy/systemd/tuangou-web.service starts them, behind nginx.
        env.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{bouncer['port']}/tuangou",
            DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{bouncer['port']}/tuangou_replica",
            DISABLE_SERVER_SIDE_CURSORS="1",
            CONN_MAX_AGE=args.conn_max_age,
            CONN_HEALTH_CHECKS="0" if args.no_health_checks else "1",
        )
        report["env"] = env
        command, unit_env = unit_command("tuangou-web.service")
        apps = []
        for i in (1, 2):
            port = free_port()
            metrics = base / f"metrics-{i}"
            metrics.mkdir()
            app_env = {**env, **unit_env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
            argv = expand(
                command.replace("127.0.0.1:8001", f"127.0.0.1:{port}"), {"WEB_WORKERS": str(args.web_workers)}
            )
            apps.append(Process(f"app{i}", argv, base, app_env).start())
            apps[-1].port = port
        processes += apps
        report["apps"] = apps
        for app in apps:
            wait_for(f"{app.name}", lambda a=app: socket.create_connection(("127.0.0.1", a.port), 1), 60)

        nginx_dir = base / "nginx"
        nginx_dir.mkdir()
        nginx_port = free_port()
        upstreams = "".join(f"server 127.0.0.1:{a.port};" for a in apps)
        (nginx_dir / "nginx.conf").write_text(
            f"pid {nginx_dir}/nginx.pid; error_log {nginx_dir}/error.log warn; worker_processes 1;\n"
            "events { worker_connections 1024; }\n"
            f"http {{ access_log off; client_body_temp_path {nginx_dir}/body; proxy_temp_path {nginx_dir}/proxy;\n"
            f"  upstream tuangou_web {{ {upstreams} keepalive 16; }}\n"
            f"  server {{ listen 127.0.0.1:{nginx_port};\n"
            "    location / { proxy_pass http://tuangou_web; proxy_http_version 1.1; proxy_set_header Connection '';\n"
            "      proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "      proxy_read_timeout 60s; } } }\n"
        )
        nginx = Process("nginx", ["nginx", "-c", nginx_dir / "nginx.conf", "-g", "daemon off;"], base)
        processes.append(nginx.start())
        wait_for("nginx", lambda: socket.create_connection(("127.0.0.1", nginx_port), 1), 20)
        say(
            f"app: 2 × gunicorn ({args.web_workers} sync workers each, CONN_MAX_AGE={env['CONN_MAX_AGE']}, "
            f"CONN_HEALTH_CHECKS={env['CONN_HEALTH_CHECKS']}) behind nginx on {nginx_port}, "
            f"via pgbouncer (transaction pooling) on {bouncer['port']}"
        )
        report["reads_start"] = replica_reads(env)

        load = Load(nginx_port, data, args.clients)
        asyncio.run(scenario(args, nodes, load, report))
        final = report["final_primary"]
        final_books = books(final.pg_port, load)
        if args.keep:
            timeline = {"attempts": load.attempts, "events": report["events"]}
            (base / "attempts.json").write_text(json.dumps(timeline))
    finally:
        for process in reversed(processes):
            if process.name.startswith("patroni"):
                continue
            process.stop()
        for node in nodes:
            node.stop()
        if args.keep:
            print(f"logs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)

    # --- figures ---
    load_avg = os.getloadavg()
    fo, so, fb = report["failover"], report["switchover"], report["failover_books"]
    masters_same = set(report["pids_before"]) == set(report["pids_after"]) == {a.proc.pid for a in apps}
    recycled = sum(len(set(v) - set(report["pids_after"].get(k, []))) for k, v in report["pids_before"].items())
    ok_writes = sum(1 for a in load.attempts if a[2])

    def seconds(value):
        return "never" if value is None else f"{value:.1f} s"

    print()
    print(f"load: {len(load.answered)} orders answered 2xx by {args.clients} clients through nginx, {ok_writes} ok")
    print(f"      failed sends {sum(load.failures.values())} {load.failures}, given up {load.given_up}")
    print(
        f"failover (kill -9 of the primary node): downtime {seconds(fo['downtime'])} (first failed write to the "
        f"first successful one), longest gap between successful writes {fo['gap']:.1f} s, failed sends {fo['failed']}"
    )
    print(f"  writes back {seconds(fo['back'])} after the crash (Patroni's leader key TTL {TTL} s)")
    print(
        f"  confirmed orders lost (2xx, not in the new primary): {fb['lost']} of {fb['answered']}; "
        f"keys with two orders: {fb['doubled']}"
    )
    print(
        f"switchover (patronictl): downtime {seconds(so['downtime'])}, longest gap between successful writes "
        f"{so['gap']:.1f} s, failed sends {so['failed']}"
    )
    bo = report["bouncer_restart"]
    print(
        f"pgbouncer restarted while the app was idle: failed sends after the orders resumed {bo['failed']} "
        f"(CONN_MAX_AGE={env['CONN_MAX_AGE']}, CONN_HEALTH_CHECKS={env['CONN_HEALTH_CHECKS']})"
    )
    print(
        f"end: confirmed orders lost {final_books['lost']} of {final_books['answered']}; keys with two orders "
        f"{final_books['doubled']}; orders that succeeded after being sent again {load.resent_ok}"
    )
    print(
        f"app reconnected without restart: {'yes' if masters_same and ok_writes else 'NO'} "
        f"(gunicorn masters {sorted(report['pids_after'])} the same throughout; workers replaced meanwhile "
        f"{recycled}: --max-requests recycling or a timeout)"
    )
    print(f"report reads (replica alias): at start {report['reads_start']}")
    print(f"  after the crash {report['reads_after_crash']}; after the rejoin {report['reads_rejoined']}")
    print(
        f"load average {load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f}; total {time.monotonic() - started:.0f} s"
    )
    bad = final_books["lost"] + final_books["doubled"] + fb["lost"] + fb["doubled"] + load.given_up
    bad += 0 if masters_same and None not in (fo["downtime"], so["downtime"], bo["downtime"]) else 1
    print(f"result: {'PASS' if not bad else 'FAIL'}")
    return 1 if bad else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"ha-test: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
