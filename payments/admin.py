"""The money side of the operator console. Everything is read-only — money moves only through the services —
except the operator acts: resolving a dispute (release, refund or split, with the reason shown to both parties)
and retrying a failed refund. Each act records who, when and why."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from audit.admin import AuditTrailMixin
from bantu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from bantu.core.exceptions import ApplicationError

from .models import Account, Dispute, Entry, Payment, Payout, Refund, Transaction, WebhookEvent
from .services import escrow, refunds


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ["account", "amount", "balance_after", "created_at"]
    readonly_fields = fields


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "amount", "balance_after", "transaction"]
    list_filter = [("account__kind", admin.AllValuesFieldListFilter), "created_at"]
    search_fields = ["=transaction__id", "account__key"]
    list_select_related = ["account", "transaction"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "moved", "short_description", "milestone", "actor"]
    list_filter = ["kind", "created_at"]
    search_fields = ["=id", "idempotency_key", "description", "=milestone__id", "=payment__id", "=payout__id"]
    date_hierarchy = "created_at"
    list_select_related = ["milestone", "actor"]
    inlines = [EntryInline]
    show_full_result_count = False

    def get_queryset(self, request):
        # What the transaction moved: the sum of its positive legs (its entries sum to zero), in the list's query.
        moved = Sum("entries__amount", filter=Q(entries__amount__gt=0))
        return super().get_queryset(request).annotate(moved_total=moved)

    @admin.display(description="amount (IDR)")
    def moved(self, transaction):
        return f"{transaction.moved_total or 0:,}".replace(",", ".")

    @admin.display(description="description")
    def short_description(self, transaction):
        return Truncator(transaction.description).chars(60)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "owner", "shown_balance", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["key", "user__email", "company__name"]
    list_select_related = ["user", "company"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entries_total=Sum("entries__amount"))

    @admin.display(description="owner")
    def owner(self, account):
        return account.user or account.company or account.milestone_id or "platform"

    @admin.display(description="balance (IDR)")
    def shown_balance(self, account):
        # Owned accounts show their locked running balance; the others the sum of their entries.
        return account.balance if account.tracked else (account.entries_total or 0)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "company", "amount", "gateway", "status", "applied_to_escrow", "paid_at"]
    list_filter = ["status", "gateway", "applied_to_escrow", "created_at"]
    search_fields = ["=id", "external_id", "gateway_reference", "company__name", "payer__email"]
    date_hierarchy = "created_at"
    list_select_related = ["company"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "amount", "bank_code", "status", "gateway", "completed_at"]
    list_filter = ["status", "bank_code", "gateway", "created_at"]
    search_fields = ["=id", "gateway_reference", "user__email", "account_holder_name"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]


@admin.register(Refund)
class RefundAdmin(AuditTrailMixin, ReadOnlyAdmin):
    list_display = ["created_at", "payment", "amount", "status", "reason", "requested_by"]
    list_filter = ["status", "created_at"]
    search_fields = ["=id", "=payment__id", "gateway_reference"]
    list_select_related = ["payment", "requested_by"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "audit_trail"]
    actions = ["retry_failed"]

    @admin.action(description="Send the selected failed refunds again", permissions=["retry"])
    def retry_failed(self, request, queryset):
        for refund in queryset:
            try:
                refunds.refund_retry(refund_id=refund.pk, operator=request.user)
                self.message_user(request, f"Refund {refund.pk} sent again.")
            except ApplicationError as error:
                self.message_user(request, f"Refund {refund.pk}: {error.detail}", messages.ERROR)

    def has_retry_permission(self, request):
        return request.user.has_perm("payments.change_refund")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "gateway", "kind", "event_id", "reference", "outcome", "http_status", "detail"]
    list_filter = ["gateway", "outcome", "kind", "received_at"]
    search_fields = ["event_id", "reference"]
    date_hierarchy = "received_at"
    show_full_result_count = False


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(choices=Dispute.Resolution.choices, widget=forms.RadioSelect)
    released_amount = forms.IntegerField(min_value=0, required=False,
                                         help_text="Split only: integer rupiah released to the freelancer (before "
                                                   "the platform fee); the rest is refunded to the company.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=1000,
                           help_text="Why. Shown to both parties and kept in the audit trail.")


@admin.register(Dispute)
class DisputeAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["created_at", "milestone", "side", "raised_by", "status", "resolution", "resolved_by",
                    "resolve_link"]
    list_filter = ["status", "resolution", "side", "created_at"]
    search_fields = ["=id", "=milestone__id", "reason", "raised_by__email"]
    list_select_related = ["milestone", "raised_by", "resolved_by"]
    readonly_fields = ["milestone", "raised_by", "side", "reason", "status", "resolution", "released_amount",
                       "refunded_amount", "resolved_by", "resolved_at", "resolution_note", "created_at",
                       "audit_trail"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        resolve = self.admin_site.admin_view(self.resolve_view)
        return [path("<uuid:object_id>/resolve/", resolve, name="payments_dispute_resolve"), *super().get_urls()]

    @admin.display(description="")
    def resolve_link(self, dispute):
        if dispute.status != Dispute.Status.OPEN:
            return ""
        return format_html('<a href="{}">Resolve…</a>', reverse("admin:payments_dispute_resolve", args=[dispute.pk]))

    def resolve_view(self, request, object_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        dispute = get_object_or_404(Dispute.objects.select_related("milestone__contract__job", "raised_by"),
                                    pk=object_id)
        form = ResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                escrow.dispute_resolve(dispute_id=dispute.pk, operator=request.user,
                                       resolution=form.cleaned_data["resolution"], note=form.cleaned_data["note"],
                                       released_amount=form.cleaned_data["released_amount"])
            except ApplicationError as error:
                for field, problems in (error.errors or {}).items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
                if not error.errors:
                    form.add_error(None, error.detail)
            else:
                self.message_user(request, "Dispute resolved; both parties were notified.")
                return redirect("admin:payments_dispute_change", dispute.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "dispute": dispute,
                   "form": form, "title": "Resolve dispute"}
        return TemplateResponse(request, "admin/payments/dispute/resolve.html", context)
