from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "config"
    verbose_name = "Tuangou"

    def ready(self):
        from . import checks  # noqa: F401  (registers the production checks)
