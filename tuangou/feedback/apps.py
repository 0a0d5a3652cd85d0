from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "tuangou.feedback"
    verbose_name = "团长反馈"
