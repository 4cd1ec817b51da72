"""Operators read conversations when handling reports; nothing here edits what people wrote."""

from django.contrib import admin
from django.utils.text import Truncator

from audit.admin import AuditTrailMixin
from bantu.core.admin import ReadOnlyAdmin, act_with_reason

from . import services
from .models import Conversation, Message, MessageReport, Participant


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
    list_display = ["id", "company", "freelancer", "proposal", "last_message_at", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["=id", "company__name", "freelancer__email", "freelancer__full_name"]
    list_select_related = ["company", "freelancer", "proposal"]
    date_hierarchy = "created_at"
    inlines = [MessageInline]
    show_full_result_count = False


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["conversation", "user", "last_read_seq", "joined_at"]
    search_fields = ["=conversation__id", "user__email"]
    list_select_related = ["conversation", "user"]
    date_hierarchy = "joined_at"
    show_full_result_count = False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "conversation", "sender", "seq", "short_body"]
    list_filter = ["created_at"]
    search_fields = ["=id", "=conversation__id", "sender__email", "body"]
    list_select_related = ["sender", "conversation"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="message")
    def short_body(self, message):
        return Truncator(message.body).chars(80)


@admin.register(MessageReport)
class MessageReportAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["created_at", "short_message", "reporter", "short_reason", "status", "handled_by"]
    list_filter = ["status", "created_at"]
    search_fields = ["reporter__email", "reason", "=message__id"]
    list_select_related = ["reporter", "handled_by", "message"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "id",
        "message",
        "message_body",
        "reporter",
        "reason",
        "status",
        "handled_by",
        "created_at",
        "audit_trail",
    ]
    fields = readonly_fields
    actions = ["resolve", "dismiss"]

    @admin.display(description="Reported message")
    def message_body(self, report):
        return report.message.body

    @admin.display(description="message")
    def short_message(self, report):
        return Truncator(report.message.body).chars(60)

    @admin.display(description="reason")
    def short_reason(self, report):
        return Truncator(report.reason).chars(60)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _close(self, request, queryset, status, title, done):
        return act_with_reason(
            self,
            request,
            queryset.filter(status=MessageReport.Status.OPEN),
            title=title,
            done=done,
            intro="Close these reports. The reporters are told the outcome and your reason, never who was reported.",
            apply=lambda report, reason: services.report_close(
                report=report, operator=request.user, status=status, reason=reason
            ),
        )

    @admin.action(description="Resolve (action taken; asks why)", permissions=["change"])
    def resolve(self, request, queryset):
        return self._close(request, queryset, MessageReport.Status.RESOLVED, "Resolve reports", "Resolved")

    @admin.action(description="Dismiss (no action needed; asks why)", permissions=["change"])
    def dismiss(self, request, queryset):
        return self._close(request, queryset, MessageReport.Status.DISMISSED, "Dismiss reports", "Dismissed")
