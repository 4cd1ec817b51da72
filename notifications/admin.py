from django.contrib import admin

from .models import Device, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "read_at", "created_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["user__email", "title"]
    list_select_related = ["user"]
    readonly_fields = ["id", "user", "kind", "title", "body", "data", "read_at", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "active", "last_success_at", "last_error", "created_at"]
    list_filter = ["kind", "active", "created_at"]
    search_fields = ["user__email", "endpoint"]
    list_select_related = ["user"]
    readonly_fields = ["id", "user", "kind", "endpoint", "p256dh", "auth", "token", "last_error", "last_success_at",
                       "created_at", "updated_at"]
