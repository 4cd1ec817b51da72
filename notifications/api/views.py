from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bantu.core.filters import StrictBooleanFilter, StrictFilterSet
from bantu.core.pagination import PageNumberPagination
from bantu.core.views import no_body
from notifications import selectors, services
from notifications.models import Notification
from notifications.serializers import NotificationSerializer


class UnreadCountPagination(PageNumberPagination):
    """The page plus `unread_count`, so a client renders its badge from the same request."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread_count"] = selectors.unread_count(user=self.request.user)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread_count"] = {"type": "integer", "example": 3}
        schema["required"] = [*schema.get("required", []), "unread_count"]
        return schema



class NotificationFilter(StrictFilterSet):
    unread = StrictBooleanFilter(method="filter_unread", help_text="true: only the unread ones.")

    class Meta:
        model = Notification
        fields = []

    @extend_schema_field(OpenApiTypes.BOOL)  # a method filter: no model field to read the type from
    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=True) if value else queryset


class NotificationListApi(generics.ListAPIView):
    """Your notifications, newest first, with `unread_count`. `?unread=true` lists only unread ones."""

    serializer_class = NotificationSerializer
    pagination_class = UnreadCountPagination
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notification_list(user=self.request.user)

    @extend_schema(tags=["notifications"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadApi(APIView):
    """Mark one of your notifications read (idempotent)."""

    @extend_schema(request=None, responses={200: NotificationSerializer}, tags=["notifications"])
    @no_body
    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        return Response(NotificationSerializer(services.notification_mark_read(notification=notification)).data)


class NotificationReadAllApi(APIView):
    """Mark all your notifications read."""

    @extend_schema(request=None, responses={200: inline_serializer("ReadAll", {"marked": serializers.IntegerField()})},
                   tags=["notifications"])
    @no_body
    def post(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
