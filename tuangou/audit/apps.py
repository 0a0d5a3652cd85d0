from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tuangou.audit"
    verbose_name = "操作日志"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from tuangou.accounts.hooks import login_failed_by_phone
        from tuangou.shops.hooks import shop_changed

        from . import logins, services, shops

        shop_changed.register(services.audit_record)
        # Django's own login signals (axes listens to them too): accounts sits below us.
        user_logged_in.connect(logins.login_recorded, dispatch_uid="audit_login")
        user_login_failed.connect(logins.login_failure_recorded, dispatch_uid="audit_login_failed")
        login_failed_by_phone.register(logins.sms_login_failure_recorded)
        shops.register_executors()  # owner/admin grants wait for a second approval
