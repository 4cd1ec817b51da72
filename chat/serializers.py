"""The one JSON shape of a chat message: in the REST history, in the socket's `message.created` event and in the
sender's acknowledgement. Times are UTC."""

from rest_framework import serializers

from bantu.core.serializers import FieldsBuiltOnceMixin

from .models import Message


class MessageSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    # Ids as strings, not related fields: the output is plain JSON values, which the Redis channel layer (msgpack)
    # carries as they are.
    conversation = serializers.UUIDField(source="conversation_id", read_only=True)
    sender = serializers.UUIDField(source="sender_id", read_only=True)

    class Meta:
        model = Message
        fields = ["id", "conversation", "sender", "seq", "body", "client_id", "created_at"]
        read_only_fields = fields


def message_json(message: Message) -> dict:
    """The message as every channel carries it (a plain dict of JSON values: strings, numbers)."""
    return dict(MessageSerializer(message).data)
