"""The one JSON shape of a chat message: in the REST history, in the socket's `message.created` event and in the
sender's acknowledgement (times in UTC); and the input serializers of the commands that both REST and the socket
take (`message.send`, `message.read`), so that both refuse the same input with the same errors."""

from rest_framework import serializers

from bantu.core.serializers import FieldsBuiltOnceMixin, StrictSerializer

from .models import MAX_BODY, Message


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
    """The message as every channel carries it (a plain dict of JSON values: strings, numbers). Made once per
    instance (45 µs): a stored message never changes, and a send's broadcast and its acknowledgement carry the same
    dict, which callers therefore must not modify."""
    data = message.__dict__.get("_json")
    if data is None:
        data = message.__dict__["_json"] = dict(MessageSerializer(message).data)
    return data


class MessageSendSerializer(FieldsBuiltOnceMixin, StrictSerializer):
    body = serializers.CharField(max_length=MAX_BODY, trim_whitespace=True)
    client_id = serializers.UUIDField(help_text="A UUID made by the client; resending it stores nothing new.")


class ReadSerializer(FieldsBuiltOnceMixin, StrictSerializer):
    message = serializers.UUIDField(required=False, help_text="Read up to this message (default: the latest).")
