from django.contrib import admin, messages

from . import services
from .models import Company, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "industry", "city", "province", "verified", "rating_avg", "created_at"]
    list_filter = ["verified", "size", "province"]
    search_fields = ["name", "slug", "industry", "city"]
    readonly_fields = ["id", "verified", "verified_at", "rating_avg", "rating_count", "created_at", "updated_at"]
    inlines = [MembershipInline]
    actions = ["verify", "unverify"]

    @admin.action(description="Verify selected companies")
    def verify(self, request, queryset):
        for company in queryset.filter(verified=False):
            services.company_set_verified(company=company, verified=True)
            self.log_change(request, company, "Verified")
        self.message_user(request, "Verified.", messages.SUCCESS)

    @admin.action(description="Remove verification")
    def unverify(self, request, queryset):
        for company in queryset.filter(verified=True):
            services.company_set_verified(company=company, verified=False)
            self.log_change(request, company, "Verification removed")
        self.message_user(request, "Verification removed.", messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "company__name"]
    autocomplete_fields = ["user", "company"]
    list_select_related = ["user", "company"]
