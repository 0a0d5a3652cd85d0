from django.apps import AppConfig


class LeadersConfig(AppConfig):
    name = "tuangou.leaders"
    verbose_name = "团长"

    def ready(self):
        from tuangou.accounts.hooks import profile_parts
        from tuangou.shops.hooks import shop_created

        from . import selectors, services

        shop_created.register(services.recruitment_plan_create_default)
        profile_parts.register(selectors.leader_profile_part)
