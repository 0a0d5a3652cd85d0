from django.contrib import admin

admin.site.site_header = "社区团购运营后台"
admin.site.site_title = "社区团购运营后台"
admin.site.index_title = "数据管理"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write (codes, attempts, tokens, jobs): operators look, nobody edits here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
