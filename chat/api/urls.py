from django.urls import path

from . import views

urlpatterns = [
    path("conversations/", views.ConversationListApi.as_view(), name="conversation-list"),
    path("conversations/<uuid:pk>/", views.ConversationDetailApi.as_view(), name="conversation-detail"),
    path("conversations/<uuid:pk>/messages/", views.ConversationMessagesApi.as_view(), name="conversation-messages"),
    path("conversations/<uuid:pk>/read/", views.ConversationReadApi.as_view(), name="conversation-read"),
    path("messages/<uuid:pk>/report/", views.MessageReportApi.as_view(), name="message-report"),
]
