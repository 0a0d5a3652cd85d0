from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "tuangou.shops"
    verbose_name = "店铺"

    def ready(self):
        from tuangou.accounts.hooks import profile_parts

        from . import selectors

        profile_parts.register(selectors.staff_profile_part)
