"""`make backup`: the database and var/ in one archive under BACKUP_DIR (docs/deploy.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tuangou.core.backup import backup_copy, backup_create, backup_prune


class Command(BaseCommand):
    help = "Back up the database and var/ (secrets, media, exports) into one archive with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="where to write it (default BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=None, help="archives to keep there (default BACKUP_KEEP)")
        parser.add_argument("--copy", action="store_true", help="then run BACKUP_COPY_COMMAND on it (off the machine)")

    def handle(self, dir, keep, copy, **options):
        dest = dir or settings.BACKUP_DIR
        archive, manifest = backup_create(dest)
        gone = backup_prune(dest, keep if keep is not None else settings.BACKUP_KEEP)
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"{archive}  ({archive.stat().st_size:,} bytes; {manifest['engine']}: {len(manifest['tables'])} tables, "
            f"{rows:,} rows; {len(manifest['files'])} files; {len(gone)} old archives removed)"
        )
        if copy and backup_copy(archive):
            self.stdout.write("copied off the machine with BACKUP_COPY_COMMAND")
