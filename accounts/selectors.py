"""Reads of the accounts app."""

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuthSession


def session_list_live(*, user) -> QuerySet[AuthSession]:
    """The user's sessions that can still be refreshed: not revoked, latest refresh token not expired. Most
    recently used first."""
    return AuthSession.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-last_used_at", "-id"
    )
