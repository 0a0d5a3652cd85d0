from django.core.management.base import BaseCommand

from tuangou.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo shop (鹭岛鲜生) once; does nothing when it is already there."

    def handle(self, **options):
        load_demo(out=self.stdout.write)
