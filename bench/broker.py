#!/usr/bin/env python
"""What the job broker costs: django-q2 on Redis (no acknowledgement) against the database broker
(`JOB_BROKER=orm`: a job's row is deleted only once it succeeded) on PostgreSQL.

For each broker a real `manage.py qcluster` (Q_WORKERS workers, no scheduler) runs against a fresh
database; this script queues --jobs trivial jobs through `async_task` as the application does, each
of which inserts one row (its number and how long it waited) into a table of its own. Prints, per
broker: jobs queued per second (the web process's side), jobs done per second from the first queued
to the last done, the wait from queued to done (p50 / p99), and jobs done twice or never. Figures
only; nothing is asserted about speed.

    .venv/bin/python bench/broker.py [--jobs 2000] [--brokers redis,orm]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/tuangou_broker_bench (dropped and
made again; its name must contain "bench"), REDIS_URL to redis://127.0.0.1:6379/4 (its job list
is emptied).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import migrate, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tuangou_broker_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
TABLE = "bench_broker_done"


def job_done(n: int, queued_at: float) -> None:
    """The job (run by the worker, imported as bench.broker.job_done): one row, no more work."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (n, waited_ms) VALUES (%s, %s)", [n, 1000 * (time.time() - queued_at)])


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("BENCH_JOBS", "2000")))
    parser.add_argument("--brokers", default="redis,orm")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process: one broker
    return parser.parse_args()


def start_cluster(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_cluster(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what it started
            proc.wait()


def done_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def wait_for(url: str, count: int, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done_count(url) >= count:
            return time.monotonic()
        time.sleep(0.05)
    return None


def measure(broker: str, jobs: int) -> dict:
    """In a process whose settings name `broker`: start a worker, queue, wait, read the table."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django_q.brokers import get_broker
    from django_q.tasks import async_task

    url = os.environ["DATABASE_URL"]
    get_broker().purge_queue()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLE}")
    cluster = start_cluster(dict(os.environ))
    try:
        async_task("bench.broker.job_done", -1, time.time())  # the worker is up once this is done
        if wait_for(url, 1, 60) is None:
            raise RuntimeError(f"the {broker} worker did not run a job within 60 s")
        started = time.monotonic()
        for n in range(jobs):
            async_task("bench.broker.job_done", n, time.time())
        queued = time.monotonic()
        finished = wait_for(url, jobs + 1, 600)
        time.sleep(1)  # anything done twice shows up now
    finally:
        stop_cluster(cluster)
    with psycopg.connect(url) as conn:
        waited = [
            r[0] for r in conn.execute(f"SELECT waited_ms FROM {TABLE} WHERE n >= 0 ORDER BY waited_ms").fetchall()
        ]
        twice = conn.execute(
            f"SELECT count(*) FROM (SELECT n FROM {TABLE} WHERE n >= 0 GROUP BY n HAVING count(*) > 1) t"
        ).fetchone()[0]
        distinct = conn.execute(f"SELECT count(DISTINCT n) FROM {TABLE} WHERE n >= 0").fetchone()[0]
    return {
        "broker": broker,
        "jobs": jobs,
        "queued_per_s": jobs / max(queued - started, 1e-9),
        "done_per_s": jobs / (finished - started) if finished else 0.0,
        "p50_ms": waited[len(waited) // 2] if waited else 0.0,
        "p99_ms": waited[min(len(waited) - 1, int(len(waited) * 0.99))] if waited else 0.0,
        "twice": twice,
        "never": jobs - distinct,
    }


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "Q_SYNC": "0",
        "Q_SCHEDULER": "0",
        "Q_WORKERS": str(args.workers),
    }
    if args.measure:
        print(json.dumps(measure(args.measure, args.jobs)))
        return 0

    recreate_database(url)
    migrate(env)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {TABLE} (n integer NOT NULL, waited_ms double precision NOT NULL)")
    results = []
    for broker in args.brokers.split(","):
        child = subprocess.run(
            [sys.executable, __file__, "--measure", broker, "--jobs", str(args.jobs)],
            cwd=ROOT,
            env={**env, "JOB_BROKER": broker},
            capture_output=True,
            text=True,
        )
        if child.returncode:
            print(f"broker: {broker} FAILED\n{child.stderr[-3000:]}", file=sys.stderr)
            return 1
        result = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{broker}: {result['jobs']} jobs, queued {result['queued_per_s']:.0f}/s, "
            f"done {result['done_per_s']:.0f}/s (first queued to last done), waited p50 "
            f"{result['p50_ms']:.0f} ms p99 {result['p99_ms']:.0f} ms, done twice {result['twice']}, "
            f"never {result['never']}",
            flush=True,
        )
    by = {r["broker"]: r for r in results}
    if "redis" in by and "orm" in by and by["orm"]["done_per_s"]:
        print(f"ratio: redis / orm done per second = {by['redis']['done_per_s'] / by['orm']['done_per_s']:.2f}")
    print(
        f"setup: {args.workers} workers (manage.py qcluster, no scheduler), PostgreSQL {url.rsplit('/', 1)[-1]}, {os.cpu_count()} CPUs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
