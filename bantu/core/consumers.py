"""The one socket a signed-in client keeps open (protocol: PRODUCT.md §4).

This foundation authenticates, joins the user's group and relays events sent to it; chat commands arrive with
the chat app."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

CLOSE_UNAUTHENTICATED = 4401


def user_group(user_id) -> str:
    return f"user.{user_id}"


class UserSocketConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.send_json({"type": "error", "code": "unknown_command", "detail": "Unknown command."})

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def relay(self, event):
        """Group message `{"type": "relay", "payload": {...}}` → the payload to the client."""
        await self.send_json(event["payload"])
