from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from bantu.core.permissions import company_roles

from .models import Conversation, Message, Participant


def conversation_visible_to(user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(Q(freelancer=user) | Q(company_id__in=list(company_roles(user))))


def conversation_list_mine(*, user) -> QuerySet[Conversation]:
    """Conversations I may take part in (as the freelancer or a member of the company), most recent activity
    first, each with `unread` (messages from others after my read position) and its last message. A constant
    number of queries."""
    my_read = Participant.objects.filter(conversation=OuterRef("conversation_id"), user=user).values("last_read_seq")
    unread = (
        Message.objects.filter(conversation=OuterRef("pk"), seq__gt=Coalesce(Subquery(my_read), Value(0)))
        .exclude(sender=user)
        .values("conversation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        conversation_visible_to(user)
        .select_related("company", "freelancer", "last_message")
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at", "-id")
    )


def message_list(*, conversation: Conversation, after_seq: int | None = None) -> QuerySet[Message]:
    messages = conversation.messages.all()
    if after_seq is not None:
        messages = messages.filter(seq__gt=after_seq)
    return messages
