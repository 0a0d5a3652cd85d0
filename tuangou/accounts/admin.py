from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class TuangouUserAdmin(UserAdmin):
    list_display = ["id", "username", "phone", "display_name", "is_staff", "date_joined"]
    search_fields = ["username", "phone", "display_name"]
    fieldsets = UserAdmin.fieldsets + (("Tuangou", {"fields": ("phone", "display_name")}),)
