from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "tuangou.marketing"
    verbose_name = "营销"

    def ready(self):
        from tuangou.leaders.hooks import member_joined

        from . import services

        member_joined.register(services.coupons_grant_new_member)
