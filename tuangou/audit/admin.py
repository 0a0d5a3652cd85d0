from django.contrib import admin

from .models import ApprovalRequest, AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only (the model and, on PostgreSQL, a trigger refuse changes)."""

    list_display = ("created_at", "shop", "action", "actor_name", "ip", "target_type", "target_label")
    list_filter = ("action",)
    search_fields = ("actor_name", "target_label", "ip")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "shop", "action", "summary", "status", "requested_by", "decided_by")
    list_filter = ("status", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
