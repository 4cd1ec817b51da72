from django.db.models import QuerySet

from .models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(user=user)
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
