import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write the API's OpenAPI document (the front ends generate their types from it)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **options):
        from config.api import api

        document = api.get_openapi_schema(path_prefix="/api/")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1, sort_keys=True)
            handle.write("\n")
