"""Permission classes of the accounts app."""

from django.conf import settings
from rest_framework import permissions

from . import errors, roles


class IsEmailVerified(permissions.BasePermission):
    """The gate on posting jobs, applying, funding and withdrawing (PRODUCT.md §1): with EMAIL_VERIFICATION
    `mandatory` (the default) the user's email must be verified; `optional` lets everyone through. 403
    `email_unverified` otherwise. Put it after the role checks, so a wrong role still hears about the role."""

    message = (
        "Verify your email address first: open the link we mailed you, or ask for a new one with "
        "POST /api/v1/auth/email/resend/."
    )
    code = errors.EMAIL_UNVERIFIED

    def has_permission(self, request, view):
        if settings.BANTU["EMAIL_VERIFICATION"] == "optional":  # anything else keeps the gate shut
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.email_verified_at is not None)


class IsFreelancer(permissions.BasePermission):
    message = "Only freelancers may do this. Create a freelancer profile first."

    def has_permission(self, request, view):
        return roles.has_role(request.user, roles.FREELANCER)
