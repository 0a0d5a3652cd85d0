from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "tuangou.polls"
    verbose_name = "群投票"
