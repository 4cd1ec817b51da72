"""Who may call what: the role-based and object-level permission classes every view uses.

Company membership roles come from `company_roles()`, loaded once per request; the freelancer role's class is
`accounts.permissions.IsFreelancer` (the roles are the accounts app's, and this module imports no app).
An object is tied to a company by being a `Company` or having a `company_id`; views never check access by hand.
"""

from rest_framework import permissions

SAFE_METHODS = permissions.SAFE_METHODS
MANAGER_ROLES = ("owner", "admin")


def company_roles(user) -> dict:
    """{company_id: membership role} for `user`, memoised on the instance for the request."""
    if not user or not user.is_authenticated:
        return {}
    cached = getattr(user, "_bantu_company_roles", None)
    if cached is None:
        cached = dict(user.company_memberships.values_list("company_id", "role"))
        user._bantu_company_roles = cached
    return cached


def forget_company_roles(user) -> None:
    user.__dict__.pop("_bantu_company_roles", None)


def owning_company_id(obj):
    if getattr(obj, "_meta", None) is not None and obj._meta.label == "companies.Company":
        return obj.pk
    return getattr(obj, "company_id", None)


def is_member(user, company_id) -> bool:
    return company_id in company_roles(user)


def is_manager(user, company_id) -> bool:
    return company_roles(user).get(company_id) in MANAGER_ROLES


def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class IsPlatformAdmin(permissions.BasePermission):
    message = "Only platform operators may do this."

    def has_permission(self, request, view):
        return is_platform_admin(request.user)


class HasOperatorPermission(permissions.BasePermission):
    """A platform operator who holds `permission` (a Django permission, e.g. "jobs.change_job"), through their
    operator group (backoffice/groups.py) or as a superuser. Subclass with `operator_with(...)`."""

    permission = ""
    message = "Only platform operators with this duty may do this."

    def has_permission(self, request, view):
        return is_platform_admin(request.user) and request.user.has_perm(self.permission)


def operator_with(permission: str, message: str = HasOperatorPermission.message) -> type[HasOperatorPermission]:
    """The permission class admitting operators who hold `permission`."""
    return type(
        f"OperatorWith_{permission.replace('.', '_')}",
        (HasOperatorPermission,),
        {"permission": permission, "message": message},
    )


class IsCompanyMember(permissions.BasePermission):
    """View level: the user belongs to some company. Object level: to the object's company."""

    message = "Only members of the company may do this."

    def has_permission(self, request, view):
        return bool(company_roles(request.user))

    def has_object_permission(self, request, view, obj):
        return is_member(request.user, owning_company_id(obj))


class IsCompanyAdmin(IsCompanyMember):
    """Object level: owner or admin of the object's company."""

    message = "Only the company's owners and admins may do this."

    def has_object_permission(self, request, view, obj):
        return is_manager(request.user, owning_company_id(obj))


class ReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS
