"""The roles a user holds, derived from what exists (no stored flags to drift out of date)."""

FREELANCER = "freelancer"
COMPANY = "company"
ADMIN = "admin"
ALL_ROLES = (FREELANCER, COMPANY, ADMIN)
REGISTRATION_ROLES = (FREELANCER, COMPANY)


def user_roles(user) -> list[str]:
    """Roles of `user`, memoised on the instance for the rest of the request."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_bantu_roles", None)
    if cached is not None:
        return cached
    roles = []
    # Reverse relations by name, so accounts does not import the apps that depend on it.
    if type(user).objects.filter(pk=user.pk, freelancer_profile__isnull=False).exists():
        roles.append(FREELANCER)
    if user.company_memberships.exists():
        roles.append(COMPANY)
    if user.is_staff:
        roles.append(ADMIN)
    user._bantu_roles = roles
    return roles


def forget_roles(user) -> None:
    user.__dict__.pop("_bantu_roles", None)
