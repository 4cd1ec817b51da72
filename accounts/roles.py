"""The roles a user holds, derived from what exists (no stored flags to drift out of date).

The freelancer profile and the company memberships are reached through their reverse relations by name, so that
accounts does not import the apps that depend on it."""

from django.db.models import Exists, OuterRef, QuerySet

FREELANCER = "freelancer"
COMPANY = "company"
ADMIN = "admin"
ALL_ROLES = (FREELANCER, COMPANY, ADMIN)
REGISTRATION_ROLES = (FREELANCER, COMPANY)


def user_roles(user) -> list[str]:
    """Roles of `user` (in ALL_ROLES order), each memoised on the instance for the rest of the request."""
    return [role for role in ALL_ROLES if has_role(user, role)]


def has_role(user, role: str) -> bool:
    """Whether `user` holds `role`: one query for that role alone (none for `admin`), memoised on the instance
    for the rest of the request, so a permission that needs one role does not pay for the others."""
    if not user or not user.is_authenticated:
        return False
    memo = user.__dict__.setdefault("_bantu_role_memo", {})
    if role not in memo:
        memo[role] = _holds(user, role)
    return memo[role]


def _holds(user, role: str) -> bool:
    if role == FREELANCER:
        profile = type(user)._meta.get_field("freelancer_profile")
        return profile.related_model._base_manager.filter(**{profile.field.attname: user.pk}).exists()
    if role == COMPANY:
        return user.company_memberships.exists()
    if role == ADMIN:
        return user.is_staff
    raise ValueError(f"Unknown role {role!r}.")


# The reverse relation from the user to the rows that give each role but `admin`.
_ROLE_RELATIONS = {FREELANCER: "freelancer_profile", COMPANY: "company_memberships"}


def users_with_role(queryset: QuerySet, role: str) -> QuerySet:
    """`queryset` of users narrowed to those holding `role`: one EXISTS subquery (none for `admin`), no
    duplicates. Raises ValueError for an unknown role."""
    if role == ADMIN:
        return queryset.filter(is_staff=True)
    if role not in _ROLE_RELATIONS:
        raise ValueError(f"Unknown role {role!r}.")
    relation = queryset.model._meta.get_field(_ROLE_RELATIONS[role])
    rows = relation.related_model._default_manager.filter(**{relation.field.name: OuterRef("pk")})
    return queryset.filter(Exists(rows))


def forget_roles(user) -> None:
    user.__dict__.pop("_bantu_role_memo", None)
