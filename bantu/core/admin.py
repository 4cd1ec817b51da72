"""Admin pieces every app's operator console shares."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from .models import IdempotencyRecord


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent that operators read but never add, change or delete (history, ledger)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model operators read but never add, change or delete here (history, ledger, records of requests):
    every field is read-only, so no edit form is ever built."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "key", "status_code"]
    list_filter = ["status_code", "created_at"]
    search_fields = ["user__email", "key"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    """Django's own record of edits made in the admin (the audit log holds the moderation and money acts)."""

    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag", "get_change_message"]
    list_filter = ["action_flag", ("content_type", admin.RelatedOnlyFieldListFilter), "action_time"]
    search_fields = ["object_repr", "object_id", "user__email"]
    list_select_related = ["user", "content_type"]
    date_hierarchy = "action_time"
    show_full_result_count = False


def set_or_not_filter(field: str, *, title: str, parameter: str, set_label: str, unset_label: str):
    """A changelist filter on whether `field` is set (`?<parameter>=yes`) or empty (`=no`), with the operators'
    words for the two cases ("Removed" / "Not removed")."""

    class SetOrNotFilter(admin.SimpleListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            return [("yes", set_label), ("no", unset_label)]

        def queryset(self, request, queryset):
            if self.value() in ("yes", "no"):
                return queryset.filter(**{f"{field}__isnull": self.value() == "no"})
            return queryset

    SetOrNotFilter.title = title
    return SetOrNotFilter
