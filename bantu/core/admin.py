"""Admin pieces every app's operator console shares."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.template.response import TemplateResponse

from .exceptions import ApplicationError
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
    every field is read-only, so no edit form is ever built (and the subclass's own `readonly_fields`, such as
    display methods, stay read-only too)."""

    def get_readonly_fields(self, request, obj=None):
        return [*(field.name for field in self.model._meta.fields), *self.readonly_fields]

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


# Admin actions that ask the operator why before they act: the reason goes to the service, which keeps it in the
# audit log and tells the affected users.

REASON_PREVIEW = 100


class ReasonForm(forms.Form):
    reason = forms.CharField(
        min_length=3,
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why. Kept in the audit log and shown to the people affected.",
    )


def act_with_reason(
    modeladmin, request, queryset, *, title: str, intro: str, done: str, apply: Callable[[object, str], object]
):
    """The body of an admin action: the first POST (from the changelist) answers a form asking for a reason; the
    second, with a valid `reason`, calls `apply(obj, reason)` for each selected object and reports how many
    succeeded. A service refusing one object (ApplicationError: a conflict, a forbidden move) is reported as a
    warning for that object and the others go on."""
    form = ReasonForm(request.POST if "reason" in request.POST else None)
    if not form.is_valid():
        # A page holds at most list_per_page (100) rows; "select all" across pages is carried by select_across,
        # so the form lists a preview and says how many more.
        preview = list(queryset[:REASON_PREVIEW])
        more = queryset.count() - len(preview) if len(preview) == REASON_PREVIEW else 0
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "form": form,
            "objects": preview,
            "more": more,
            "action": request.POST.get("action", ""),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "bantu/action_reason.html", context)
    reason = form.cleaned_data["reason"]
    count = 0
    for obj in queryset:
        try:
            apply(obj, reason)
        except ApplicationError as error:
            modeladmin.message_user(request, f"{obj}: {error.detail}", messages.WARNING)
            continue
        modeladmin.log_change(request, obj, f"{done}: {reason}")
        count += 1
    modeladmin.message_user(request, f"{done}: {count} of {len(queryset)}.", messages.SUCCESS)
    return None
