"""Point-in-time recovery drill on PostgreSQL: restore to just before a `DROP TABLE` (docs/deploy.md).

A throwaway PostgreSQL cluster of its own (initdb in a temporary folder, a free local port, WAL
archiving on, as in deploy/postgresql/archiving.conf) gets the real schema (`manage.py migrate`)
and the demo shop (`load_demo`: orders, payments). Then:

  1. pg_basebackup takes the base backup;
  2. more work happens after it (orders change, 1,000 rows in a table made after the backup);
  3. the time is noted, and a careless `DROP TABLE orders_order CASCADE` runs;
  4. a fresh data folder is made from the base backup with restore_command reading the WAL
     archive and recovery_target_time = the noted time, and started;
  5. the figures are compared: every table's row count and checksum as they were just before the
     DROP, the work after the base backup included.

Prints the figures; exit 1 when anything differs. Needs PostgreSQL's server binaries (Debian:
postgresql-15; PG_BIN names their folder). As root it runs the cluster as the `postgres` user.
    .venv/bin/python bench/pitr_drill.py
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pg_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql; or set PG_BIN)")
    return found[-1].parent


BIN = pg_bin()
AS_POSTGRES = os.geteuid() == 0


def run(*args, check=True, **kwargs) -> subprocess.CompletedProcess:
    command = [str(a) for a in args]
    if AS_POSTGRES:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=check, capture_output=True, text=True, **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def psql(port: int, sql: str, db: str = "tuangou") -> str:
    return run(BIN / "psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", db, "-XAtqc", sql).stdout.strip()


def figures(port: int) -> dict:
    import psycopg

    from tuangou.core.backup import table_figures

    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname="tuangou", options="-c TimeZone=UTC"
    ) as conn:
        return table_figures(conn.cursor(), "postgresql")


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="tuangou-pitr-"))
    primary, archive, basebackup, restored = (base / n for n in ("primary", "wal-archive", "basebackup", "restored"))
    archive.mkdir()
    if AS_POSTGRES:
        pg = pwd.getpwnam("postgres")
        os.chown(base, pg.pw_uid, pg.pw_gid)
        os.chown(archive, pg.pw_uid, pg.pw_gid)
    port, restore_port = free_port(), free_port()
    started = {}
    try:
        run(BIN / "initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
                "wal_level = replica\narchive_mode = on\n"
                f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n"
                "archive_timeout = 60\nmax_wal_senders = 3\nfsync = off\n"
            )
        run(BIN / "pg_ctl", "-D", primary, "-l", base / "primary.log", "-w", "start")
        started["primary"] = primary
        run(BIN / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "tuangou")
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/tuangou",
            "TUANGOU_VAR_DIR": str(base / "var"),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        t = time.perf_counter()
        for command in (["migrate", "-v", "0"], ["load_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        print(f"schema and demo shop loaded          {time.perf_counter() - t:6.1f} s")

        t = time.perf_counter()
        run(BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-D", basebackup, "-X", "stream")
        print(
            f"base backup (pg_basebackup)          {time.perf_counter() - t:6.1f} s, {size(basebackup) / 2**20:.1f} MiB"
        )

        # Work after the base backup: only the WAL archive has it.
        psql(port, "CREATE TABLE drill_after_base AS SELECT n FROM generate_series(1, 1000) AS n")
        psql(
            port,
            "UPDATE orders_order SET note = 'changed after the base backup' WHERE id IN (SELECT id FROM orders_order ORDER BY id LIMIT 5)",
        )
        time.sleep(1.1)
        before = figures(port)
        target = psql(port, "SELECT clock_timestamp()")
        time.sleep(1.1)
        orders = before["orders_order"]["rows"]
        psql(port, "DROP TABLE orders_order CASCADE")
        lost = "orders_order" not in figures(port)
        psql(port, "SELECT pg_switch_wal()")
        for _ in range(100):  # the segment with the DROP reaches the archive
            if psql(port, "SELECT last_failed_wal IS NULL AND archived_count > 0 FROM pg_stat_archiver") == "t":
                break
            time.sleep(0.1)
        time.sleep(1)
        segments = len([p for p in archive.iterdir() if len(p.name) == 24])
        print("after the base backup                +1,000 rows in drill_after_base, 5 orders changed")
        print(f"target time                          {target}")
        print(f"DROP TABLE orders_order CASCADE      {orders} orders gone from the live database: {lost}")
        print(f"WAL archived                         {segments} segments, {size(archive) / 2**20:.1f} MiB")
        run(BIN / "pg_ctl", "-D", primary, "-w", "-m", "fast", "stop")  # the damaged server goes away
        started.pop("primary")

        t = time.perf_counter()
        shutil.copytree(basebackup, restored)
        if AS_POSTGRES:
            subprocess.run(["chown", "-R", "postgres:postgres", str(restored)], check=True)
        with (restored / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"port = {restore_port}\narchive_mode = off\n"
                f"restore_command = 'cp {archive}/%f %p'\n"
                f"recovery_target_time = '{target}'\nrecovery_target_action = 'promote'\n"
            )
        (restored / "recovery.signal").touch()
        if AS_POSTGRES:
            subprocess.run(["chown", "postgres:postgres", str(restored / "recovery.signal")], check=True)
        run(BIN / "pg_ctl", "-D", restored, "-l", base / "restored.log", "-w", "-t", "300", "start")
        started["restored"] = restored
        for _ in range(600):
            if psql(restore_port, "SELECT pg_is_in_recovery()") == "f":
                break
            time.sleep(0.1)
        print(f"restore to the target and promote    {time.perf_counter() - t:6.1f} s")
        after = figures(restore_port)
        differ = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
        rows = sum(f["rows"] for f in after.values())
        print(
            f"restored                             {len(after)} tables, {rows:,} rows; orders_order "
            f"{after.get('orders_order', {}).get('rows')} of {orders}; drill_after_base "
            f"{after.get('drill_after_base', {}).get('rows')} of 1000"
        )
        print(f"tables differing from just before the DROP: {len(differ)} {differ if differ else ''}".rstrip())
        print("PITR drill: " + ("OK" if not differ else "FAILED"))
        return 1 if differ else 0
    finally:
        for data in started.values():
            run(BIN / "pg_ctl", "-D", data, "-w", "-m", "immediate", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
