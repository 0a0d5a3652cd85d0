#!/usr/bin/env python
"""Where one order's time goes: queries per request, CPU per request, and a cProfile of the
whole Django stack (middleware, auth, Ninja, service, serialization) in one process.

    .venv/bin/python bench/profile_order.py [--requests 400] [--top 30] [--reuse]

Uses its own database (tuangou_bench_profile on the DATABASE_URL server), dropped and
recreated each run; with --reuse the database and members of the previous --reuse run are kept
(their tokens are in a file beside it, in the temporary folder) when the schema has not changed,
so comparing two versions of the code costs no data loading. The requests go through django.test.Client, i.e. the same WSGI handler
and middleware as under gunicorn, minus the HTTP parsing.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the bench's own setup code)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql-width", type=int, default=240, help="characters of each query shown")
    parser.add_argument("--reuse", action="store_true", help="keep the previous --reuse run's database and members")
    parser.add_argument("--packages", type=int, default=12, help="packages shown in the CPU-by-package table")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL") or run.DEFAULT_DATABASE_URL
    params = conninfo_to_dict(base)
    url = make_conninfo(base, dbname=f"{params.get('dbname') or 'tuangou'}_profile")
    # Django reads DATABASE_URL as a URL: hand it one.
    django_url = "postgres://{user}@{host}:{port}/{dbname}".format(
        user=params.get("user", "postgres"),
        host=params.get("host", "127.0.0.1"),
        port=params.get("port", "5432"),
        dbname=conninfo_to_dict(url)["dbname"],
    )
    if params.get("password"):
        django_url = django_url.replace("@", f":{params['password']}@", 1)
    env = {
        "DATABASE_URL": django_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": os.environ.get("PROFILE_LOG_LEVEL", "WARNING"),
        "DEBUG": "0",
    }
    os.environ.update(env)
    saved = Path(tempfile.gettempdir()) / f"{conninfo_to_dict(url)['dbname']}.json"
    migrations = sorted(str(p.relative_to(run.ROOT)) for p in run.ROOT.glob("tuangou/*/migrations/0*.py"))
    data = json.loads(saved.read_text()) if args.reuse and saved.exists() else None
    if data is None or data.pop("migrations", None) != migrations:
        run.recreate_database(url)
        run.migrate({**os.environ})
        data = run.prepare_data(max(500, args.requests), 0)
        if args.reuse:
            saved.write_text(json.dumps({**data, "migrations": migrations}))
    else:
        print(f"== reusing {django_url} (members and tokens from {saved})")
        import django

        sys.path.insert(0, str(run.ROOT))
        django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    path = f"/api/shops/{data['shop_id']}/orders"
    body = run.order_body(data, list(zip(run.order_pair(data, 0), (run.QTY_A, run.QTY_B))))
    # A pool smaller than the requests, all used during the warm-up: as in the bench, a token's
    # last_used_at is then fresh and auth costs its one SELECT, not the once-a-minute UPDATE too.
    members = data["members"][:100]

    def place(n: int):
        response = client.post(
            path,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {members[n % len(members)][1]}", "Idempotency-Key": uuid.uuid4().hex},
        )
        if response.status_code != 201:
            raise SystemExit(f"{path} answered {response.status_code}: {response.content[:1000]!r}")
        return response

    for n in range(len(members)):  # warm: imports, URL resolver, Ninja schemas, prepared plans
        place(n)

    with CaptureQueriesContext(connection) as queries:
        response = place(50)
    print(f"== one order: {len(queries)} queries, response {len(response.content)} bytes")
    for q in queries.captured_queries:
        print(f"  {q['time']}s  {q['sql'][: args.sql_width]}")

    # CPU time, not wall time: waiting for PostgreSQL (or for a busy machine) is not this process's cost.
    profiler = cProfile.Profile(time.process_time)
    cpu0 = time.process_time()
    profiler.enable()
    for n in range(args.requests):
        place(100 + n)
    profiler.disable()
    cpu = time.process_time() - cpu0
    # cProfile inflates Python code several times: time clean passes too, and keep the best of
    # three (another job on the machine only ever makes a pass slower).
    with connection.cursor() as cursor:  # this process's PostgreSQL backend, on the same machine
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    passes, backend_passes = [], []
    for p in range(3):
        cpu1, backend1 = time.process_time(), run.process_cpu([backend])
        for n in range(args.requests):
            place(100 + (p + 1) * args.requests + n)
        passes.append((time.process_time() - cpu1) / args.requests)
        backend_passes.append((run.process_cpu([backend]) - backend1) / args.requests)
    calls = pstats.Stats(profiler).total_calls
    print(
        f"\n== {args.requests} orders: {1000 * min(passes):.2f} ms CPU per order without the profiler "
        f"(passes: {', '.join(f'{1000 * x:.2f}' for x in passes)}); {calls / args.requests:.0f} Python "
        f"function calls per order; {1000 * cpu / args.requests:.2f} ms CPU with the profiler\n"
        f"== its PostgreSQL backend: {1000 * min(backend_passes):.2f} ms CPU per order "
        f"(passes: {', '.join(f'{1000 * x:.2f}' for x in backend_passes)})"
    )

    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(args.top)
        print(f"\n== top {args.top} by {sort} (CPU seconds over {args.requests} orders, profiler overhead included)")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])
    print_by_package(profiler, args.requests, args.packages)
    print("\n== response sample:", json.dumps(response.json(), ensure_ascii=False)[:600])
    return 0


def package_of(filename: str) -> str:
    """'django.db', 'ninja', 'tuangou.orders', 'stdlib', ... for a profiled function's file."""
    if not filename.startswith("/"):
        return "builtins"  # C functions: '~' in cProfile
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1 :]
        return ".".join(rest[:2]) if rest[0] == "django" and len(rest) > 2 else rest[0].removesuffix(".py")
    if run.ROOT in path.parents:
        rest = path.relative_to(run.ROOT).parts
        return ".".join(rest[:2]) if rest[0] == "tuangou" else rest[0]
    return "stdlib"


def print_by_package(profiler, requests: int, top: int) -> None:
    """Own CPU time (tottime) summed by package: where the Python of a request goes, the profiler's
    inflation spread evenly over it."""
    stats = pstats.Stats(profiler).stats
    own: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        key = package_of(filename)
        own[key] = own.get(key, 0.0) + tottime
    total = sum(own.values()) or 1.0
    print(f"\n== own CPU by package (share of the profiled {1000 * total / requests:.2f} ms per order)")
    for key, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * seconds / total:5.1f} %  {key}")


if __name__ == "__main__":
    sys.exit(main())
