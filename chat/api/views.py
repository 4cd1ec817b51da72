from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from bantu.core.ids import uuid_or_none
from bantu.core.pagination import CursorPagination
from chat import selectors, services
from chat.api import serializers as s
from chat.models import Conversation, Message
from chat.permissions import IsConversationParty
from chat.serializers import MessageSendSerializer, ReadSerializer
from companies.models import Company
from proposals.selectors import proposal_visible_to

TAGS = ["chat"]


class MessageCursorPagination(CursorPagination):
    """Newest first; follow `next` for older messages. Stable under new messages arriving."""

    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class ConversationListApi(generics.ListAPIView):
    """Your conversations with their last message and unread count (GET); open one (POST): from a proposal
    (either side), or directly from your company to a freelancer. Opening an existing one returns it (200)."""

    serializer_class = s.ConversationSerializer
    extra_error_responses = {"POST": {404: "The proposal, company or freelancer does not exist or is not visible "
                                           "to you."}}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conversation.objects.none()
        return selectors.conversation_list_mine(user=self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.ConversationOpenSerializer,
                   responses={200: s.ConversationSerializer, 201: s.ConversationSerializer}, tags=TAGS)
    def post(self, request):
        data = s.ConversationOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "proposal" in values:
            proposal = get_object_or_404(proposal_visible_to(request.user), pk=values["proposal"])
            conversation, created = services.conversation_open_for_proposal(user=request.user, proposal=proposal)
        else:
            company = get_object_or_404(Company, pk=values["company"])
            freelancer = get_object_or_404(User.objects.filter(is_active=True), pk=values["freelancer"])
            conversation, created = services.conversation_open_direct(user=request.user, company=company,
                                                                      freelancer=freelancer)
        conversation = selectors.conversation_list_mine(user=request.user).get(pk=conversation.pk)
        return Response(s.ConversationSerializer(conversation).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class _ConversationMixin:
    """A conversation of the caller's (else 404), checked with IsConversationParty."""

    permission_classes = [permissions.IsAuthenticated, IsConversationParty]

    def get_conversation(self) -> Conversation:
        conversation = selectors.conversation_visible_to(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if conversation is None:
            raise Http404
        self.check_object_permissions(self.request, conversation)
        return conversation


class ConversationDetailApi(_ConversationMixin, APIView):
    @extend_schema(responses={200: s.ConversationSerializer}, tags=TAGS)
    def get(self, request, pk):
        self.get_conversation()  # 404 / permission check
        conversation = selectors.conversation_list_mine(user=request.user).get(pk=pk)  # with last message, unread
        return Response(s.ConversationSerializer(conversation).data)


class ConversationMessagesApi(_ConversationMixin, generics.ListAPIView):
    """Messages, newest first, by cursor. `?after=<message id>` returns only what came after it (oldest first,
    for catching up after a reconnect). POST sends (idempotent on `client_id`); it is broadcast like a message
    sent over the socket."""

    serializer_class = s.MessageSerializer
    pagination_class = MessageCursorPagination
    extra_error_responses = {"GET": {400: "Invalid input, a cursor this list did not issue, or an `after` that is "
                                          "not a message of this conversation."}}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        conversation = self.get_conversation()
        after = self.request.query_params.get("after")
        if after is None:
            return selectors.message_list(conversation=conversation)
        after_id = uuid_or_none(after)
        anchor = conversation.messages.filter(pk=after_id).values_list("seq", flat=True).first() if after_id else None
        if anchor is None:
            raise ValidationError({"after": ["Not a message of this conversation."]})
        return selectors.message_list(conversation=conversation, after_seq=anchor)

    def paginate_queryset(self, queryset):
        if "after" in self.request.query_params:
            self.paginator.ordering = "seq"  # catching up reads forward
        return super().paginate_queryset(queryset)

    @extend_schema(parameters=[OpenApiParameter("after", str, description="A message id: only newer messages, "
                                                                          "oldest first.")], tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=MessageSendSerializer, responses={201: s.MessageSerializer, 200: s.MessageSerializer},
                   tags=TAGS)
    def post(self, request, pk):
        data = MessageSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = services.message_send(conversation_id=self.get_conversation().pk, sender=request.user,
                                                 **data.validated_data)
        return Response(s.MessageSerializer(message).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ConversationReadApi(_ConversationMixin, APIView):
    """Move your read position (default: to the latest message); the others see `message.read`."""

    extra_error_responses = {400: "Invalid input, or `unknown_message`: `message` is not in this conversation."}

    @extend_schema(request=ReadSerializer, responses={204: None}, tags=TAGS)
    def post(self, request, pk):
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.conversation_mark_read(conversation=self.get_conversation(), user=request.user,
                                        message_id=data.validated_data.get("message"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageReportApi(APIView):
    """Report a message of a conversation you take part in; operators review reports in the admin."""

    extra_error_responses = {409: "You already reported this message."}

    @extend_schema(request=s.ReportSerializer, responses={201: None}, tags=TAGS)
    def post(self, request, pk):
        message = Message.objects.select_related("conversation").filter(pk=pk).first()
        if message is None or not selectors.conversation_visible_to(request.user).filter(
                pk=message.conversation_id).exists():
            raise Http404
        data = s.ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.message_report(message=message, reporter=request.user, reason=data.validated_data["reason"])
        return Response(status=status.HTTP_201_CREATED)
