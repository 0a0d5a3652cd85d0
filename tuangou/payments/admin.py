from django.contrib import admin

from .models import Payment, PaymentNotification, Refund, SandboxTrade


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money rows are written by the payment services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["out_trade_no", "shop", "order", "provider", "amount_fen", "status", "paid_at"]
    list_filter = ["provider", "status"]
    search_fields = ["out_trade_no", "provider_transaction_id"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["out_refund_no", "shop", "order", "amount_fen", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["out_refund_no", "provider_refund_id"]


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyAdmin):
    list_display = ["out_trade_no", "provider", "signature_valid", "outcome", "created_at"]
    list_filter = ["provider", "outcome"]
    search_fields = ["out_trade_no"]


@admin.register(SandboxTrade)
class SandboxTradeAdmin(ReadOnlyAdmin):
    list_display = ["out_trade_no", "amount_fen", "state", "refunded_fen", "notify_attempts", "notified_at"]
