"""Backups: the database and var/ (generated secrets, uploaded media, exports) in one archive,
with a manifest of per-file SHA-256 sums and per-table row counts and checksums, and a restore that
checks every one of them (docs/deploy.md "Backups").

PostgreSQL is dumped by pg_dump (custom format) inside the same snapshot the table figures are read
in (pg_export_snapshot), so the figures describe exactly the dump even while orders keep coming.
SQLite is copied with its online backup API and the figures are read from the copy."""

import hashlib
import io
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

FORMAT = 1
MANIFEST = "manifest.json"
# Under var/: not copied (the database travels as its own dump; static files are rebuilt).
VAR_SKIP_DIRS = {"static", "backups"}
VAR_SKIP_SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")


class BackupError(Exception):
    pass


# --- Figures: what a restore must reproduce ----------------------------------------------------


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


def _cell(value):
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return value


def table_figures(cursor, vendor: str) -> dict[str, dict]:
    """Each table's row count and a SHA-256 over its rows in a fixed order."""
    figures = {}
    for table in _tables(cursor, vendor):
        quoted = '"' + table.replace('"', '""') + '"'
        if vendor == "postgresql":
            # The server's own text of each row (in UTC, _pg_connect and Django both set it), so
            # the sum does not depend on how a client library decodes json or timestamps.
            cursor.execute(f'SELECT t::text FROM {quoted} AS t ORDER BY t::text COLLATE "C"')
        else:
            cursor.execute(f"SELECT * FROM {quoted} WHERE 1 = 0")
            order = ", ".join(str(i + 1) for i in range(len(cursor.description)))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")
        digest, rows = hashlib.sha256(), 0
        while batch := cursor.fetchmany(2000):
            for row in batch:
                digest.update(json.dumps([_cell(v) for v in row], default=str, ensure_ascii=False).encode())
                digest.update(b"\n")
            rows += len(batch)
        figures[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return figures


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- Backup --------------------------------------------------------------------------------------


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _dump_postgres(target: Path) -> dict:
    db = connection.settings_dict
    args, env = _pg_env(db)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # pg_dump joins our snapshot while this transaction stays open.
        subprocess.run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "-f",
                str(target),
                db["NAME"],
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        return table_figures(cursor, "postgresql")


def _dump_sqlite(target: Path) -> dict:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        return table_figures(copy.cursor(), "sqlite")
    finally:
        copy.close()


def _var_files(var_dir: Path, exclude: set[Path]) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(var_dir):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not (here == var_dir and d in VAR_SKIP_DIRS) and here / d not in exclude)
        for name in sorted(files):
            path = here / name
            if name.endswith(VAR_SKIP_SUFFIXES) or path in exclude or path.is_symlink():
                continue
            found.append(path)
    return found


def backup_create(dest_dir: Path | None = None) -> tuple[Path, dict]:
    """Write tuangou-<time>.tar.gz into dest_dir (BACKUP_DIR); return it and its manifest."""
    dest_dir = Path(dest_dir or settings.BACKUP_DIR)
    dest_dir.mkdir(parents=True, exist_ok=True)
    var_dir = Path(settings.VAR_DIR).resolve()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    archive = dest_dir / f"tuangou-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(dir=dest_dir) as work:
        work = Path(work)
        if connection.vendor == "postgresql":
            dump = work / "database.pgdump"
            tables = _dump_postgres(dump)
        else:
            dump = work / "database.sqlite3"
            tables = _dump_sqlite(dump)
        members = {dump.name: dump}
        for path in _var_files(var_dir, exclude={dest_dir.resolve(), work}):
            members[f"var/{path.relative_to(var_dir).as_posix()}"] = path
        # MEDIA_ROOT outside var/ (MEDIA_ROOT set on its own) travels as media/.
        if media_root.exists() and var_dir not in media_root.parents:
            for path in _var_files(media_root, exclude={dest_dir.resolve(), work}):
                members[f"media/{path.relative_to(media_root).as_posix()}"] = path
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "engine": connection.vendor,
            "database": dump.name,
            "tables": tables,
            "files": {name: {"size": path.stat().st_size, "sha256": _sha256(path)} for name, path in members.items()},
        }
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
            for name, path in members.items():
                tar.add(path, arcname=name)
        partial.rename(archive)  # a backup that died half way never looks like a backup
    return archive, manifest


