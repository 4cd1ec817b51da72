"""Admin pieces every app's operator console shares."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent that operators read but never add, change or delete (history, ledger)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
