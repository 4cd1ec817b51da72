"""The one JSON shape of a notification: in `notifications/` (REST), in the socket's `notification.created` event
and as the push payload. Times are UTC."""

from rest_framework import serializers

from bantu.core.serializers import FieldsBuiltOnceMixin

from .models import Notification


class NotificationSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Notification.Kind.choices, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "read_at", "created_at"]
        read_only_fields = fields


def notification_json(notification: Notification) -> dict:
    """The notification as every channel carries it (a plain dict of JSON values)."""
    return dict(NotificationSerializer(notification).data)
