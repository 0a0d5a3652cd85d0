from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tuangou.notifications"
    verbose_name = "消息通知"
