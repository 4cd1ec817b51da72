"""Operators read proposals and contracts here. Money, terms and states are read-only: they change only
through the services (the API), which keep the offer history, audit rows and notifications consistent."""

from django.contrib import admin

from bantu.core.admin import ReadOnlyInline

from .models import Contract, Milestone, Offer, Proposal, ProposalStatusChange


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = ["created_at", "side", "author", "amount", "duration_days", "message"]
    readonly_fields = fields


class StatusChangeInline(ReadOnlyInline):
    model = ProposalStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["position", "title", "amount", "due_date", "status"]
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["job", "freelancer", "status", "amount", "duration_days", "last_offer_side", "created_at"]
    list_filter = ["status", "last_offer_side", "created_at"]
    search_fields = ["=id", "job__title", "job__company__name", "freelancer__email", "freelancer__full_name"]
    list_select_related = ["job", "freelancer"]
    readonly_fields = ["id", "job", "freelancer", "status", "amount", "duration_days", "currency", "last_offer_side",
                       "cover_letter", "attachments", "created_at", "updated_at"]
    inlines = [OfferInline, StatusChangeInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "company", "freelancer", "amount", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["=id", "job__title", "company__name", "freelancer__email", "freelancer__full_name"]
    list_select_related = ["job", "company", "freelancer"]
    readonly_fields = ["id", "proposal", "job", "company", "freelancer", "accepted_offer", "amount", "currency",
                       "duration_days", "status", "created_at", "updated_at"]
    inlines = [MilestoneInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
