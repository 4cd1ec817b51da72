"""Operators browse and filter the audit log here; nobody adds, changes or deletes a row (not even superusers)."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from bantu.core.admin import ReadOnlyAdmin, set_or_not_filter

from .models import AuditEntry
from .selectors import audit_trail_of

MoneyActFilter = set_or_not_filter("amount", title="money", parameter="money", set_label="Money acts",
                                    unset_label="Other acts")


def admin_url_of(content_type, object_id) -> str:
    """The admin change page of an object named by content type and id, or "" when it has none."""
    try:
        return reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[object_id])
    except NoReverseMatch:
        return ""


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_email", "action", "target", "short_reason", "amount"]
    list_filter = ["action", MoneyActFilter, ("target_type", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["=target_id", "target_repr", "reason", "actor_email"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]
    show_full_result_count = False
    fields = [
        "created_at",
        "actor",
        "actor_email",
        "action",
        "target_type",
        "target_id",
        "target",
        "reason",
        "amount",
        "currency",
        "details",
    ]
    readonly_fields = fields

    @admin.display(description="object")
    def target(self, entry):
        url = admin_url_of(entry.target_type, entry.target_id)
        label = f"{entry.target_type.name}: {Truncator(entry.target_repr).chars(60)}"
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    @admin.display(description="reason")
    def short_reason(self, entry):
        return Truncator(entry.reason).chars(80)


class AuditTrailMixin:
    """Adds a read-only "audit trail" field to a ModelAdmin's change form: who did what to this object, when and
    why (one query). List it in `readonly_fields` (and in `fields`/`fieldsets` where the admin declares them)."""

    @admin.display(description="audit trail")
    def audit_trail(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = list(audit_trail_of(obj)[:50])
        if not rows:
            return "No moderation or money acts yet."
        lines = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    entry.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                    entry.actor_email or "system",
                    entry.get_action_display(),
                    entry.reason,
                    "" if entry.amount is None else f"{entry.amount:,}",
                )
                for entry in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>when</th><th>who</th><th>what</th><th>why</th><th>IDR</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            lines,
        )
