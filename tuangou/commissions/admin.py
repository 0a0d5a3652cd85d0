from django.contrib import admin

from .models import CommissionEntry, Withdrawal, WithdrawalEvent


@admin.register(CommissionEntry)
class CommissionEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is written by the services and never edited."""

    list_display = ["id", "shop", "leader", "kind", "bucket", "amount_fen", "order", "settle_after", "created_at"]
    list_filter = ["kind", "bucket"]
    raw_id_fields = ["shop", "leader", "order", "order_line", "withdrawal"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WithdrawalEventInline(admin.TabularInline):
    model = WithdrawalEvent
    extra = 0
    can_delete = False
    readonly_fields = ["type", "from_status", "to_status", "actor", "data", "created_at"]


@admin.register(Withdrawal)
class WithdrawalAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "leader", "amount_fen", "status", "reviewed_at", "paid_at", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["shop", "leader", "reviewed_by", "paid_by"]
    readonly_fields = ["amount_fen", "status", "reviewed_by", "reviewed_at", "paid_by", "paid_at"]
    inlines = [WithdrawalEventInline]
