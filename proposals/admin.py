"""Operators read proposals and contracts here. Money, terms and states are read-only: they change only
through the services (the API), which keep the offer history, audit rows and notifications consistent."""

from django.contrib import admin
from django.utils.text import Truncator

from bantu.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Contract, Milestone, MilestoneStatusChange, Offer, Proposal, ProposalStatusChange


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = ["created_at", "side", "author", "amount", "duration_days", "message"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class StatusChangeInline(ReadOnlyInline):
    model = ProposalStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["position", "title", "amount", "due_date", "status"]
    readonly_fields = fields


class MilestoneStatusChangeInline(ReadOnlyInline):
    model = MilestoneStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


def _job_title(obj) -> str:
    return Truncator(obj.job.title).chars(50)


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["job_title", "freelancer", "status", "amount", "duration_days", "last_offer_side", "created_at"]
    list_filter = ["status", "last_offer_side", "created_at"]
    search_fields = ["=id", "job__title", "job__company__name", "freelancer__email", "freelancer__full_name"]
    list_select_related = ["job", "freelancer"]
    readonly_fields = ["id", "job", "freelancer", "status", "amount", "duration_days", "currency", "last_offer_side",
                       "cover_letter", "attachments", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [OfferInline, StatusChangeInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="job", ordering="job__title")
    def job_title(self, proposal):
        return _job_title(proposal)


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "proposal", "side", "author", "amount", "duration_days"]
    list_filter = ["side", "created_at"]
    search_fields = ["=proposal__id", "author__email"]
    list_select_related = ["proposal", "author"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(ProposalStatusChange)
class ProposalStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "proposal", "from_status", "to_status", "actor", "note"]
    list_filter = ["to_status", "created_at"]
    search_fields = ["=proposal__id", "actor__email", "note"]
    list_select_related = ["proposal", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["job_title", "company", "freelancer", "amount", "platform_fee_bps", "status", "created_at",
                    "completed_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["=id", "job__title", "company__name", "freelancer__email", "freelancer__full_name"]
    list_select_related = ["job", "company", "freelancer"]
    readonly_fields = ["id", "proposal", "job", "company", "freelancer", "accepted_offer", "amount", "currency",
                       "duration_days", "platform_fee_bps", "status", "completed_at", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [MilestoneInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="job", ordering="job__title")
    def job_title(self, contract):
        return _job_title(contract)


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["short_title", "contract", "position", "amount", "status", "due_date", "funded_at",
                    "settled_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["=id", "=contract__id", "title"]
    list_select_related = ["contract"]
    date_hierarchy = "created_at"
    inlines = [MilestoneStatusChangeInline]
    show_full_result_count = False

    @admin.display(description="title", ordering="title")
    def short_title(self, milestone):
        return Truncator(milestone.title).chars(50)


@admin.register(MilestoneStatusChange)
class MilestoneStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "milestone", "from_status", "to_status", "actor", "note"]
    list_filter = ["to_status", "created_at"]
    search_fields = ["=milestone__id", "actor__email", "note"]
    list_select_related = ["milestone", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False
