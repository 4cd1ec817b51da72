from django.contrib import admin
from django.db import models

from audit.admin import AuditTrailMixin
from bantu.core.admin import act_with_reason

from . import services
from .models import Company, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Company)
class CompanyAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "industry",
        "city",
        "province",
        "size",
        "verified",
        "rating_avg",
        "rating_count",
        "created_at",
    ]
    list_filter = ["verified", "size", "province", "created_at"]
    search_fields = ["name", "slug", "industry", "city", "=id"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "id",
        "verified",
        "verified_at",
        "rating_avg",
        "rating_count",
        "created_at",
        "updated_at",
        "audit_trail",
    ]
    inlines = [MembershipInline]
    actions = ["verify", "unverify"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a typed "acme.id" means https

    def has_delete_permission(self, request, obj=None):
        # Jobs, contracts and money point at companies; they are never deleted from the console.
        return False

    @admin.action(description="Verify selected companies (asks why)", permissions=["change"])
    def verify(self, request, queryset):
        return act_with_reason(
            self,
            request,
            queryset.filter(verified=False),
            title="Verify companies",
            intro="Mark these companies verified: their profile and jobs show the verified badge.",
            done="Verified",
            apply=lambda company, reason: services.company_set_verified(
                company=company, verified=True, operator=request.user, reason=reason
            ),
        )

    @admin.action(description="Remove verification (asks why)", permissions=["change"])
    def unverify(self, request, queryset):
        return act_with_reason(
            self,
            request,
            queryset.filter(verified=True),
            title="Remove verification",
            intro="Remove the verified badge of these companies.",
            done="Verification removed",
            apply=lambda company, reason: services.company_set_verified(
                company=company, verified=False, operator=request.user, reason=reason
            ),
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "created_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["user__email", "user__full_name", "company__name"]
    autocomplete_fields = ["user", "company"]
    list_select_related = ["user", "company"]
    date_hierarchy = "created_at"
