from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "tuangou.sharing"
    verbose_name = "分享"
