"""What chat announces, after commit, as JSON: to sockets, and to the offline as notifications (→ push)."""

from django.db import transaction

from bantu.core import realtime
from notifications.models import Notification
from notifications.services import notify

from .serializers import message_json


def message_created(message, recipient_ids: list) -> None:
    payload = {"type": "message.created", "conversation": str(message.conversation_id),
               "message": message_json(message)}
    sender_id = message.sender_id
    preview = message.body[:140]

    def announce():
        others = [uid for uid in recipient_ids if uid != sender_id]
        online = realtime.send_to_users(recipient_ids, payload, presence_of=others)  # read along on Redis
        offline = [uid for uid in others if uid not in online]
        notify(user_ids=offline, kind=Notification.Kind.MESSAGE_RECEIVED, title="New message", body=preview,
               data={"conversation": payload["conversation"], "message": payload["message"]["id"]})

    transaction.on_commit(announce)


def message_read(conversation_id, user_id, message_id, recipient_ids: list) -> None:
    payload = {"type": "message.read", "conversation": str(conversation_id), "user": str(user_id),
               "message": str(message_id)}
    transaction.on_commit(lambda: realtime.send_to_users(recipient_ids, payload))


def typing(conversation_id, user_id, recipient_ids: list) -> None:
    realtime.send_to_users([uid for uid in recipient_ids if uid != user_id],
                           {"type": "typing", "conversation": str(conversation_id), "user": str(user_id)})


def report_closed(report, reason: str) -> None:
    """Tells the reporter how their report ended (not who was reported, nor what was done to them)."""
    verdict = "Action was taken" if report.status == report.Status.RESOLVED else "No action was needed"
    user_id, data = report.reporter_id, {"report": str(report.pk), "message": str(report.message_id),
                                         "status": report.status}
    transaction.on_commit(lambda: notify(
        user_ids=[user_id], kind=Notification.Kind.REPORT_CLOSED, title=f"Your report was reviewed: {verdict.lower()}",
        body=reason, data=data))