def backup_prune(dest_dir: Path, keep: int) -> list[Path]:
    archives = sorted(Path(dest_dir).glob("tuangou-*.tar.gz"))
    gone = archives[: max(0, len(archives) - keep)]
    for path in gone:
        path.unlink()
    return gone


def backup_scheduled() -> str:
    """The scheduled backup (BACKUP_EVERY_MINUTES): archive, keep the newest BACKUP_KEEP, and hand the
    archive to BACKUP_COPY_COMMAND (e.g. `ossutil cp` / `aws s3 cp` / `rclone copyto`) for an
    off-machine copy."""
    archive, _ = backup_create(settings.BACKUP_DIR)
    backup_prune(settings.BACKUP_DIR, settings.BACKUP_KEEP)
    backup_copy(archive)
    return archive.name


def backup_copy(archive: Path) -> bool:
    """Run BACKUP_COPY_COMMAND with the archive's path as its last argument (False: none is set)."""
    if not settings.BACKUP_COPY_COMMAND:
        return False
    subprocess.run([*shlex.split(settings.BACKUP_COPY_COMMAND), str(archive)], check=True, timeout=3600)
    return True


# --- Restore -------------------------------------------------------------------------------------


def backup_read(archive: Path, into: Path) -> dict:
    """Unpack the archive into `into` and check every file against the manifest."""
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(into, filter="data")
    manifest = json.loads((into / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, expected in manifest["files"].items():
        path = into / name
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name}: missing or its checksum differs from the manifest")
    return manifest


def _pg_connect(db: dict, dbname: str):
    import psycopg

    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
        options="-c TimeZone=UTC",
    )


def _restore_postgres(dump: Path, db: dict, force: bool) -> dict:
    import psycopg

    try:
        with _pg_connect(db, db["NAME"]) as conn, conn.cursor() as cursor:
            if _tables(cursor, "postgresql") and not force:
                raise BackupError(f"database {db['NAME']} is not empty: restore into a fresh one (or --force)")
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        with _pg_connect(db, "postgres") as conn:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    args, env = _pg_env(db)
    clean = ["--clean", "--if-exists"] if force else []
    result = subprocess.run(
        ["pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error", *clean, "-d", db["NAME"], str(dump)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[-2000:]}")
    with _pg_connect(db, db["NAME"]) as conn, conn.cursor() as cursor:
        return table_figures(cursor, "postgresql")


def _restore_sqlite(dump: Path, db: dict, force: bool) -> dict:
    target = Path(db["NAME"])
    if target.exists() and target.stat().st_size:
        with sqlite3.connect(target) as existing:
            if _tables(existing.cursor(), "sqlite") and not force:
                raise BackupError(f"{target} is not empty: restore into a fresh one (or --force)")
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    # Through the backup API too, so a process that has the file open sees a whole database.
    source = sqlite3.connect(dump)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        return table_figures(copy.cursor(), "sqlite")
    finally:
        copy.close()
        source.close()


def backup_restore(
    archive: Path, *, database: dict, var_dir: Path, media_root: Path | None = None, force=False
) -> dict:
    """Restore the archive into `database` (a DATABASES entry: a fresh PostgreSQL database, created
    when missing, or a new SQLite file) and var_dir; compare every table with the manifest."""
    vendor = "postgresql" if database["ENGINE"].endswith("postgresql") else "sqlite"
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        manifest = backup_read(Path(archive), work)
        if manifest["engine"] != vendor:
            raise BackupError(f"the backup is of {manifest['engine']}, the target database is {vendor}")
        dump = work / manifest["database"]
        restore = _restore_postgres if vendor == "postgresql" else _restore_sqlite
        tables = restore(dump, database, force)
        files = 0
        for name in manifest["files"]:
            if name.startswith(("var/", "media/")):
                prefix, rest = name.split("/", 1)
                base = Path(var_dir) if prefix == "var" else Path(media_root or Path(var_dir) / "media")
                target = base / rest
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(work / name, target)
                files += 1
    expected = manifest["tables"]
    differ = sorted(t for t in set(expected) | set(tables) if expected.get(t) != tables.get(t))
    return {
        "tables": len(tables),
        "rows": sum(t["rows"] for t in tables.values()),
        "files": files,
        "differ": differ,
        "manifest": manifest,
    }
