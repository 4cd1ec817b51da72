from rest_framework import permissions

from bantu.core.permissions import is_member


def can_access_conversation(user, conversation) -> bool:
    """The freelancer, or any member of the company side. (Operators read chats in the admin.)"""
    return bool(user and user.is_authenticated) and (
        conversation.freelancer_id == user.pk or is_member(user, conversation.company_id)
    )


class IsConversationParty(permissions.BasePermission):
    message = "Only the freelancer and the company's members take part in this conversation."

    def has_object_permission(self, request, view, obj):
        return can_access_conversation(request.user, obj)
