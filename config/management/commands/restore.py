"""`make restore ARCHIVE=…`: into the database DATABASE_URL names (a fresh one) and var/."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tuangou.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a `manage.py backup` archive into a fresh database and var/, and check it table by table."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="restore over a database that has tables")

    def handle(self, archive, force, **options):
        connection.close()  # the restore writes the database from outside this connection
        try:
            report = backup_restore(
                archive,
                database=settings.DATABASES["default"],
                var_dir=settings.VAR_DIR,
                media_root=settings.MEDIA_ROOT,
                force=force,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if report["differ"]:
            raise CommandError(f"restored, but these tables differ from the backup: {', '.join(report['differ'])}")
        self.stdout.write(
            f"Restored {archive.name} (taken {report['manifest']['created_at']}): {report['tables']} tables, "
            f"{report['rows']:,} rows and {report['files']} files, every checksum as in the manifest."
        )
