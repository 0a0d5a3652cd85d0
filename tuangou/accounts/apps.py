from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tuangou.accounts"
    verbose_name = "账号与登录"
