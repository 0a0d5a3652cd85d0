"""`make backup`: the database and var/ in one archive under BACKUP_DIR (docs/deploy.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tuangou.core.backup import backup_create, backup_prune


class Command(BaseCommand):
    help = "Back up the database and var/ (secrets, media, exports) into one archive with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="where to write it (default BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=None, help="archives to keep there (default BACKUP_KEEP)")

    def handle(self, dir, keep, **options):
        dest = dir or settings.BACKUP_DIR
        archive, manifest = backup_create(dest)
        gone = backup_prune(dest, keep if keep is not None else settings.BACKUP_KEEP)
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"{archive}  ({archive.stat().st_size:,} bytes; {manifest['engine']}: {len(manifest['tables'])} tables, "
            f"{rows:,} rows; {len(manifest['files'])} files; {len(gone)} old archives removed)"
        )
