"""Helpers of the notifications tests: a stored notification, and what each user's socket group receives."""

import asyncio

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from bantu.core.realtime import user_group
from notifications.models import Notification
from notifications.services import notify

QUIET = 0.5  # seconds of silence that count as "nothing arrives"


def send(user, title="Proposal baru", kind=Notification.Kind.PROPOSAL_SUBMITTED, **kwargs) -> Notification:
    return notify(user_ids=[user.pk], kind=kind, title=title, **kwargs)[0]


def _deliver_and_receive(capture, users, make_notifications):
    """Subscribe one test channel per user to that user's socket group, run `make_notifications` (committing its
    on-commit callbacks), then collect what each channel received within a short wait."""
    layer = get_channel_layer()

    async def received_by(channel):
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout=QUIET)
        except TimeoutError:
            return None

    def produce():
        with capture(execute=True):
            return make_notifications()

    async def scenario():
        channels = [await layer.new_channel() for _ in users]
        for user, channel in zip(users, channels, strict=True):
            await layer.group_add(user_group(user.pk), channel)
        try:
            produced = await sync_to_async(produce)()
            # Delivery is done when `produce` returns (its group sends were awaited): what a channel has not
            # received within QUIET never comes. The channels wait at the same time.
            return produced, list(await asyncio.gather(*(received_by(channel) for channel in channels)))
        finally:
            for user, channel in zip(users, channels, strict=True):
                await layer.group_discard(user_group(user.pk), channel)

    return async_to_sync(scenario)()
