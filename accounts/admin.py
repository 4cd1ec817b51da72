from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef

from . import services
from .models import User


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [("freelancer", "Freelancer"), ("company", "Company member"), ("admin", "Operator")]

    def queryset(self, request, queryset):
        from companies.models import Membership
        from freelancers.models import FreelancerProfile

        if self.value() == "freelancer":
            return queryset.filter(Exists(FreelancerProfile.objects.filter(user=OuterRef("pk"))))
        if self.value() == "company":
            return queryset.filter(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        if self.value() == "admin":
            return queryset.filter(is_staff=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined", "suspended_at"]
    list_filter = [RoleFilter, "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name", "phone"]
    readonly_fields = ["id", "date_joined", "last_login", "suspended_at", "suspension_reason", "auth_version"]
    actions = ["suspend", "reactivate"]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        ("Profile", {"fields": ["full_name", "phone"]}),
        ("Status", {"fields": ["is_active", "suspended_at", "suspension_reason", "auth_version"]}),
        ("Permissions", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]

    @admin.action(description="Suspend selected users (revokes their tokens)")
    def suspend(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            services.user_suspend(user=user, reason=f"Suspended by {request.user.email} in the admin")
            self.log_change(request, user, "Suspended")
            count += 1
        self.message_user(request, f"Suspended {count} user(s).", messages.SUCCESS)

    @admin.action(description="Reactivate selected users")
    def reactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=False):
            services.user_reactivate(user=user)
            self.log_change(request, user, "Reactivated")
            count += 1
        self.message_user(request, f"Reactivated {count} user(s).", messages.SUCCESS)
