#!/usr/bin/env python
"""How far can a Python web server get against the raw-SQL ceiling on this machine? (issue 10, goal 2)

In one run, on the same data and spread items as `make bench` (bench/run.py):
  1. the API as `make run` serves it (manage.py serve: gunicorn sync workers, Django, Ninja);
  2. the floor: bench/floor_app.py, a bare WSGI function under the same gunicorn sync workers
     placing the same order with the API's ten statements and no framework at all;
     and the merged floor: the same reads in one statement and the writes in one more;
  3. the lean path: bench/lean_app.py, Django and the order service as they are, called from a
     WSGI function without Django's request handler, middleware, URL resolving or Ninja;
  4. the raw transaction (bench/run.py's: psycopg, no HTTP, no reads, five statements);
then the three again in the other order, since the machine's speed wanders.

    make bench-floor    # or .venv/bin/python bench/floor.py (database tuangou_bench_floor on DATABASE_URL's server)

Figures only; nothing asserted.
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from psycopg.conninfo import conninfo_to_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: data, load generator, raw side)

ROOT = run.ROOT
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tuangou_bench_floor"


class FloorServer:
    """gunicorn with bench/floor_app.py, the same sync workers and options serve gives config.wsgi."""

    def __init__(self, env: dict, workers: int, app: str = "floor_app:app"):
        self.port = run.free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="tuangou-floor-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                app,
                "--chdir",
                str(ROOT / "bench"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while "Booting worker" not in Path(self.log.name).read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(Path(self.log.name).read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        time.sleep(1)

    def web_cpu(self) -> float:
        return run.process_cpu([self.proc.pid] + [pid for pid, _ in run.descendants(self.proc.pid)])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        os.unlink(self.log.name)


def measure(name: str, server, port: int, data: dict, args, url: str) -> dict:
    asyncio.run(run.probe(port, data))
    with run.LockSampler(url) as locks:
        result = asyncio.run(
            run.order_api_run(
                port, data, args.clients, args.seconds, args.warmup, server.web_cpu, db_cpu=run.db_cpu_of(url)
            )
        )
    run.print_api(name, result, locks, server)
    return result


def parse_args() -> argparse.Namespace:
    """bench/run.py's options that apply here, with its defaults."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per window (15)")
    parser.add_argument("--warmup", type=float, default=2.0, help="uncounted seconds first (2)")
    parser.add_argument("--items", type=int, default=1000, help="spread items, two per order (1000)")
    parser.add_argument("--raw-runs", type=int, default=2, help="raw SQL runs (2)")
    parser.add_argument("--raw-processes", type=int, default=2, help="processes sharing the raw clients (2)")
    parser.add_argument("--quick", action="store_true", help="3 s windows, 1 s warm-up: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup = min(args.seconds, 3.0), min(args.warmup, 1.0)
    args.items, args.raw_runs, args.members = max(2, args.items), max(1, args.raw_runs), max(500, 4 * args.clients)
    return args


def main() -> int:
    args = parse_args()
    # Its own database on DATABASE_URL's server: dropped and made again each run.
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    url = (
        urlsplit(url)._replace(path="/tuangou_bench_floor").geturl()
        if url.startswith("postgres")
        else DEFAULT_DATABASE_URL
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    workers = run.web_workers()
    print(f"floor: recreating {conninfo_to_dict(url).get('dbname')} and migrating ...", flush=True)
    run.recreate_database(url)
    run.migrate(env)
    data = run.prepare_data(args.members, 0, args.items)
    api_server = run.Server(env, workers)
    floor_server = FloorServer(env, workers)
    merged_server = FloorServer({**env, "FLOOR_MERGED": "1"}, workers)
    # Django and the service without the request stack: PYTHONPATH for config and tuangou.
    lean_server = FloorServer({**env, "PYTHONPATH": str(ROOT), "CONN_MAX_AGE": "600"}, workers, "lean_app:app")
    sides = [
        ("order_api", api_server),
        ("lean_api", lean_server),
        ("floor_api", floor_server),
        ("floor_merged_api", merged_server),
    ]
    rates = {name: [] for name, _ in sides}
    cpu = {name: [] for name, _ in sides}
    try:
        api_server.wait_ready()
        floor_server.wait_ready()
        merged_server.wait_ready()
        lean_server.wait_ready()
        asyncio.run(run.warm_workers(api_server.port, workers))
        raw_clients = run.raw_client_count(url, args.clients)
        for round_ in range(2):
            for name, server in sides[:: 1 if round_ == 0 else -1]:
                print(f"== {name}, round {round_ + 1}", flush=True)
                result = measure(name, server, server.port, data, args, url)
                rates[name].append(result["per_s"])
                cpu[name].append(result["server_cpu_ms"] + result["db_cpu_ms"])
            if round_ == 0:
                print("== raw SQL (bench/run.py's transaction)", flush=True)
                raw, raw_cpu = run.print_raw(
                    "raw_sql", run.raw_runs(url, data, args, raw_clients, False, 0, args.raw_runs)
                )
    finally:
        api_server.stop()
        floor_server.stop()
        merged_server.stop()
        lean_server.stop()
        os.unlink(api_server.log.name)
    for name in rates:
        mean = sum(rates[name]) / len(rates[name])
        mean_cpu = sum(cpu[name]) / len(cpu[name])
        print(
            f"{name}: {' / '.join(run.fmt(r) for r in rates[name])} per s, ratio={mean / raw:.3f} "
            f"cpu_ratio={raw_cpu / mean_cpu:.3f} (CPU {mean_cpu:.2f} ms per order, web + PostgreSQL)"
        )
    print(
        f"setup: gunicorn {workers} sync workers each side, {args.clients} clients, {args.items} spread items, "
        f"{args.seconds:g} s windows; raw SQL {raw:.1f}/s at {raw_cpu:.2f} ms of CPU per transaction; "
        f"{os.cpu_count()} CPUs; {run.load_text()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
