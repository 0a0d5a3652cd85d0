from django.contrib import admin

from .models import Leader, LeaderApplication, LeaderEvent, Membership, PickupPoint, RecruitmentPlan, Region, Team


@admin.register(RecruitmentPlan)
class RecruitmentPlanAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "title", "is_published", "referral_reward_fen", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "shop__name"]
    raw_id_fields = ["shop"]


@admin.register(LeaderApplication)
class LeaderApplicationAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "name", "phone", "community", "households", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "phone", "community", "shop__name"]
    raw_id_fields = ["shop", "user", "reviewed_by"]


class PickupPointInline(admin.StackedInline):
    model = PickupPoint
    extra = 0
    raw_id_fields = ["shop"]


class LeaderEventInline(admin.TabularInline):
    """The audit trail is read-only: status changes go through the console (services)."""

    model = LeaderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "type", "from_status", "to_status", "actor", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "name", "phone", "status", "commission_rate_bp", "team", "region", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "phone", "referral_code", "shop__name"]
    raw_id_fields = ["shop", "user", "application", "referred_by", "team", "region"]
    inlines = [PickupPointInline, LeaderEventInline]


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "name", "community", "route", "lat", "lng", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "community", "address", "shop__name"]
    raw_id_fields = ["shop", "leader"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "name", "captain"]
    search_fields = ["name", "shop__name"]
    raw_id_fields = ["shop", "captain"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "name", "regional_leader"]
    search_fields = ["name", "shop__name"]
    raw_id_fields = ["shop", "regional_leader"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "user", "leader", "via_leader", "created_at"]
    search_fields = ["user__phone", "user__username", "shop__name"]
    raw_id_fields = ["shop", "user", "leader", "via_leader"]


@admin.register(LeaderEvent)
class LeaderEventAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "leader", "type", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["type"]
    raw_id_fields = ["shop", "leader", "actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
