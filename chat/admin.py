"""Operators read conversations when handling reports; nothing here edits what people wrote."""

from django.contrib import admin, messages

from . import services
from .models import Conversation, Message, MessageReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ["seq", "sender", "body", "created_at"]
    readonly_fields = fields
    ordering = ["-seq"]
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender")


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ["id", "company", "freelancer", "proposal", "last_message_at"]
    search_fields = ["=id", "company__name", "freelancer__email", "freelancer__full_name"]
    list_select_related = ["company", "freelancer"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "conversation", "sender", "seq", "created_at"]
    search_fields = ["=id", "=conversation__id", "sender__email", "body"]
    list_select_related = ["sender"]
    show_full_result_count = False


@admin.register(MessageReport)
class MessageReportAdmin(admin.ModelAdmin):
    list_display = ["message", "reporter", "status", "handled_by", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["reporter__email", "reason", "=message__id"]
    list_select_related = ["reporter", "handled_by"]
    readonly_fields = ["id", "message", "message_body", "reporter", "reason", "status", "handled_by", "created_at"]
    actions = ["resolve", "dismiss"]

    @admin.display(description="Reported message")
    def message_body(self, report):
        return report.message.body

    def has_add_permission(self, request):
        return False

    def _set(self, request, queryset, status, verb):
        for report in queryset.filter(status=MessageReport.Status.OPEN):
            services.report_set_status(report=report, operator=request.user, status=status)
            self.log_change(request, report, verb)
        self.message_user(request, f"{verb}.", messages.SUCCESS)

    @admin.action(description="Resolve (action taken)")
    def resolve(self, request, queryset):
        self._set(request, queryset, MessageReport.Status.RESOLVED, "Resolved")

    @admin.action(description="Dismiss (no action needed)")
    def dismiss(self, request, queryset):
        self._set(request, queryset, MessageReport.Status.DISMISSED, "Dismissed")
