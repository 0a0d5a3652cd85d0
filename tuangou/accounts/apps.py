from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tuangou.accounts"
    verbose_name = "账号与登录"

    def ready(self):
        from tuangou.core.api import register_token_authenticator

        from .auth import user_for_token

        register_token_authenticator(user_for_token)
