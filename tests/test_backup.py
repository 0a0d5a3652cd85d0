"""The restore drill: a shop with orders and an uploaded picture is backed up, restored into a fresh
database and var/, and every table (rows and checksum) and every file must come back the same."""

import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.world import add_live_order, build_world
from tuangou.core.backup import BackupError, _pg_connect, backup_create, backup_prune, backup_restore, table_figures
from tuangou.orders.models import Order


def _shop_with_orders():
    world = build_world("备份", 13900000000)
    for n in range(3):
        add_live_order(world, Order.Status.PAID, f"B{n}")
    return world


def _drill(tmp_path, target: dict) -> dict:
    var_dir = Path(settings.VAR_DIR)
    (var_dir / "drill.secret").write_text("kept")
    archive, manifest = backup_create(tmp_path / "backups")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json" and manifest["database"] in names and "var/drill.secret" in names
    # The export file build_world saved (MEDIA_ROOT is outside var/ in tests) travels as media/.
    assert any(name.startswith("media/exports/") for name in manifest["files"])
    assert manifest["tables"]["orders_order"]["rows"] == Order.objects.count() >= 4

    restored_var = tmp_path / "restored-var"
    report = backup_restore(archive, database=target, var_dir=restored_var, media_root=tmp_path / "restored-media")
    assert report["differ"] == []
    assert report["tables"] == len(manifest["tables"]) > 50
    assert report["rows"] == sum(t["rows"] for t in manifest["tables"].values())
    assert (restored_var / "drill.secret").read_text() == "kept"
    picture = next(name for name in manifest["files"] if name.startswith("media/"))
    assert (tmp_path / "restored-media" / picture.removeprefix("media/")).read_bytes() == (
        Path(settings.MEDIA_ROOT) / picture.removeprefix("media/")
    ).read_bytes()
    # Restoring twice into the same database is refused: a restore goes into a fresh one.
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(archive, database=target, var_dir=restored_var)
    return {"archive": archive, "manifest": manifest, "report": report}


def test_restore_drill_sqlite(transactional_db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill (the PostgreSQL one is below)")
    _shop_with_orders()
    target = {**connection.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")}
    _drill(tmp_path, target)


@pytest.mark.postgres
def test_restore_drill_postgres(transactional_db, require_postgres, tmp_path):
    _shop_with_orders()
    fresh = f"{connection.settings_dict['NAME']}_restored"
    with _pg_connect(connection.settings_dict, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
    try:
        drill = _drill(tmp_path, {**connection.settings_dict, "NAME": fresh})  # created by the restore
        # The figures are the live database's too: nothing was lost between snapshot and dump.
        with connection.cursor() as cursor:
            assert table_figures(cursor, "postgresql") == drill["manifest"]["tables"]
    finally:
        with _pg_connect(connection.settings_dict, "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_a_tampered_archive_is_refused(transactional_db, tmp_path):
    _shop_with_orders()
    archive, manifest = backup_create(tmp_path / "backups")
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    secret = next(name for name in manifest["files"] if name.startswith("var/"))
    (unpacked / secret).write_text("changed")
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for name in ["manifest.json", *manifest["files"]]:
            tar.add(unpacked / name, arcname=name)
    target = {**connection.settings_dict, "NAME": str(tmp_path / "never.sqlite3")}
    with pytest.raises(BackupError, match=f"{secret}: missing or its checksum differs"):
        backup_restore(forged, database=target, var_dir=tmp_path / "never")
    assert not (tmp_path / "never").exists()
    assert json.loads((unpacked / "manifest.json").read_text())["files"][secret]["sha256"] != "changed"


def test_prune_keeps_the_newest(tmp_path):
    for stamp in ["20260101", "20260102", "20260103"]:
        (tmp_path / f"tuangou-{stamp}T000000Z.tar.gz").write_text(stamp)
    gone = backup_prune(tmp_path, keep=2)
    assert [p.name for p in gone] == ["tuangou-20260101T000000Z.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "tuangou-20260102T000000Z.tar.gz",
        "tuangou-20260103T000000Z.tar.gz",
    ]
