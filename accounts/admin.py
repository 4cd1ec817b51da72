from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied

from audit.admin import AuditTrailMixin
from bantu.core.admin import ReadOnlyAdmin, act_with_reason

from . import roles, services
from .models import AuthSession, ExternalIdentity, User


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(roles.FREELANCER, "Freelancer"), (roles.COMPANY, "Company member"), (roles.ADMIN, "Operator")]

    def queryset(self, request, queryset):
        if self.value() in roles.ALL_ROLES:
            return roles.users_with_role(queryset, self.value())
        return queryset


# Fields that grant power: only superusers set them, or an operator could make themselves (or a friend) one.
PRIVILEGE_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(AuditTrailMixin, DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined", "suspended_at"]
    list_filter = [RoleFilter, "is_active", "is_staff", "groups", "date_joined"]
    search_fields = ["email", "full_name", "phone", "=id"]
    date_hierarchy = "date_joined"
    readonly_fields = [
        "id",
        "date_joined",
        "last_login",
        "is_active",
        "suspended_at",
        "suspension_reason",
        "auth_version",
        "audit_trail",
    ]
    actions = ["suspend", "reactivate"]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        ("Profile", {"fields": ["full_name", "phone"]}),
        (
            "Status (suspend and reactivate with the actions of the list)",
            {"fields": ["is_active", "suspended_at", "suspension_reason", "auth_version"]},
        ),
        ("Permissions", {"fields": PRIVILEGE_FIELDS}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
        ("Audit trail", {"fields": ["audit_trail"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, *PRIVILEGE_FIELDS]

    def has_change_permission(self, request, obj=None):
        # Operators other than superusers never change another operator (email, password, status): a changed
        # email or password would hand them that operator's account.
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Users are suspended, not deleted: money, audit and chat rows point at them.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied  # users reset their own password by mail
        return super().user_change_password(request, id, form_url)

    def _targets(self, request, queryset):
        return queryset if request.user.is_superuser else queryset.filter(is_staff=False)

    @admin.action(description="Suspend selected users (revokes their tokens; asks why)", permissions=["change"])
    def suspend(self, request, queryset):
        return act_with_reason(
            self,
            request,
            self._targets(request, queryset).filter(is_active=True),
            title="Suspend users",
            intro="Suspend these users: they cannot sign in, and their tokens and open sockets stop working at once.",
            done="Suspended",
            apply=lambda user, reason: services.user_suspend(user=user, operator=request.user, reason=reason),
        )

    @admin.action(description="Reactivate selected users (asks why)", permissions=["change"])
    def reactivate(self, request, queryset):
        return act_with_reason(
            self,
            request,
            self._targets(request, queryset).filter(is_active=False),
            title="Reactivate users",
            intro="Lift the suspension of these users.",
            done="Reactivated",
            apply=lambda user, reason: services.user_reactivate(user=user, operator=request.user, reason=reason),
        )


# Sessions and linked Google accounts are rows the services write: operators look, never edit. A user ends their
# own sessions in the API; an operator who must cut a user off suspends them.
@admin.register(AuthSession)
class AuthSessionAdmin(ReadOnlyAdmin):
    list_display = ["user", "user_agent", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_select_related = ["user"]
    list_filter = ["created_at", "revoked_at"]
    search_fields = ["user__email", "=id", "user_agent"]
    readonly_fields = ["id", "user", "user_agent", "created_at", "last_used_at", "expires_at", "revoked_at",
                       "refresh_jti"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "provider", "email", "created_at"]
    list_select_related = ["user"]
    list_filter = ["provider"]
    search_fields = ["user__email", "email", "=subject"]
    readonly_fields = ["id", "user", "provider", "subject", "email", "created_at"]
