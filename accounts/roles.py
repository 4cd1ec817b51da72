"""The roles a user holds, derived from what exists (no stored flags to drift out of date)."""

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
        # The reverse relation by name, so accounts does not import the apps that depend on it.
        profile = type(user)._meta.get_field("freelancer_profile")
        return profile.related_model._base_manager.filter(**{profile.field.attname: user.pk}).exists()
    if role == COMPANY:
        return user.company_memberships.exists()
    if role == ADMIN:
        return user.is_staff
    raise ValueError(f"Unknown role {role!r}.")


def forget_roles(user) -> None:
    user.__dict__.pop("_bantu_role_memo", None)
