from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tuangou.core.admin import ReadOnlyAdmin

from .models import (
    ApiToken,
    AttemptCounter,
    ConsentRecord,
    LoginAttempt,
    SmsCode,
    StaffLoginFailure,
    StaffLoginLog,
    User,
    WechatIdentity,
)


@admin.register(User)
class TuangouUserAdmin(UserAdmin):
    list_display = ["id", "username", "phone", "display_name", "is_staff", "date_joined"]
    search_fields = ["username", "phone", "display_name"]
    fieldsets = UserAdmin.fieldsets + (("团购", {"fields": ("phone", "display_name")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Only the key's hash is stored; it is not shown."""

    list_display = ["id", "user", "name", "created_at", "last_used_at"]
    search_fields = ["user__username", "user__phone", "name"]
    exclude = ["key_hash"]


@admin.register(SmsCode)
class SmsCodeAdmin(ReadOnlyAdmin):
    list_display = ["id", "phone", "purpose", "ip", "created_at", "expires_at", "used_at", "failed_attempts"]
    list_filter = ["purpose"]
    search_fields = ["phone", "ip"]
    exclude = ["code_hash"]


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    list_display = ["id", "phone", "ip", "succeeded", "created_at"]
    list_filter = ["succeeded"]
    search_fields = ["phone", "ip"]


@admin.register(AttemptCounter)
class AttemptCounterAdmin(ReadOnlyAdmin):
    list_display = ["key", "count", "expires_at"]
    search_fields = ["key"]

    def has_delete_permission(self, request, obj=None):
        return True  # lifting a limit early (a member locked out by mistake) is deleting its row


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "document", "version", "agreed_at", "ip"]
    list_filter = ["document", "version"]
    search_fields = ["user__username", "user__phone"]


@admin.register(StaffLoginFailure)
class StaffLoginFailureAdmin(ReadOnlyAdmin):
    list_display = ["attempt_username", "attempt_ip", "attempt_failures", "attempt_path", "attempt_time_shown"]
    search_fields = ["username", "ip_address"]
    exclude = ["get_data", "post_data", "http_accept", "user_agent"]

    @admin.display(description="用户名", ordering="username")
    def attempt_username(self, obj):
        return obj.username

    @admin.display(description="IP地址", ordering="ip_address")
    def attempt_ip(self, obj):
        return obj.ip_address

    @admin.display(description="失败次数", ordering="failures_since_start")
    def attempt_failures(self, obj):
        return obj.failures_since_start

    @admin.display(description="登录入口")
    def attempt_path(self, obj):
        return obj.path_info

    @admin.display(description="最近失败时间", ordering="attempt_time")
    def attempt_time_shown(self, obj):
        return obj.attempt_time

    def has_delete_permission(self, request, obj=None):
        return True  # deleting the row lifts the lockout


@admin.register(StaffLoginLog)
class StaffLoginLogAdmin(ReadOnlyAdmin):
    list_display = ["log_username", "log_ip", "log_path", "log_time", "log_logout"]
    search_fields = ["username", "ip_address"]
    exclude = ["session_hash", "http_accept", "user_agent"]

    @admin.display(description="用户名", ordering="username")
    def log_username(self, obj):
        return obj.username

    @admin.display(description="IP地址", ordering="ip_address")
    def log_ip(self, obj):
        return obj.ip_address

    @admin.display(description="登录入口")
    def log_path(self, obj):
        return obj.path_info

    @admin.display(description="登录时间", ordering="attempt_time")
    def log_time(self, obj):
        return obj.attempt_time

    @admin.display(description="退出时间", ordering="logout_time")
    def log_logout(self, obj):
        return obj.logout_time


@admin.register(WechatIdentity)
class WechatIdentityAdmin(ReadOnlyAdmin):
    """Who logged in with WeChat under which app id; the person once they verified a phone."""

    list_display = ["id", "app_id", "openid", "unionid", "user", "nickname", "scope", "created_at", "last_login_at"]
    list_filter = ["app_id", "scope"]
    search_fields = ["openid", "unionid", "user__phone", "nickname"]
